"""The resolver's and the role tagger's shortcuts give what the plain computation gives, to the last bit.

Distances are kept across articles (:class:`~nkmap.resolve.features.KmStore`), a weak name's choice is
remembered by what it depends on (``Resolver._choose_known``), and ``tag_roles`` skips a name whose
preceding token no rule reads: each is checked here against the path it shortcuts, on the sample corpus
and on texts written for these tests.
"""

from __future__ import annotations

import math
import random

import pytest

import nkmap
from nkmap import roles
from nkmap.model import Article, Place
from nkmap.pipeline import ScanRecognizer, default_sources
from nkmap.resolve.features import Distances, KmStore, _point, km
from nkmap.resolve.policy import Policy
from nkmap.resolve.resolver import Resolver
from nkmap.roles import tag_roles

# Texts written for these tests: GeoNames-only names near each other and repeated across articles, so
# that choices are remembered in one article and met again in the next.
TEXTS = [
    "Banjir melanda Dayeuhkolot dan Baleendah di Kabupaten Bandung. Warga Majalaya mengungsi ke Soreang.",
    "Warga Baleendah dan Majalaya kembali ke rumah. Jalan ke Soreang dan Cicalengka dibuka lagi.",
    "Heavy rain flooded Sukkur in Sindh. Residents of Larkana and Jacobabad moved near Shikarpur.",
    "Officials in Larkana said Jacobabad and Sukkur were cut off, while Karachi sent boats to Shikarpur.",
    "Fighting was reported near Tartar and Barda, while Ganja came under fire. Baku blamed Yerevan.",
    "Ganja and Barda, Azerbaijan, were shelled again; in Tartar residents said Mingachevir was quiet.",
]


def place(i: int, lat: float, lon: float) -> Place:
    return Place(id=f"p{i}", name=f"P{i}", lat=lat, lon=lon, kind="town")


def test_kept_distances_are_each_articles_own_table_bit_for_bit_also_when_the_store_starts_over():
    rng = random.Random(7)
    places = [place(i, rng.uniform(-90, 90), rng.uniform(-180, 180)) for i in range(120)]
    places += [place(500 + i, rng.uniform(-3, 3), rng.uniform(100, 106)) for i in range(60)]
    store = KmStore(max_cells=2_000)  # small: the tables of this test make it start over again and again
    for _ in range(40):
        rows = rng.sample(places, rng.randint(1, 50))
        points = [_point(p) for p in rows]
        own = Distances(rows)  # an article's own table, as the resolver computed it before distances were kept
        handle = store.rows(points)
        for _ in range(3):  # one article asks for several lists of anchors
            anchors = rng.sample(places, rng.randint(1, 30))
            want = own.table(anchors)[own.rows(rows)]
            for got in (
                store.table(handle, [_point(a) for a in anchors]),
                store.table(points, [_point(a) for a in anchors]),
            ):
                assert got.tolist() == want.tolist()
            assert want.min(axis=1).tolist() == own.nearest(rows, anchors)
    assert store._generation > 3  # it did start over


def test_kept_distances_ask_geopy_for_coordinates_it_normalises():
    far, near = place(900, 10.0, 190.0), place(901, 10.0, -170.0)
    got = KmStore().table([_point(far), _point(near)], [_point(near), _point(place(902, 5.0, 5.0))])
    assert got[0].tolist() == [km(10.0, 190.0, 10.0, -170.0), km(10.0, 190.0, 5.0, 5.0)]
    assert got[1, 0] == 0.0 and math.isclose(got[0, 0], 0.0, abs_tol=1e-6)


class PlainPolicy(Policy):
    """The default policy, as a subclass: the resolver then takes its plain path (no remembered choices)."""


def plain_resolver(sources) -> Resolver:
    resolver = Resolver(sources)
    return Resolver(sources, policy=PlainPolicy(resolver.settings.policy))


def dump(resolution) -> list[tuple]:
    out = [
        (rm.mention.start, rm.mention.surface, rm.place.id if rm.place else None, rm.method, rm.confidence)
        for rm in resolution.mentions
    ]
    out += [
        (d.mention.start, d.mention.surface, str(d.reason), [(p.id, s) for p, s in d.candidates], d.kept)
        for d in resolution.dropped
    ]
    return out


@pytest.mark.slow
def test_remembered_choices_are_the_plain_paths_choices(sample_articles, gazetteer):
    sources = default_sources(gazetteer)
    recognize = ScanRecognizer(sources)
    articles = [*sample_articles, *(Article(f"t{i}.txt", f"t{i}.txt", t) for i, t in enumerate(TEXTS))]
    articles += articles  # the second time round every choice has been seen
    fast, plain = Resolver(sources), plain_resolver(sources)
    weak = 0
    for article in articles:
        found = recognize.candidates(article)[0]
        got, want = fast(article, found), plain(article, found)
        assert dump(got) == dump(want), article.name
        weak += sum(rm.method in ("geonames", "admin") for rm in got.mentions)
    assert fast._decided and weak > 20  # choices were remembered: the shortcut was taken
    assert len(fast._decided) < sum(1 for _ in articles) * 10


def test_a_name_with_no_telling_token_before_it_gets_the_roles_of_the_full_rules(sample_result, monkeypatch):
    articles = {a.name: a for a in sample_result.articles}
    by_article: dict[str, list] = {}
    for rm in sample_result.mentions:
        by_article.setdefault(rm.mention.article, []).append(rm)
    fast = {name: [rm.role for rm in tag_roles(articles[name], ms)] for name, ms in by_article.items()}
    monkeypatch.setattr(roles, "_telling", lambda words: None)  # every name through every rule
    full = {name: [rm.role for rm in tag_roles(articles[name], ms)] for name, ms in by_article.items()}
    assert fast == full
    assert {r for rs in fast.values() for r in rs} >= {"speaker", "event", ""}


def test_roles_of_written_texts_equal_the_full_rules(monkeypatch):
    texts = [
        "Di Bandung, Soreang dan Majalaya mengatakan banjir surut. Pasukan menyerang kota Sukkur.",
        "Baku mengumumkan gencatan senjata, dan Yerevan menolak. Kapal tiba di Karachi.",
        "The Kremlin urges calm; Armenia and Azerbaijan agreed. Ganja was hit by Armenia.",
    ]
    result = nkmap.geoparse([Article(f"r{i}.txt", f"r{i}.txt", t) for i, t in enumerate(texts)], geonames=False)
    articles = {a.name: a for a in result.articles}
    fast = [
        rm.role
        for a in articles.values()
        for rm in tag_roles(a, [m for m in result.mentions if m.mention.article == a.name])
    ]
    monkeypatch.setattr(roles, "_telling", lambda words: None)
    full = [
        rm.role
        for a in articles.values()
        for rm in tag_roles(a, [m for m in result.mentions if m.mention.article == a.name])
    ]
    assert fast == full and "speaker" in fast and "event" in fast


def test_the_default_rules_as_plain_code_give_the_tables_verdicts():
    """``Policy.judge`` runs the default table as plain code: over every case the rules tell apart, the
    verdict is the one the table's rules, read one by one, give (a copy of the table takes that path)."""
    import dataclasses
    import itertools

    from nkmap.model import Cue
    from nkmap.resolve.features import CandidateFeatures, NameFeatures
    from nkmap.resolve.policy import RULES

    settings = Resolver([]).settings
    limits, scorer = settings.policy, settings.scorer
    fast, table = Policy(limits), Policy(limits, rules=tuple(list(RULES)))
    assert table.rules is not RULES
    names = [NameFeatures(e, d) for e in (0.0, 0.5, 1.0) for d in (None, Cue.IN_NAME, Cue.SENTENCE_OPENER)]
    bests: list[CandidateFeatures | None] = [None]
    for pop, ic, near, sup, contained in itertools.product(
        (0, 999, 1000, 199_999, 200_000), (0.0, 1.0), (0.0, 0.3, 0.31), (0, 1, 2, 3), (-1.0, 0.0, 1.0)
    ):
        bests.append(CandidateFeatures(0.5, ic, near, sup, 1.0, pop, 0.0, contained, 0.0))
    seen = set()
    for name, best, names_countries in itertools.product(names, bests, (False, True)):
        got, want = fast.judge(name, best, names_countries), table.judge(name, best, names_countries)
        assert (got.accepted, got.reason, got.kept) == (want.accepted, want.reason, want.kept), (name, best)
        assert got.rule.case == want.rule.case
        seen.add((want.rule.case, want.accepted))
        if best is not None:  # the same best given as its features' tuple, as the resolver gives it
            values = tuple(getattr(best, f.name) for f in dataclasses.fields(best))
            assert fast.judge_values(name, values, names_countries) is got
            assert table.judge_values(name, values, names_countries).rule is want.rule
            for big, margin in ((False, 0.2), (True, 3.0)):
                want_confidence = scorer.confidence(best, name, big, margin)
                assert scorer.confidence_values(values, name, big, margin) == want_confidence
    assert len(seen) >= 10  # every rule decided some case, most both ways
