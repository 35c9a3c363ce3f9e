"""CSV and KML exports and the ``formats`` choice, checked by reading the files back with GDAL and csv."""

from __future__ import annotations

import csv
import re
import xml.dom.minidom

import geopandas as gpd
import pyogrio
import pytest

import nkmap
from nkmap.cli import main
from nkmap.formats import ALL, DEFAULT, FORMATS, parse_formats
from nkmap.model import Article, GeoparseResult, Mention, Place, ResolvedMention
from nkmap.outputs.kml import write_kml
from nkmap.outputs.tables import write_csv, write_outputs

from .conftest import ARTICLES, GAZETTEER


def test_mentions_csv_has_a_bom_and_one_row_per_mention(sample_build):
    path = sample_build.map_path.parent / "mentions.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbfarticle,")
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(sample_build.result.mentions)
    assert {"article", "date", "start", "end", "surface", "role", "place_id", "lat", "lon", "sentence"} <= set(rows[0])
    texts = {a.name: a.text for a in sample_build.result.articles}
    for row in rows:
        assert texts[row["article"]][int(row["start"]) : int(row["end"])] == row["surface"]
    baku = next(r for r in rows if r["place_id"] == "baku")
    assert (round(float(baku["lat"]), 3), round(float(baku["lon"]), 3)) == (40.378, 49.892)


def test_csv_opens_in_gdal(sample_build):
    out = sample_build.map_path.parent
    frame = pyogrio.read_dataframe(out / "places.csv")
    assert len(frame) == len(sample_build.result.places)
    assert frame.loc[frame["place_id"] == "tonashen", "articles"].item() == "002_57a5f8c875698f1e.txt"
    assert frame.loc[frame["place_id"] == "yerevan", "geonameid"].item() == "616052"  # an id, not 616052.0


def test_kml_has_one_placemark_per_place(sample_build):
    path = sample_build.map_path.parent / "places.kml"
    kml = path.read_text(encoding="utf-8")
    assert kml.count("<Placemark") == len(sample_build.result.places)
    frame = gpd.read_file(path, engine="pyogrio")
    assert frame.crs.to_epsg() == 4326
    assert sorted(frame["Name"]) == sorted(s.place.name for s in sample_build.result.places)
    geneva = frame[frame["Name"] == "Geneva"].geometry.item()
    assert (round(geneva.y, 3), round(geneva.x, 3)) == (46.202, 6.146)


def test_kml_gives_gdal_every_field_of_awkward_places(tmp_path):
    awkward = ["Tom & Jerry <b>", "]]> end", "bell\x07 tab\t", "lone \udc80 surrogate", "Śląsk 𝄞"]
    places = [
        (
            Place(
                id=f"p{i}", name=n, lat=0.1 + 0.2 * i, lon=-(1 / 3) - i, kind="town", country="ID", geonameid=i or None
            ),
            i,
            [f"{n}.txt"],
        )
        for i, n in enumerate(awkward)
    ]
    path = write_kml(places, tmp_path / "places.kml")
    xml.dom.minidom.parse(str(path))  # well-formed, whatever the names hold
    frame = pyogrio.read_dataframe(path)
    shown = [n.replace("\x07", "\ufffd").replace("\udc80", "\ufffd") for n in awkward]
    assert list(frame["Name"]) == shown
    assert list(frame["articles"]) == [f"{n}.txt" for n in shown]
    assert list(frame["mentions"].astype(int)) == [0, 1, 2, 3, 4]
    assert frame["geonameid"].isna().tolist() == [True, False, False, False, False]
    assert [(g.x, g.y) for g in frame.geometry] == [(p.lon, p.lat) for p, _, _ in places]  # shortest repr: exact


def _tiny_result(surface: str, sentence: str) -> GeoparseResult:
    place = Place(id="x", name="Place <b>", lat=1.0, lon=2.0, kind="city", country="AZ")
    mention = Mention(article="a.txt", start=0, end=len(surface), surface=surface, sentence=sentence)
    rm = ResolvedMention(mention, place, "gazetteer", 1.0)
    from nkmap.pipeline import summarise

    return GeoparseResult((Article("a.txt", "a.txt", sentence),), (rm,), summarise([rm]))


def test_formula_like_text_is_inert_in_csv_but_exact_in_geojson(tmp_path):
    result = _tiny_result("=Baku", '=HYPERLINK("http://x") Baku')
    write_outputs(result, tmp_path, formats="csv,geojson")
    with open(tmp_path / "mentions.csv", encoding="utf-8-sig", newline="") as f:
        row = next(csv.DictReader(f))
    assert row["sentence"].startswith("'=HYPERLINK") and row["surface"] == "'=Baku"
    assert gpd.read_file(tmp_path / "mentions.geojson")["surface"].item() == "=Baku"


def test_kml_description_is_escaped_for_google_earth(tmp_path):
    write_outputs(_tiny_result("Baku", "Baku."), tmp_path, formats=["kml"])
    kml = (tmp_path / "places.kml").read_text(encoding="utf-8")
    assert "<b>" not in kml.split("<description>")[1].split("</description>")[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DEFAULT),
        ("all", ALL),
        ("csv,html", ("html", "csv")),
        (" KML , csv ", ("csv", "kml")),
        (["geojson"], ("geojson",)),
    ],
)
def test_parse_formats(value, expected):
    assert parse_formats(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("pdf", "formats: unknown format 'pdf'; choose from html"),
        ("html,jpg,pdf", "unknown format 'jpg', 'pdf'"),
        (",", "formats: no format given"),
    ],
)
def test_bad_formats_are_input_errors(value, message):
    with pytest.raises(nkmap.InputError, match=re.escape(message)):
        parse_formats(value)


def test_formats_pick_the_files_in_api_and_cli(tmp_path):
    api = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "api", formats=["csv", "kml"])
    assert {p.name for p in api.files} == {"mentions.csv", "places.csv", "review.csv", "places.kml"}
    assert api.map_path is None
    assert (
        main(
            [
                "build",
                str(ARTICLES),
                "--gazetteer",
                str(GAZETTEER),
                "--out",
                str(tmp_path / "cli"),
                "--format",
                "csv,kml",
            ]
        )
        == 0
    )
    assert {p.name for p in (tmp_path / "cli").iterdir()} == {p.name for p in api.files}


def test_default_writes_every_format_but_the_static_images(sample_build):
    expected = {name for fmt in DEFAULT for name in FORMATS[fmt]}
    assert "map.png" not in expected and "map.html" in expected and "places.kml" in expected
    assert {p.name for p in sample_build.files} == expected
    assert {p.name for p in sample_build.map_path.parent.iterdir()} == expected  # no temporary files left


def test_bad_format_in_cli_is_exit_2_and_writes_nothing(tmp_path, capsys):
    assert main(["build", str(ARTICLES), "--out", str(tmp_path / "out"), "--format", "html,pdf"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --format: unknown format 'pdf'") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_write_csv_replaces_atomically(tmp_path, sample_result):
    mentions, _ = nkmap.to_geodataframes(sample_result)
    target = tmp_path / "m.csv"
    target.write_text("old", encoding="utf-8")
    write_csv(mentions, target)
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert [p.name for p in tmp_path.iterdir()] == ["m.csv"]


def test_a_set_waits_only_for_its_own_folder(tmp_path):
    """A cache written while the outputs are staged (an index built on the way) is there at once."""
    from nkmap.infra import atomic

    out, cache = tmp_path / "out", tmp_path / "cache"
    out.mkdir()
    cache.mkdir()
    with atomic.replaced_together(out):
        atomic.write_text(out / "map.html", "new")
        atomic.write_text(cache / "index.txt", "built")
        assert (cache / "index.txt").read_text(encoding="utf-8") == "built"
        assert not (out / "map.html").exists()  # waits for the rest of the set
    assert (out / "map.html").read_text(encoding="utf-8") == "new"


def test_no_geonames_builds_no_geonames_index_for_any_output(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    from nkmap.sources import geonames

    def refuse(*args, **kwargs):
        raise AssertionError("an output loaded the GeoNames index")

    monkeypatch.setattr(geonames, "load_geonames", refuse)
    report = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "out", geonames=False, formats="all")
    assert report.map_path is not None and report.map_path.stat().st_size > 0
