"""Resolution in three parts: features of a candidate, a scorer whose weights are data, a policy with reasons."""

from __future__ import annotations

import dataclasses
import math

import pytest

import nkmap
from nkmap.datafiles import packaged_json
from nkmap.inputs.articles import article_from_text
from nkmap.model import Cue, Evidence, Mention, Place, Reason
from nkmap.resolve.features import (
    FEATURE_NAMES,
    CandidateFeatures,
    FeatureSettings,
    NameFeatures,
    Neighbourhood,
    candidate_features,
    name_features,
)
from nkmap.resolve.policy import RULES, Policy
from nkmap.resolve.resolver import Resolver
from nkmap.resolve.scorer import LinearScorer, ResolveSettings
from nkmap.sources.base import Names, Tier, keyset

CUES = packaged_json("resolve.json")["cue_strength"]


def town(pid: str, lat: float, lon: float, population: int, country: str = "ZZ", name: str = "Zenda") -> Place:
    return Place(pid, name, lat, lon, kind="town", country=country, population=population, origin="fake")


class Source:
    def __init__(self, tier: Tier, places: dict[str, list[Place]]) -> None:
        self.tier, self.places = tier, places

    def lookup(self, name: str) -> list[Place]:
        return list(self.places.get(name.lower(), ()))

    def names(self) -> Names:
        return Names(folded=keyset(self.places))


def test_feature_definitions_are_fixed():
    anchor = town("anchor", 0.0, 0.0, 0, country="AA")
    near = town("near", 0.0, 1.0, 999_999, country="AA", name="Zenda Lama")
    around = Neighbourhood([anchor], {"AA"}, {"zenda": [near], "other": [town("o", 0.5, 0.5, 10)]})
    f = candidate_features(near, "zenda", around, FeatureSettings(), [anchor])
    assert f.population == pytest.approx(6 / 7)
    assert f.in_country == 1.0
    assert f.near == pytest.approx(math.exp(-111.19 / 400), rel=1e-3)  # one degree of longitude at the equator
    assert f.support == 2  # the settled anchor and the other name's candidate
    assert f.primary_name == 0.0  # "Zenda" is an alternate name of "Zenda Lama"
    assert f.population_count == 999_999
    assert set(FEATURE_NAMES) <= {f.name for f in dataclasses.fields(CandidateFeatures)}


def test_support_is_capped_and_far_places_are_not_near():
    far = town("far", 50.0, 50.0, 10)
    crowd = {f"n{i}": [town(f"c{i}", 50.2, 50.2, 10)] for i in range(6)}
    f = candidate_features(far, "zenda", Neighbourhood([], (), crowd), FeatureSettings(), [town("x", -40, -60, 0)])
    assert f.support == 3 and f.near < 1e-10 and f.in_country == 0.0


def mention(cue: Cue, word: str = "") -> Mention:
    return Mention("t.txt", 0, 5, "Zenda", "Zenda.", evidence=Evidence(cue, word))


@pytest.mark.parametrize(
    ("cues", "evidence", "doubt"),
    [
        ([Cue.IN_NAME, Cue.IN_NAME], 0.0, Cue.IN_NAME),
        ([Cue.IN_NAME, Cue.SENTENCE_OPENER], 0.0, Cue.SENTENCE_OPENER),
        ([Cue.SENTENCE_OPENER, Cue.WEAK_WORD], 0.5, None),
        ([Cue.NONE, Cue.PLACE_WORD], 1.0, None),
        ([Cue.DATELINE], 1.0, None),
    ],
)
def test_name_features_take_the_strongest_cue_and_doubt_only_when_every_mention_doubts(cues, evidence, doubt):
    assert name_features([mention(c) for c in cues], CUES) == NameFeatures(evidence, doubt)


def test_scorer_weights_are_data_and_change_the_ranking():
    data = packaged_json("resolve.json")
    default = LinearScorer.from_data(data)
    big_far = CandidateFeatures(
        population=0.9, in_country=0.0, near=0.0, support=0, primary_name=1.0, population_count=1
    )
    small_near = CandidateFeatures(0.3, 1.0, 0.9, 1, 1.0, 1)
    assert default.score(small_near) > default.score(big_far)
    population_only = LinearScorer.from_data({**data, "score": {"population": 1.0}})
    assert population_only.score(big_far) > population_only.score(small_near)
    with pytest.raises(ValueError, match="unknown features \\['size'\\]"):
        LinearScorer.from_data({**data, "score": {"size": 1.0}})


def test_a_swapped_scorer_decides_the_namesake():
    home = town("home", 40.0, 45.0, 500, country="AA")
    abroad = town("abroad", -30.0, 140.0, 900_000, country="BB")
    sources = [Source(Tier.GEONAMES, {"zenda": [abroad, home]})]
    text = "Shelling hit the village of Zenda again."

    class NearestFirst:
        def score(self, features):
            return features.population_count == 500

        def confidence(self, features, name, big, margin):
            return 0.42

    default = nkmap.geoparse([article_from_text("t.txt", text)], sources=sources)
    swapped = nkmap.geoparse(
        [article_from_text("t.txt", text)], sources=sources, resolver=Resolver(sources, scorer=NearestFirst())
    )
    assert default.mentions[0].place == abroad
    assert (swapped.mentions[0].place, swapped.mentions[0].confidence) == (home, 0.42)


def test_every_policy_rule_has_a_reason_and_a_case():
    assert all(isinstance(r.reason, Reason) and r.case for r in RULES)
    limits = ResolveSettings.default().policy
    policy = Policy(limits)
    small = CandidateFeatures(0.3, 0.0, 0.0, 0, 1.0, 200)
    big = dataclasses.replace(small, population_count=2_000_000)
    plain, doubt_name = NameFeatures(0.0, None), NameFeatures(0.0, Cue.IN_NAME)
    cases = [
        (policy.judge(plain, None, False), False, Reason.NOT_IN_SOURCES, True),
        (policy.judge(NameFeatures(0.0, Cue.SENTENCE_OPENER), None, False), False, Reason.NOT_IN_SOURCES, False),
        (policy.judge(doubt_name, big, False), False, Reason.IN_NAME, False),
        (policy.judge(NameFeatures(0.0, Cue.SENTENCE_OPENER), big, False), True, Reason.SENTENCE_OPENER, True),
        (policy.judge(plain, small, True), False, Reason.FOREIGN_NAMESAKE, True),
        (policy.judge(plain, big, True), True, Reason.FOREIGN_NAMESAKE, True),
        (policy.judge(plain, small, False), False, Reason.NO_EVIDENCE, True),
        (policy.judge(NameFeatures(1.0, None), small, False), True, Reason.NO_EVIDENCE, True),
    ]
    for verdict, accepted, reason, kept in cases:
        assert (verdict.accepted, verdict.reason, verdict.kept) == (accepted, reason, kept)


def test_rejected_candidates_become_dropped_with_their_scores():
    small_abroad = town("abroad", -30.0, 140.0, 300, country="BB")
    curated = Source(Tier.CURATED, {"ruritania": [Place("ru", "Ruritania", 45.0, 15.0, kind="country", country="RR")]})
    weak = Source(Tier.GEONAMES, {"zenda": [small_abroad]})
    result = nkmap.geoparse(
        [article_from_text("t.txt", "Ruritania said talks with Zenda failed. Ruritania and Zenda disagree.")],
        sources=[curated, weak],
    )
    zendas = [rm for rm in result.mentions if rm.mention.surface == "Zenda"]
    assert [rm.place for rm in zendas] == [None, None]  # kept, unresolved, as before
    assert [d.mention for d in result.dropped] == [rm.mention for rm in zendas]
    assert {(d.reason, d.kept) for d in result.dropped} == {(Reason.FOREIGN_NAMESAKE, True)}
    (place, score), *_ = result.dropped[0].candidates
    assert place == small_abroad and 0 < score < 1


def test_capital_contained_and_country_only_features():
    anchor = town("anchor", 0.0, 0.0, 0, country="AA")
    capital = town("cap", 30.0, 30.0, 50_000, country="BB", name="Zenda")
    village = town("vil", 5.0, 5.0, 50, country="AA")
    around = Neighbourhood([anchor], {"AA"}, {"zenda": [capital, village]})
    bb = Place("bb", "Beebee", 31.0, 31.0, kind="country", country="BB")
    settings = FeatureSettings()
    cap = candidate_features(capital, "zenda", around, settings, [anchor], {"BB": "zenda"}, [bb])
    vil = candidate_features(village, "zenda", around, settings, [anchor], {"BB": "zenda"}, [bb])
    assert (cap.capital, cap.contained, cap.country_only) == (1.0, 1.0, 0.0)
    assert (vil.capital, vil.contained, vil.country_only) == (0.0, -1.0, 1.0)  # AA is named, nothing near
    assert candidate_features(village, "zenda", around, settings, [anchor]).contained == 0.0


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("Shelling hit the Zenda area of Ruritania.", [("Zenda", "Ruritania")]),
        ("Refugees reached Zenda, Ruritania, at dawn.", [("Zenda", "Ruritania")]),
        ("Talks in Zenda di Ruritania.", [("Zenda", "Ruritania")]),
        ("Shelling hit Zenda, Strelsau and Ruritania.", []),  # a list puts nothing in anything
        ("Shelling hit Zenda, Strelsau, Ruritania.", []),
        ("Zenda was quiet; Ruritania was not.", []),
    ],
)
def test_container_mentions_read_the_text_between_two_names(text, pairs):
    import re

    from nkmap.resolve.features import container_mentions

    mentions = [
        Mention("t.txt", m.start(), m.end(), m.group(), text) for m in re.finditer(r"Zenda|Strelsau|Ruritania", text)
    ]
    found = container_mentions(text, mentions)
    assert [(mentions[i].surface, c.surface) for i, c in found.items()] == pairs


def test_confidently_placed_names_anchor_the_others():
    """The article's own geography outweighs a distant population prior: a name placed with a place word
    pulls a namesake-rich name next to it, though a larger namesake lies far away."""
    home = town("home", -8.0, 114.0, 20_000, name="Strelsau")  # ~220 km away: near, but no neighbour
    near = town("near", -8.1, 112.2, 3_000, name="Zenda")
    far = town("far", 52.0, 10.0, 90_000, name="Zenda")
    sources = [Source(Tier.GEONAMES, {"strelsau": [home], "zenda": [far, near]})]

    def zenda(text):
        result = nkmap.geoparse([article_from_text("t.txt", text)], sources=sources)
        return next(rm.place for rm in result.mentions if rm.mention.surface == "Zenda")

    assert zenda("Ash fell on the town of Zenda.") == far
    assert zenda("Ash fell on the town of Strelsau. Later it reached the town of Zenda too.") == near


def test_countries_of_confidently_placed_names_count_as_named():
    """An article whose places are all in one country, though it never names it: a namesake far abroad
    is a foreign namesake there, reported rather than mapped across the world."""
    a = town("a", -3.0, 115.0, 20_000, country="RR", name="Strelsau")
    b = town("b", -3.2, 115.1, 9_000, country="RR", name="Hentzau")
    abroad = town("abroad", 25.0, -80.0, 80_000, country="PP", name="Tarlenheim")
    sources = [Source(Tier.GEONAMES, {"strelsau": [a], "hentzau": [b], "tarlenheim": [abroad]})]
    text = "Floods hit the town of Strelsau and the town of Hentzau. Help came from the town of Tarlenheim."
    result = nkmap.geoparse([article_from_text("t.txt", text)], sources=sources)
    placed = {rm.mention.surface: rm.place for rm in result.mentions}
    assert placed["Strelsau"] == a and placed["Hentzau"] == b and placed["Tarlenheim"] is None
    assert [(d.mention.surface, d.reason) for d in result.dropped] == [("Tarlenheim", Reason.FOREIGN_NAMESAKE)]
    alone = nkmap.geoparse([article_from_text("t.txt", "Help came from the town of Tarlenheim.")], sources=sources)
    assert alone.mentions[0].place == abroad  # with nothing else in the article, the place word suffices
