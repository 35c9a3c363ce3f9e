"""Russian and Ukrainian case forms of place names (pymorphy3)."""

from __future__ import annotations

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.sources.inflected import InflectedNames, dictionary_forms, lemma_keys


@pytest.fixture(scope="module")
def found_in(gazetteer):
    from nkmap.pipeline import default_sources

    sources = default_sources(gazetteer)

    def run(text):
        result = nkmap.geoparse([article_from_text("t.txt", text)], sources=sources)
        return {rm.mention.surface: rm.place for rm in result.mentions}

    return run


def test_dictionary_forms_of_cyrillic_words():
    assert dictionary_forms("киеве")[0] == "киев"
    assert lemma_keys("харькова")[0] == "харьков"
    assert lemma_keys("Kyiv".lower()) == []  # only Cyrillic words are reduced


def test_case_forms_reach_the_places_of_their_dictionary_form(found_in):
    found = found_in("Переговоры в Москве завершились, делегация из Киева вылетела домой, обстрелы Харькова идут.")
    assert found["Москве"].country == "RU" and found["Москве"].population > 1_000_000
    assert found["Киева"].country == "UA" and found["Харькова"].country == "UA"


def test_the_source_answers_only_for_forms_its_sources_do_not_know():
    from nkmap.sources.geonames import load_geonames

    geonames = load_geonames()
    inflected = InflectedNames([geonames])
    keys = inflected.names().folded
    assert "киеве" in keys and "киев" not in keys  # the form as written is the wrapped source's
    assert inflected.lookup("Киеве")[0].country == "UA"
    assert inflected.lookup("Kyiv") == []


def test_only_cyrillic_keys_unknown_to_the_wrapped_sources_are_case_forms():
    keys = InflectedNames([_Fake(["киев", "kiev", "харьков"])]).names().folded
    assert "киеве" in keys and "харькова" in keys
    assert "киев" not in keys and "kiev" not in keys and "kieve" not in keys  # as written; not Cyrillic
    assert "киев kiev" not in keys and 42 not in keys  # a mixed key; not a string


class _Fake:
    """A source of our own names (no GeoNames): only ``names`` is asked by the key set."""

    def __init__(self, keys):
        from nkmap.sources.base import Names, Tier, keyset

        self.tier = Tier.CURATED
        self._names = Names(folded=keyset(keys))

    def names(self):
        return self._names

    def lookup(self, name):
        return []
