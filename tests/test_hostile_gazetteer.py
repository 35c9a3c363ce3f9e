"""Broken gazetteers through the CLI: exit 2, one line naming file, feature, id, field and fix; nothing written."""

from __future__ import annotations

import copy
import json

import pytest

import nkmap
from nkmap.sources.gazetteer import misplaced, parse_gazetteer

from .conftest import ARTICLES, GOOD, run_nkmap

BAKU = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [49.8920, 40.3777]},
    "properties": {"id": "baku", "name": "Baku", "aliases": ["Bakı"], "kind": "city", "country": "AZ"},
}


def feature(base=GOOD, geometry=..., **props):
    f = copy.deepcopy(base)
    if geometry is not ...:
        if geometry is KeyError:
            del f["geometry"]
        else:
            f["geometry"] = geometry
    for key, value in props.items():
        if value is KeyError:
            del f["properties"][key]
        else:
            f["properties"][key] = value
    return f


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": [BAKU, *features]}, ensure_ascii=False)


F1 = "feature 1 (id 'stepanakert')"
CASES = {
    "not JSON": (
        '{"type": "FeatureCollection",\n "features": [}',
        "line 2, column 15: not valid JSON: Expecting value",
    ),
    "trailing comma": (
        '{"type": "FeatureCollection", "features": [\n{"type": "Feature"},\n]}',
        "line 3, column 1: not valid JSON: Expecting value",
    ),
    "not UTF-8": (
        b'{"type": "FeatureCollection", "features": [], "x": "\xe9"}',
        "byte 52: not UTF-8 text; save the gazetteer as UTF-8",
    ),
    "nested too deep": ("[" * 100_000 + "]" * 100_000, "not usable JSON: nested too deeply"),
    "5000-digit number": (
        '{"type": "FeatureCollection", "features": [], "n": ' + "9" * 5000 + "}",
        "not usable JSON: Exceeds the limit (4300 digits) for integer string conversion: "
        "value has 5000 digits; use sys.set_int_max_str_digits() to increase the limit",
    ),
    "a list": ("[]", 'top level: not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})'),
    "a Feature": (
        json.dumps(GOOD),
        'top level: not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})',
    ),
    "features not a list": (
        '{"type": "FeatureCollection", "features": {}}',
        "field 'features': must be a list of Point features",
    ),
    "feature not an object": (collection([46.7, 39.8]), 'feature 1: not a GeoJSON Feature ({"type": "Feature", ...})'),
    "no properties": (
        collection({"type": "Feature", "geometry": GOOD["geometry"]}),
        "feature 1, field 'properties': missing; give at least id and name",
    ),
    "no geometry": (
        collection(feature(geometry=KeyError)),
        f"{F1}, field 'geometry': missing; give a Point geometry with [longitude, latitude]",
    ),
    "null geometry": (
        collection(feature(geometry=None)),
        f"{F1}, field 'geometry': missing; give a Point geometry with [longitude, latitude]",
    ),
    "Polygon": (
        collection(feature(geometry={"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})),
        f"{F1}, field 'geometry': is a 'Polygon', not a 'Point'; give one Point at [longitude, latitude] "
        "(for an area, a point inside it)",
    ),
    "latitude 95": (
        collection(feature(geometry={"type": "Point", "coordinates": [46.7, 95.0]})),
        f"{F1}, field 'coordinates': latitude 95.0 is outside [-90, 90] (GeoJSON order is [longitude, latitude])",
    ),
    "longitude -200": (
        collection(feature(geometry={"type": "Point", "coordinates": [-200, 39.8]})),
        f"{F1}, field 'coordinates': longitude -200 is outside [-180, 180]",
    ),
    "NaN": (
        collection(feature(geometry={"type": "Point", "coordinates": [float("nan"), 39.8]})),
        f"{F1}, field 'coordinates': must be finite numbers [longitude, latitude]",
    ),
    "1e999": (
        collection(feature()).replace("46.7528", "1e999"),
        f"{F1}, field 'coordinates': must be finite numbers [longitude, latitude]",
    ),
    "strings": (
        collection(feature(geometry={"type": "Point", "coordinates": ["46.7", "39.8"]})),
        f"{F1}, field 'coordinates': must be [longitude, latitude] as numbers",
    ),
    "one number": (
        collection(feature(geometry={"type": "Point", "coordinates": [46.7]})),
        f"{F1}, field 'coordinates': must be [longitude, latitude] as numbers",
    ),
    "no name": (
        collection(feature(name=KeyError)),
        f"{F1}, field 'name': missing or empty; give the place's English name",
    ),
    "empty name": (
        collection(feature(name=" \t")),
        f"{F1}, field 'name': missing or empty; give the place's English name",
    ),
    "name a number": (
        collection(feature(name=7)),
        f"{F1}, field 'name': 7 is not a string; give the place's English name",
    ),
    "name punctuation": (
        collection(feature(name="--")),
        f"{F1}, field 'name': '--' has no letters or digits; give the place's English name",
    ),
    "no id": (
        collection(feature(id=KeyError)),
        "feature 1, field 'id': must be a slug of lower-case letters, digits and hyphens, e.g. 'stepanakert'",
    ),
    "id with newline": (
        collection(feature(id="stepanakert\n")),
        "feature 1 (id 'stepanakert\\n'), field 'id': must be a slug of lower-case letters, digits "
        "and hyphens, e.g. 'stepanakert'",
    ),
    "duplicate id": (
        collection(feature(id="baku", name="Other Baku", aliases=[])),
        "feature 1 (id 'baku'), field 'id': duplicate of feature 0; give each place its own id",
    ),
    "alias shared": (
        collection(feature(aliases=["BAKI"])),
        f"{F1}, field 'aliases': name 'baki' is also used by feature 0 (id 'baku'); remove it from "
        'one, or mark both places "shared_name": true',
    ),
    "alias shared, one marked": (
        collection(feature(aliases=["Baku"], shared_name=True)),
        f"{F1}, field 'aliases': name 'baku' is also used by feature 0 (id 'baku'); remove "
        'it from one, or mark both places "shared_name": true',
    ),
    "alias a number": (
        collection(feature(aliases=["Khankendi", 7])),
        f"{F1}, field 'aliases', item 1: 7 is not a string; quote it",
    ),
    "alias null": (
        collection(feature(aliases=[None])),
        f"{F1}, field 'aliases', item 0: None is not a string; quote it",
    ),
    "alias empty": (
        collection(feature(aliases=[""])),
        f"{F1}, field 'aliases', item 0: '' has no letters or digits; remove it",
    ),
    "aliases a string": (
        collection(feature(aliases="Khankendi")),
        f"{F1}, field 'aliases': must be a list of strings such as [\"Khankendi\"], not str 'Khankendi'",
    ),
    "country a name": (
        collection(feature(country="Azerbaijan")),
        f"{F1}, field 'country': 'Azerbaijan' is not an ISO 3166-1 alpha-2 code such as 'AZ'",
    ),
    "shared_name a string": (
        collection(feature(shared_name="yes")),
        f"{F1}, field 'shared_name': must be true or false",
    ),
}
PREVIOUS = {
    "map.html": "<!doctype html><title>previous</title>",
    "mentions.geojson": '{"previous": 1}',
    "places.geojson": '{"previous": 2}',
}


def cli(*args):
    return run_nkmap(*args)


@pytest.mark.slow  # a process per case: the same messages are checked in-process above
@pytest.mark.parametrize("case", list(CASES))
def test_bad_gazetteer_through_the_cli(tmp_path, case):
    text, problem = CASES[case]
    bad = tmp_path / "bad.geojson"
    bad.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    out = tmp_path / "out"
    if list(CASES).index(case) % 2:  # half the cases: an earlier build's files must stay untouched
        out.mkdir()
        for name, content in PREVIOUS.items():
            (out / name).write_text(content, encoding="utf-8")
    done = cli("build", ARTICLES, "--gazetteer", bad, "--out", out)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [f"Error: {bad}: {problem}"]
    if out.exists():
        assert {p.name: p.read_text(encoding="utf-8") for p in out.iterdir()} == PREVIOUS
    else:
        assert not out.exists()


@pytest.mark.parametrize(
    "make",
    [
        lambda d: d / "missing.geojson",
        lambda d: d,  # a folder
    ],
)
def test_unreadable_gazetteer_path_is_one_line(tmp_path, make):
    path = make(tmp_path)
    done = cli("build", ARTICLES, "--gazetteer", path, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and done.stderr.startswith(f"Error: {path}: ")
    assert not (tmp_path / "out").exists()


def test_utf8_bom_and_nan_free_round_trip(tmp_path):
    path = tmp_path / "g.geojson"
    path.write_bytes(b"\xef\xbb\xbf" + collection(GOOD).encode("utf-8"))
    assert [p.id for p in nkmap.load_gazetteer(path).places] == ["baku", "stepanakert"]


def test_marked_shared_names_are_allowed():
    twin = feature(id="stepanakert-2", name="Stepanakert Two", aliases=["Khankendi"], shared_name=True)
    g = parse_gazetteer(collection(feature(shared_name=True), twin))
    assert [p.id for p in g.lookup("khankendi")] == ["stepanakert", "stepanakert-2"]


def square(code, lon0, lat0, lon1, lat1):
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Feature", "properties": {"iso_a2": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


@pytest.fixture()
def basemap(tmp_path):
    path = tmp_path / "countries.geojson"
    countries = [square("AZ", 44.7, 38.3, 50.9, 41.9), square("RU", 27, 50, 60, 70), square("-99", 0, 0, 1, 1)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": countries}), encoding="utf-8")
    return path


def test_swapped_or_misplaced_coordinates_are_warnings(basemap):
    swapped = feature(geometry={"type": "Point", "coordinates": [39.8177, 46.7528]})  # in Russia's square
    elsewhere = feature(BAKU, geometry={"type": "Point", "coordinates": [10.0, 10.0]})
    at_sea = feature(
        id="nowhere", name="Nowhere", aliases=[], country="", geometry={"type": "Point", "coordinates": [-30.0, 45.0]}
    )  # at sea, and so is [45, -30]
    g = parse_gazetteer(
        json.dumps({"type": "FeatureCollection", "features": [elsewhere, swapped, at_sea]}), "g.geojson"
    )
    assert misplaced(g, basemap) == [
        "g.geojson: feature 0 (id 'baku'), field 'coordinates': [10, 10] lies outside its country 'AZ'; check the "
        "coordinates (GeoJSON order is [longitude, latitude]) and the country code",
        "g.geojson: feature 1 (id 'stepanakert'), field 'coordinates': [39.8177, 46.7528] lies outside its country "
        "'AZ', but [46.7528, 39.8177] lies inside: latitude and longitude look swapped (GeoJSON order is "
        "[longitude, latitude])",
    ]
    at_sea_swapped = feature(at_sea, geometry={"type": "Point", "coordinates": [39.0, 46.0]})  # [46, 39] is in AZ
    g = parse_gazetteer(json.dumps({"type": "FeatureCollection", "features": [at_sea_swapped]}), "g.geojson")
    assert misplaced(g, basemap) == [
        "g.geojson: feature 0 (id 'nowhere'), field 'coordinates': [39, 46] lies outside any country (in the sea), "
        "but [46, 39] lies inside: latitude and longitude look swapped (GeoJSON order is [longitude, latitude])"
    ]


def test_correct_places_and_unknown_countries_raise_no_warning(basemap):
    g = parse_gazetteer(
        collection(
            GOOD,
            feature(
                id="x", name="Xland", aliases=[], country="ZZ", geometry={"type": "Point", "coordinates": [-30.0, 45.0]}
            ),
        )
    )
    assert misplaced(g, basemap) == []
    assert misplaced(g, basemap.parent / "none.geojson") == []


def test_packaged_gazetteer_has_no_misplaced_place(gazetteer):
    if not nkmap.sources.gazetteer.DEFAULT_BASEMAP.is_file():
        pytest.skip("data/basemap/countries.geojson not built yet")
    assert misplaced(gazetteer) == []
