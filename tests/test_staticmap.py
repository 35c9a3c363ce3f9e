"""The static report map: layout, label placement, and the PNG/SVG files it writes."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from nkmap.outputs import staticmap
from nkmap.outputs.staticmap import DEFAULT_BASEMAP, Extent, MapPoint, plan_layout

from .conftest import ROOT

# A stand-in basemap: rectangles roughly where these countries are, enough to draw on.
BOXES = {
    "FR": (-4, 43, 8, 51),
    "CH": (6, 45.8, 10.5, 47.8),
    "RU": (28, 41, 60, 70),
    "TR": (26, 36, 44.8, 42),
    "AM": (43.4, 38.8, 46.6, 41.3),
    "AZ": (44.8, 38.4, 50.6, 41.9),
    "US": (-125, 25, -67, 49),
    "ID": (95, -11, 141, 6),
}


@pytest.fixture(scope="module")
def basemap(tmp_path_factory):
    if DEFAULT_BASEMAP.is_file():
        return DEFAULT_BASEMAP
    features = [
        {
            "type": "Feature",
            "properties": {"iso_a2": iso, "name": iso},
            "geometry": {"type": "Polygon", "coordinates": [[(w, s), (e, s), (e, n), (w, n), (w, s)]]},
        }
        for iso, (w, s, e, n) in BOXES.items()
    ]
    path = tmp_path_factory.mktemp("basemap") / "countries.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def images(sample_result, basemap, tmp_path_factory):
    out = tmp_path_factory.mktemp("static")
    paths = staticmap.write_static_maps(sample_result, {"png": out / "map.png", "svg": out / "map.svg"}, basemap)
    return dict(zip(("png", "svg"), paths))


def test_png_is_print_sized_decodes_and_is_not_blank(images):
    from PIL import Image

    with Image.open(images["png"]) as im:
        im.load()
        assert im.size == (2200, 1320)  # 11 x 6.6 inches at 200 dpi
        assert round(im.info["dpi"][0]) == 200
        colours = im.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 50
    assert max(n for n, _ in colours) < 0.8 * 2200 * 1320  # no colour fills most of the picture


def test_svg_parses_and_is_reproducible(images, sample_result, basemap):
    root = ET.parse(images["svg"]).getroot()
    assert root.tag.endswith("svg")
    assert len(list(root.iter("{http://www.w3.org/2000/svg}path"))) > 20
    again = images["svg"].with_name("again.svg")
    staticmap.write_static_maps(sample_result, {"svg": again}, basemap)
    assert again.read_bytes() == images["svg"].read_bytes()  # no date, fixed ids


def test_the_karabakh_cluster_gets_a_detail_panel(sample_result):
    layout = plan_layout(staticmap.map_points(sample_result))
    assert layout.main.contains(6.146, 46.202) and layout.main.contains(49.892, 40.378)  # Geneva .. Baku
    assert layout.detail is not None
    assert layout.detail_ids == {"stepanakert", "shushi", "martakert", "tonashen", "nagorno-karabakh"}
    assert layout.detail.span() < 0.05 * layout.main.span()


def test_a_compact_set_of_places_needs_no_detail():
    points = [MapPoint(str(i), f"P{i}", 44 + i, 40 + i / 2, 1, "city") for i in range(5)]
    layout = plan_layout(points)
    assert layout.detail is None
    assert all(layout.main.contains(p.lon, p.lat) for p in points)


def test_no_points_falls_back_to_the_given_extent():
    fallback = Extent(0, 10, 40, 50)
    assert plan_layout([], fallback).main == fallback


def test_labels_never_overlap(sample_result, basemap):
    from matplotlib.text import Text

    fig = staticmap.draw_static_map(sample_result, basemap)
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        labels = [a for a in ax.texts if a.get_fontsize() == staticmap.LABEL_SIZE]
        boxes = []
        for a in labels:
            a.update_positions(renderer)
            boxes.append(Text.get_window_extent(a, renderer))
        for a, b in itertools.combinations(boxes, 2):
            assert not a.overlaps(b)
    names = {a.get_text() for ax in fig.axes for a in ax.texts}
    assert {"Moscow", "Geneva", "Baku", "Yerevan", "Stepanakert", "Shushi", "Martakert", "Tonashen"} <= names


def test_crowded_labels_are_left_out_rather_than_overlapping(basemap):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    fig = Figure(figsize=(3, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    items = [(f"Place number {i}", 0.5 + 0.001 * i, 0.5, 3.0) for i in range(40)]
    renderer = fig.canvas.get_renderer()
    placed = staticmap.place_labels(ax, items, renderer)
    assert 0 < len(placed) < 40
    boxes = [Text.get_window_extent(a, renderer) for a in placed]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_title_attribution_and_footnote(sample_result, basemap):
    fig = staticmap.draw_static_map(sample_result, basemap)
    texts = [t.get_text() for t in fig.texts]
    assert fig._suptitle.get_text() == "Places named in 5 news articles, 1 Oct – 4 Nov 2020 (2 undated)"
    assert any("Borders: Natural Earth" in t for t in texts)
    assert any("United States (6)" in t and "Europe (5, continent)" in t for t in texts)


def test_missing_basemap_is_an_input_error(sample_result, tmp_path):
    import nkmap

    with pytest.raises(nkmap.InputError, match="basemap not found"):
        staticmap.draw_static_map(sample_result, tmp_path / "none.geojson")


def test_import_nkmap_does_not_import_matplotlib():
    code = "import sys, nkmap; nkmap.geoparse; print('matplotlib' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.stdout.strip() == "False", done.stderr


def test_svg_keeps_its_text_as_text(images, sample_result):
    root = ET.parse(images["svg"]).getroot()
    texts = ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert staticmap.default_title(sample_result) in texts  # editable in Inkscape, not outlined
    assert {"Stepanakert", "Moscow", "Borders: Natural Earth. Places: nkmap gazetteer (GeoNames, Wikipedia)."} <= set(
        texts
    )


def test_title_can_be_set(sample_result, basemap):
    fig = staticmap.draw_static_map(sample_result, basemap, title="Karabakh, autumn 2020")
    assert fig._suptitle.get_text() == "Karabakh, autumn 2020"


def test_country_names_are_drawn_where_they_fit(sample_result):
    from matplotlib.text import Text

    fig = staticmap.draw_static_map(sample_result)
    renderer = fig.canvas.get_renderer()
    main = fig.axes[0]
    countries = [t for t in main.texts if t.get_fontsize() == staticmap.COUNTRY_SIZE]
    assert {"Georgia", "Turkey", "Ukraine"} <= {t.get_text() for t in countries}
    places = [a for a in main.texts if a.get_fontsize() == staticmap.LABEL_SIZE]
    for a in places:
        a.update_positions(renderer)
    boxes = [Text.get_window_extent(a, renderer) for a in places] + [t.get_window_extent(renderer) for t in countries]
    assert not any(a.overlaps(b) for a, b in itertools.combinations(boxes, 2))


def test_the_web_maps_palette(sample_result):
    from nkmap.outputs.web.palette import GROUP_STYLE, LAND, SEA

    assert (staticmap.SEA, staticmap.LAND) == (SEA, LAND)
    assert staticmap.POINT == GROUP_STYLE["settlement"][0] and staticmap.REGION == GROUP_STYLE["region"][0]


def test_every_labelled_point_of_the_detail_panel_lies_inside_it(sample_result):
    fig = staticmap.draw_static_map(sample_result)
    renderer = fig.canvas.get_renderer()
    main, detail = fig.axes
    labels = [a for a in detail.texts if a.get_fontsize() == staticmap.LABEL_SIZE]
    assert {a.get_text() for a in labels} >= {"Stepanakert", "Shushi", "Martakert", "Tonashen"}
    (x0, x1), (y0, y1) = detail.get_xlim(), detail.get_ylim()
    frame = detail.get_window_extent(renderer)
    for a in labels:
        lon, lat = a.xy
        assert x0 <= lon <= x1 and y0 <= lat <= y1, a.get_text()  # the point itself
        a.update_positions(renderer)
        box = a.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
