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
