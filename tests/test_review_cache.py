"""The per-article result cache: reused when nothing changed, redone exactly where something did."""

from __future__ import annotations

import dataclasses
import signal
import sqlite3
import textwrap

import pytest

import nkmap
from nkmap.infra import resultcache
from nkmap.infra.resultcache import ResultCache, fold
from nkmap.model import Cue, Dropped, Evidence, Mention, Place, Reason, ResolvedMention
from nkmap.names import name_key
from nkmap.pipeline import geoparse
from nkmap.sources.corrections import Correction, Corrections

from .conftest import GAZETTEER, killed_while_committing
from .review_corpus import ARTICLES, VELMORA, write_corpus


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    folder = write_corpus(tmp_path_factory.mktemp("arts"))
    return nkmap.read_articles([folder])


def parse(articles, cache, gazetteer=None, corrections=None):
    g = gazetteer or nkmap.load_gazetteer(GAZETTEER, check_countries=False)
    return geoparse(articles, g, geonames=False, corrections=corrections, cache=cache)


def same(a, b):
    return a.mentions == b.mentions and a.dropped == b.dropped and a.places == b.places


def test_a_second_run_reuses_every_article_and_gives_the_same_result(tmp_path, articles):
    cache = ResultCache(tmp_path / "r.sqlite")
    first = parse(articles, cache)
    assert (cache.hits, cache.misses) == (0, len(articles))
    second = parse(articles, ResultCache(tmp_path / "r.sqlite"))
    assert same(first, second) and same(first, parse(articles, None))


def test_a_changed_article_is_the_only_one_redone(tmp_path, articles):
    parse(articles, ResultCache(tmp_path / "r.sqlite"))
    changed = [dataclasses.replace(articles[0], text=articles[0].text + "\nMore from Goris.\n"), *articles[1:]]
    cache = ResultCache(tmp_path / "r.sqlite")
    result = parse(changed, cache)
    assert (cache.hits, cache.misses) == (len(articles) - 1, 1)
    assert same(result, parse(changed, None))
    retitled = [dataclasses.replace(articles[0], title="Another title"), *articles[1:]]  # metadata counts too
    cache = ResultCache(tmp_path / "r.sqlite")
    parse(retitled, cache)
    assert cache.misses == 1


def test_a_correction_redoes_only_the_articles_that_write_its_name(tmp_path, articles):
    gazetteer = nkmap.load_gazetteer(GAZETTEER, check_countries=False)
    parse(articles, ResultCache(tmp_path / "r.sqlite"), gazetteer)
    for correction in (
        Correction("not-a-place", "GORIS"),  # folded like names: matches "Goris"
        Correction("pin", "Qarnavut", lat=39.5, lon=46.3),  # a name no source knew
        Correction("not-a-place", "Goris", ("a.txt",)),  # holds only where Goris is not written
    ):
        applied = Corrections((correction,)).bind(gazetteer.get)
        cache = ResultCache(tmp_path / "r.sqlite")
        result = parse(articles, cache, gazetteer, applied)
        touched = [a.name for a in articles if correction.applies_to(a.name) and correction.key in fold(a.text)]
        assert cache.misses == len(touched), correction
        assert same(result, parse(articles, None, gazetteer, applied))
    assert touched == []


def test_a_changed_gazetteer_or_nkmap_redoes_everything(tmp_path, articles, monkeypatch):
    gazetteer = nkmap.load_gazetteer(GAZETTEER, check_countries=False)
    parse(articles, ResultCache(tmp_path / "r.sqlite"), gazetteer)
    bigger = gazetteer.with_feature(VELMORA[0])
    cache = ResultCache(tmp_path / "r.sqlite")
    assert same(parse(articles, cache, bigger), parse(articles, None, bigger))
    assert cache.misses == len(articles)
    monkeypatch.setattr(resultcache, "code_digest", lambda: "another nkmap")
    cache = ResultCache(tmp_path / "r.sqlite")
    parse(articles, cache, gazetteer)
    assert cache.misses == len(articles)


def test_entries_round_trip_in_columns_or_pickled():
    from nkmap.model import Article

    baku = Place("baku", "Baku", 40.4, 49.9, "city", "AZ", 2_000_000, 587084, ("Bakı",), "geonames:587084")
    article = Article("a.txt", "", "In Baku. Then BAKU again, far away.")
    m = Mention("a.txt", 3, 7, "Baku", "In Baku.", 0, Evidence(Cue.WEAK_WORD, "di"))
    excerpt = Mention("a.txt", 14, 18, "BAKU", "…BAKU again…", 9, Evidence(Cue.NONE, ""))  # not the text as is
    moved = Mention("a.txt", 3, 7, "Bakı", "In Baku.", 0)  # a surface that is not the text at its offsets
    entry = (
        [ResolvedMention(m, baku, "gazetteer", 1.0, "event"), ResolvedMention(excerpt, None, "unresolved")],
        [Dropped(moved, Reason.FOREIGN_NAMESAKE, ((baku, 0.4),), kept=True), Dropped(m, Reason.COMMON_WORD)],
    )
    data, places = resultcache.encode(entry, article)
    assert data[:1] == b"c" and b"In Baku." not in data and len(places) == 1  # the article holds the sentence
    rows = {k: __import__("marshal").loads(v) for k, v in places.items()}
    decoded = resultcache.decode(data, article, lambda key: Place(*rows[key]))
    assert decoded == entry
    assert decoded[0][0].mention.sentence is decoded[1][1].mention.sentence  # one string, as when found
    odd = ([ResolvedMention(dataclasses.replace(m, surface=Reason.PERSON), baku, "gazetteer")], [])
    data, places = resultcache.encode(odd, article)  # a value marshal cannot write: pickled instead
    assert data[:1] == b"p" and places == {} and resultcache.decode(data, article, None) == odd
    other = ([ResolvedMention(dataclasses.replace(m, article="b.txt"), baku, "gazetteer")], [])
    assert resultcache.encode(other, article)[0][:1] == b"p"  # not this article's mention: kept whole


def test_fold_keeps_every_name_key_inside_the_folded_text():
    text = "Warga AĞDAM dan Şuşa, lalu Nagorno\u2011Karabakh; Ağdərə\u2019s roads; Łódź and Straße."
    for surface in ("AĞDAM", "Şuşa", "Nagorno\u2011Karabakh", "Ağdərə\u2019s", "Łódź", "Straße"):
        assert name_key(surface) in fold(text)


def test_an_unusable_cache_only_costs_time(tmp_path, articles):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    cache = ResultCache(blocker / "r.sqlite")
    assert same(parse(articles, cache), parse(articles, None))
    garbage = tmp_path / "g.sqlite"
    parse(articles, ResultCache(garbage))
    with sqlite3.connect(garbage) as db:
        db.execute("UPDATE results SET value = X'00ff00'")
    cache = ResultCache(garbage)
    assert same(parse(articles, cache), parse(articles, None))  # unreadable entries are misses
    assert cache.misses == len(articles)


CHILD = textwrap.dedent(
    """
    import os, sys
    from nkmap.infra.resultcache import ResultCache, Slot
    from nkmap.model import Article, Mention, Place, ResolvedMention
    cache = ResultCache(sys.argv[1])
    rm = ResolvedMention(Mention("a.txt", 0, 4, "Baku", "Baku " * 1200), Place("baku", "Baku", 40.4, 49.9), "gazetteer")
    article = Article("a.txt", "", "Bakı")  # the sentence is not the text: it is written with each entry
    for i in range(20000):
        cache.put(Slot(f"key{i}", lambda candidates: ""), article, ([rm], []), ["baku"])
    print("committing", flush=True)
    cache.commit()
    print("done", flush=True)
    """
)


@pytest.mark.slow
def test_a_build_killed_while_writing_leaves_all_or_nothing(tmp_path, articles):
    path = tmp_path / "r.sqlite"
    parse(articles, ResultCache(path))  # earlier results
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT count(*) FROM results").fetchone()[0]
    for delay, returncode in killed_while_committing(CHILD, str(path), delays=(0.05, 0.3, 0.8)):
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            n = db.execute("SELECT count(*) FROM candidates WHERE key LIKE 'key%'").fetchone()[0]
            results = db.execute("SELECT count(*) FROM results").fetchone()[0]
        assert (n, results) in ((0, before), (20000, before + 20000))  # one transaction: all of it or none
        if delay == 0.05:
            assert returncode == -signal.SIGKILL and n == 0  # killed inside the transaction
        cache = ResultCache(path)
        assert same(parse(articles, cache), parse(articles, None))
        assert cache.hits == len(articles)  # the earlier results are still there


def test_build_uses_the_cache_and_no_cache_turns_it_off(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    folder = write_corpus(tmp_path / "arts")
    kwargs = {"gazetteer": GAZETTEER, "formats": "csv", "geonames": False}
    nkmap.build([folder], out=tmp_path / "o1", cache=False, **kwargs)
    assert not (tmp_path / "cache" / resultcache.FILE_NAME).exists()
    first = nkmap.build([folder], out=tmp_path / "o2", **kwargs)
    assert (tmp_path / "cache" / resultcache.FILE_NAME).exists()
    (folder / "corrections.json").write_text(
        '{"nkmap_corrections": 1, "corrections": [{"action": "not-a-place", "name": "Goris"}]}', encoding="utf-8"
    )
    second = nkmap.build([folder], out=tmp_path / "o3", **kwargs)
    assert "goris" in {s.place.id for s in first.result.places}
    assert "goris" not in {s.place.id for s in second.result.places}
    assert len(ARTICLES) == len(second.result.articles)


def test_every_default_source_has_a_digest_so_builds_are_cached():
    from nkmap.pipeline import default_sources

    gazetteer = nkmap.load_gazetteer(GAZETTEER, check_countries=False)
    for geonames in (False, True):
        sources = default_sources(gazetteer, geonames)
        assert all(resultcache.source_digest(s) is not None for s in sources), sources
        assert resultcache.context_digest(sources, 4) is not None
