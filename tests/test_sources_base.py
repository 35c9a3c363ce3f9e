"""The one source protocol: recognition and resolution read a source's tier and names, nothing else."""

from __future__ import annotations

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.model import Cue, Place, Reason
from nkmap.recognize.scan import NameIndex
from nkmap.sources.base import TIER_RULES, Names, NameSource, SortedKeys, Tier, is_strong, keyset
from nkmap.sources.countries import CountryNames
from nkmap.sources.gazetteer import Gazetteer
from nkmap.sources.geonames import GeoNamesIndex


class FakeSource:
    """A source of a few invented places; its ``origin`` lies on purpose (nothing may read it)."""

    origin = "geonames"

    def __init__(self, tier: Tier, places: dict[str, list[Place]], max_words: int | None = None) -> None:
        self.tier = tier
        self.places = places
        self.max_words = max_words
        self.asked: list[str] = []

    def lookup(self, name: str) -> list[Place]:
        self.asked.append(name)
        return list(self.places.get(name.lower(), ()))

    def names(self) -> Names:
        return Names(folded=keyset(self.places), max_words=self.max_words)


def place(pid: str, name: str, lat: float, lon: float, population: int = 0, country: str = "ZZ") -> Place:
    return Place(pid, name, lat, lon, kind="town", country=country, population=population or None, origin="fake")


ZENDA = place("zenda", "Zenda", 10.0, 20.0, population=300)
PORT_ZENDA = place("port-zenda", "Port Zenda", 10.5, 20.5, population=200)


def mapped(text: str, *sources: NameSource) -> nkmap.GeoparseResult:
    return nkmap.geoparse([article_from_text("t.txt", text)], sources=list(sources))


def test_every_real_source_implements_the_protocol():
    for cls in (Gazetteer, CountryNames, GeoNamesIndex):
        assert isinstance(cls.tier, Tier)
    assert isinstance(Gazetteer([]), NameSource)
    assert set(TIER_RULES) == set(Tier), "every tier says what it means"
    assert [t.name for t in sorted(Tier, reverse=True)] == ["CORRECTION", "CURATED", "COUNTRY", "ADMIN", "GEONAMES"]


def test_a_strong_tier_is_taken_as_found_even_as_a_sentence_opener():
    source = FakeSource(Tier.CURATED, {"zenda": [ZENDA]})
    result = mapped("Zenda opened the talks on Monday.", source)
    assert [(rm.mention.surface, rm.place) for rm in result.mentions] == [("Zenda", ZENDA)]
    assert result.dropped == ()


def test_a_weak_tier_must_earn_its_place_whatever_its_origin_says():
    source = FakeSource(Tier.GEONAMES, {"zenda": [ZENDA]})
    result = mapped("Zenda opened the talks on Monday.", source)
    assert result.mentions == ()
    (dropped,) = result.dropped
    assert dropped.reason is Reason.SENTENCE_OPENER and not dropped.kept
    assert dropped.mention.evidence.cue is Cue.SENTENCE_OPENER
    assert dropped.candidates[0][0] == ZENDA
    # A place word before it is evidence enough for the same weak name.
    (found,) = mapped("Warga mengungsi dari kota Zenda kemarin.", source).mentions
    assert found.place == ZENDA and found.method == "fake"  # the answer says which source placed it
    assert found.mention.evidence.cue is Cue.PLACE_WORD and found.mention.evidence.word == "kota"


def test_weak_multi_word_names_are_found_by_prefix_search_over_any_key_set():
    weak = FakeSource(Tier.GEONAMES, {"port zenda": [PORT_ZENDA]})  # max_words counted from its keys
    index = NameIndex.from_sources(weak)
    assert index.max_words == 2
    (found,) = mapped("Boats reached the village of Port Zenda at dawn.", weak).mentions
    assert found.mention.surface == "Port Zenda" and found.place == PORT_ZENDA


def test_two_weak_sources_are_searched_as_one():
    a = FakeSource(Tier.GEONAMES, {"zenda": [ZENDA]})
    b = FakeSource(Tier.ADMIN, {"port zenda": [PORT_ZENDA]})
    result = mapped("Refugees left the town of Zenda for the port of Port Zenda.", a, b)
    assert [rm.place for rm in result.mentions] == [ZENDA, PORT_ZENDA]


def test_sources_answer_in_the_order_given():
    other = place("zenda-2", "Zenda", -30.0, 140.0)
    first = FakeSource(Tier.CURATED, {"zenda": [ZENDA]})
    second = FakeSource(Tier.CURATED, {"zenda": [other]})
    (rm,) = mapped("Talks in Zenda.", first, second).mentions
    assert rm.place == ZENDA and second.asked == []


def test_tier_rules_are_a_table():
    assert is_strong(Tier.CURATED) and is_strong(Tier.COUNTRY) and is_strong(Tier.CORRECTION)
    assert not is_strong(Tier.GEONAMES) and not is_strong(Tier.ADMIN)


@pytest.mark.parametrize(
    ("keys", "prefix", "expected"),
    [
        (["baku", "bakuriani", "barda", "ganja"], "baku", ["baku", "bakuriani"]),
        (["baku", "barda"], "baku ", []),
        (["nagorno karabakh", "nagorno"], "nagorno ", ["nagorno karabakh"]),
        ([], "", []),
    ],
)
def test_sorted_keys_answer_membership_and_prefixes(keys, prefix, expected):
    ks = SortedKeys(keys)
    assert list(ks.iterkeys(prefix)) == expected
    assert all(k in ks for k in keys) and "nowhere" not in ks


def test_weak_sources_namesakes_are_weighed_together_not_shadowed_by_order():
    strelsau = Place("strelsau", "Strelsau", -3.0, 115.0, kind="city", country="RR", origin="fake")
    far = place("far", "Tarlenheim", 14.0, 121.0, population=2_000, country="PP")
    local = Place("local", "Tarlenheim", -2.5, 115.4, kind="district", country="RR", origin="admin-fake")
    curated = FakeSource(Tier.CURATED, {"strelsau": [strelsau]})
    settlements = FakeSource(Tier.GEONAMES, {"tarlenheim": [far]})
    areas = FakeSource(Tier.ADMIN, {"tarlenheim": [local]})
    result = mapped("Floods hit Strelsau and the district of Tarlenheim.", curated, settlements, areas)
    chosen = {rm.mention.surface: rm for rm in result.mentions}
    assert chosen["Tarlenheim"].place == local and chosen["Tarlenheim"].method == "admin-fake"
    assert settlements.asked and areas.asked
