"""Near-miss spellings of curated and country names (rapidfuzz), guarded against ordinary words."""

from __future__ import annotations

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.sources.nearmiss import NearMissNames


@pytest.fixture(scope="module")
def sources(gazetteer):
    from nkmap.pipeline import default_sources

    return default_sources(gazetteer)


@pytest.fixture(scope="module")
def nearmiss(sources):
    (found,) = [s for s in sources if isinstance(s, NearMissNames)]
    return found


@pytest.mark.parametrize(
    ("typo", "name"), [("pakistn", "pakistan"), ("indonesa", "indonesia"), ("stepanakrt", "stepanakert")]
)
def test_one_edit_from_one_known_name(nearmiss, typo, name):
    assert nearmiss._keys.target(typo) == name


@pytest.mark.parametrize("word", ["armenian", "jakarta", "russia", "window", "station", "lourdes", "qwertyu"])
def test_known_names_adjectives_ordinary_and_unrelated_words_are_no_near_misses(nearmiss, word):
    assert nearmiss._keys.target(word) is None


def test_a_misspelt_country_reaches_the_country(sources):
    result = nkmap.geoparse(
        [article_from_text("t.txt", "Delegasi dari Pakistn tiba di Jakarta kemarin.")], sources=sources
    )
    found = {rm.mention.surface: rm.place for rm in result.mentions}
    assert found["Pakistn"] is not None and found["Pakistn"].country == "PK"


def test_each_guard_rejects_on_its_own_whatever_the_order_of_the_tests():
    """On names of our own: the checks run cheapest first, and each still decides alone."""
    from nkmap.sources.base import keyset
    from nkmap.sources.nearmiss import _NearMissKeys

    keys = _NearMissKeys([keyset(["windaw", "vrendoria", "kastelora", "kastelura"]), keyset(["kolvan"])])
    assert keys.target("windew") == "windaw" and keys.target("vrendria") == "vrendoria"
    assert keys.target("window") is None  # one edit from one name, but a common English word
    assert keys.target("kastelira") is None  # one edit from two names
    assert keys.target("vrendoria") is None  # a name itself: no near miss of itself
    assert keys.target("kolvann") is None  # a name with a letter added: an adjective of it, not a near miss
    assert keys.target("vrendorix") is None and keys.target("windaw".upper()) is None  # other last letter; not folded
    assert keys.target("qwertyuiop") is None and keys.target("wind") is None  # no name near; too short
    assert "windew" in keys and "window" not in keys
