"""The curated gazetteer: validation messages, lookups, stable atomic saves."""

from __future__ import annotations

import copy
import json

import pytest

import nkmap
from nkmap.sources.gazetteer import parse_gazetteer

from .conftest import GOOD


def collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def bad(**changes):
    feature = copy.deepcopy(GOOD)
    for dotted, value in changes.items():
        target = feature
        *parents, last = dotted.split("__")
        for key in parents:
            target = target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value
    return feature


@pytest.mark.parametrize(
    ("feature", "message"),
    [
        (
            bad(geometry={"type": "LineString", "coordinates": [[0, 0], [1, 1]]}),
            "g.geojson: feature 1 (id 'stepanakert'), field 'geometry': is a 'LineString', not a 'Point'; give one "
            "Point at [longitude, latitude] (for an area, a point inside it)",
        ),
        (
            bad(geometry=KeyError),
            "g.geojson: feature 1 (id 'stepanakert'), field 'geometry': missing; give a Point geometry with [longitude, latitude]",
        ),
        (
            bad(geometry__coordinates=[46.7, 95.0]),
            "g.geojson: feature 1 (id 'stepanakert'), field 'coordinates': latitude 95.0 is outside [-90, 90] "
            "(GeoJSON order is [longitude, latitude])",
        ),
        (
            bad(geometry__coordinates=[200, 39.8]),
            "g.geojson: feature 1 (id 'stepanakert'), field 'coordinates': longitude 200 is outside [-180, 180]",
        ),
        (
            bad(geometry__coordinates=["46.7", 39.8]),
            "g.geojson: feature 1 (id 'stepanakert'), field 'coordinates': must be [longitude, latitude] as numbers",
        ),
        (
            bad(properties__name=KeyError),
            "g.geojson: feature 1 (id 'stepanakert'), field 'name': missing or empty; give the place's English name",
        ),
        (
            bad(properties__name="  "),
            "g.geojson: feature 1 (id 'stepanakert'), field 'name': missing or empty; give the place's English name",
        ),
        (
            bad(properties__id="Step anakert"),
            "g.geojson: feature 1 (id 'Step anakert'), field 'id': must be a slug of lower-case letters, digits and "
            "hyphens, e.g. 'stepanakert'",
        ),
        (
            bad(properties__aliases=["Khankendi", 7]),
            "g.geojson: feature 1 (id 'stepanakert'), field 'aliases', item 1: 7 is not a string; quote it",
        ),
        (
            bad(properties__country="Azerbaijan"),
            "g.geojson: feature 1 (id 'stepanakert'), field 'country': 'Azerbaijan' is not an ISO 3166-1 alpha-2 code "
            "such as 'AZ'",
        ),
        (
            bad(properties__population=-5),
            "g.geojson: feature 1 (id 'stepanakert'), field 'population': -5 is not a whole number >= 0",
        ),
    ],
)
def test_bad_features_are_rejected_with_their_index_and_field(feature, message):
    other = bad(properties__id="baku", properties__name="Baku", properties__aliases=[])
    with pytest.raises(nkmap.InputError) as caught:
        parse_gazetteer(collection(other, feature), "g.geojson")
    assert str(caught.value) == message


def test_duplicate_id_is_rejected():
    with pytest.raises(nkmap.InputError, match=r"feature 1 \(id 'stepanakert'\), field 'id': duplicate of feature 0"):
        parse_gazetteer(collection(GOOD, GOOD), "g.geojson")


def test_alias_shared_by_two_places_needs_both_marked():
    twin = bad(properties__id="khankendi-2", properties__name="Other")
    with pytest.raises(nkmap.InputError, match="name 'khankendi' is also used by feature 0"):
        parse_gazetteer(collection(GOOD, twin))
    marked = [bad(properties__shared_name=True), bad(properties__id="khankendi-2", properties__shared_name=True)]
    assert len(parse_gazetteer(collection(*marked)).lookup("Khankendi")) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "g.geojson: line 1, column 2: not valid JSON"),
        ('{"type": "Feature"}', "g.geojson: top level: not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": {}}', "g.geojson: field 'features': must be a list"),
    ],
)
def test_bad_files_are_rejected(text, message):
    with pytest.raises(nkmap.InputError, match=message):
        parse_gazetteer(text, "g.geojson")


def test_missing_file_names_the_option(tmp_path):
    with pytest.raises(nkmap.InputError, match="no such file"):
        nkmap.load_gazetteer(tmp_path / "none.geojson")


def test_lookup_folds_case_accents_and_hyphens(gazetteer):
    assert [p.id for p in gazetteer.lookup("MOSKWA")] == ["moscow"]
    assert [p.id for p in gazetteer.lookup("Şuşa")] == ["shushi"]
    assert [p.id for p in gazetteer.lookup("nagorno karabakh")] == ["nagorno-karabakh"]
    assert [p.id for p in gazetteer.lookup("AS")] == ["united-states"]
    assert gazetteer.lookup("as") == []  # the word, not the abbreviation


def test_packaged_gazetteer_has_sources_and_stable_order(gazetteer):
    ids = [p.id for p in gazetteer.places]
    assert ids == sorted(ids)
    assert all(p.source for p in gazetteer.places)
    text = nkmap.DEFAULT_GAZETTEER.read_text(encoding="utf-8")
    assert gazetteer.to_geojson() == text  # saving rewrites it byte for byte: diffs stay small
    assert len(text.splitlines()) == len(gazetteer) + 2  # one feature per line


def test_save_is_atomic_and_round_trips(tmp_path, gazetteer):
    path = tmp_path / "g.geojson"
    gazetteer.save(path)
    again = nkmap.load_gazetteer(path)
    assert again.places == gazetteer.places
    assert [p.name for p in tmp_path.iterdir()] == ["g.geojson"]  # no temporary file left behind
