"""Precise invalidation of the result cache: a correction re-does exactly the articles it can change,
and a cached rebuild always equals a build with no cache at all."""

from __future__ import annotations

import re

import pytest

import nkmap
from nkmap.infra.resultcache import ResultCache, folded_words
from nkmap.names import name_key
from nkmap.pipeline import geoparse
from nkmap.sources.corrections import Correction, Corrections

from .conftest import GAZETTEER

# Sentences written for these tests. "Berd" and "Berdavan" are both curated towns: the folded text
# of berdavan.txt holds "berd", but Berd is no candidate there.
TEXTS = {
    "berd.txt": "Shops in Berd stayed shut on Monday, traders said.\n\nBuses to Ijevan ran again.\n",
    "berdavan.txt": "Farmers near Berdavan picked their apricots early this year.\n",
    "glued.txt": "Yardım konvoyu dün Berd'e ulaştı ve Ijevan'a döndü.\n",
    "goris.txt": "Families left Goris for Yerevan in the morning.\n\nCamp Nork was full by noon.\n",
    "camp.txt": "The Camp road was closed after the storm, drivers in Sisian said.\n",
    "qarnavut.txt": "Aid workers reached the village of Qarnavut after two days on the road.\n",
    "qarnavut2.txt": "Doctors in Qarnavut asked for more medicine.\n",
    "none.txt": "Nothing here names a place at all; it is only weather.\n",
}


@pytest.fixture(scope="module")
def articles(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rebuild")
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return nkmap.read_articles([folder])


@pytest.fixture(scope="module")
def gazetteer():
    return nkmap.load_gazetteer(GAZETTEER, check_countries=False)


def parse(articles, gazetteer, cache, corrections=()):
    applied = Corrections(tuple(corrections)).bind(gazetteer.get) if corrections else None
    return geoparse(articles, gazetteer, geonames=False, corrections=applied, cache=cache)


def same(a, b):
    return a.mentions == b.mentions and a.dropped == b.dropped and a.places == b.places


def redone(articles, gazetteer, path, corrections):
    """The cached rebuild under ``corrections``: checked against a fresh build; how many it re-did."""
    cache = ResultCache(path)
    result = parse(articles, gazetteer, cache, corrections)
    assert same(result, parse(articles, gazetteer, None, corrections)), corrections
    return cache.misses


def candidates(articles, gazetteer):
    """The folded names each article's recogniser found or turned down (no corrections)."""
    out = {}
    for a in articles:
        result = parse([a], gazetteer, None)
        out[a.name] = {name_key(m.mention.surface) for m in (*result.mentions, *result.dropped)}
    return out


def test_not_a_place_redoes_only_the_articles_where_the_name_was_a_candidate(tmp_path, articles, gazetteer):
    path = tmp_path / "r.sqlite"
    assert redone(articles, gazetteer, path, []) == len(articles)
    found = candidates(articles, gazetteer)
    writes_berd = {a.name for a in articles if "berd" in a.text.casefold()}
    assert writes_berd == {"berd.txt", "berdavan.txt", "glued.txt"}  # what a substring test re-did
    assert "berd" not in found["berdavan.txt"]
    expected = {n for n, keys in found.items() if "berd" in keys}
    assert "berd.txt" in expected and "berdavan.txt" not in expected
    assert redone(articles, gazetteer, path, [Correction("not-a-place", "BERD")]) == len(expected)
    assert redone(articles, gazetteer, path, [Correction("not-a-place", "BERD")]) == 0  # now kept
    # for one article only: that article, if Berd is a candidate there; for one where it is not: none
    assert redone(articles, gazetteer, path, [Correction("not-a-place", "Berd", ("berd.txt",))]) == 1
    assert redone(articles, gazetteer, path, [Correction("not-a-place", "Berd", ("berdavan.txt",))]) == 0
    assert redone(articles, gazetteer, path, []) == 0  # the results without corrections are still there


def test_pins_and_aliases_redo_the_articles_that_write_their_first_word(tmp_path, articles, gazetteer):
    path = tmp_path / "r.sqlite"
    redone(articles, gazetteer, path, [])
    # a pinned name is indexed, and its first word alone changes how the scan reads that word
    pin = Correction("pin", "Camp Nork", lat=40.2, lon=44.5)
    assert redone(articles, gazetteer, path, [pin]) == 2  # goris.txt and camp.txt write "Camp"
    alias = Correction("alias", "Ijevani", to="ijevan")  # a spelling no article writes
    assert redone(articles, gazetteer, path, [pin, alias]) == 0
    # berd.txt and glued.txt ("Berd'e"), not berdavan.txt
    assert redone(articles, gazetteer, path, [Correction("alias", "Berd", to="ijevan")]) == 2


def test_a_pin_for_some_articles_changes_only_those(tmp_path, articles, gazetteer):
    """A name pinned for one article is looked for there only: elsewhere it is no candidate, so no
    other article is redone (qarnavut2.txt writes it too, after "in", where an unknown name is none)."""
    path = tmp_path / "r.sqlite"
    plain = parse(articles, gazetteer, ResultCache(path))
    scoped = Correction("pin", "Qarnavut", ("qarnavut.txt",), lat=39.5, lon=46.3)
    assert redone(articles, gazetteer, path, [scoped]) == 1
    result = parse(articles, gazetteer, None, [scoped])
    assert [(m.mention.article, m.method) for m in result.mentions if m.mention.surface == "Qarnavut"] == [
        ("qarnavut.txt", "correction")
    ]
    others = [a for a in articles if a.name != "qarnavut.txt"]
    assert same(parse(others, gazetteer, None, [scoped]), parse(others, gazetteer, None))
    assert "qarnavut" not in {
        name_key(d.mention.surface) for d in plain.dropped if d.mention.article == "qarnavut2.txt"
    }
    refused = Correction("not-a-place", "Qarnavut", ("qarnavut2.txt",))
    assert redone(articles, gazetteer, path, [scoped, refused]) == 0  # no candidate there: nothing to refuse
    everywhere = Correction("pin", "Qarnavut", lat=39.5, lon=46.3)
    assert redone(articles, gazetteer, path, [everywhere]) == 2


def test_a_sequence_of_corrections_always_equals_a_fresh_build(tmp_path, articles, gazetteer):
    path = tmp_path / "r.sqlite"
    steps = [
        [],
        [Correction("not-a-place", "Goris")],
        [Correction("not-a-place", "Goris"), Correction("pin", "Goris", ("goris.txt",), to="yerevan")],
        [Correction("pin", "Goris", to="sisian"), Correction("alias", "Camp Nork", to="goris")],
        [Correction("alias", "Camp Nork", to="goris"), Correction("not-a-place", "Ijevan", ("glued.txt",))],
        [Correction("not-a-place", "Yerevan"), Correction("pin", "Sisian", lat=39.52, lon=46.03)],
        [],
    ]
    for corrections in steps:
        redone(articles, gazetteer, path, corrections)
    assert redone(articles, gazetteer, path, steps[3]) == 0  # every step's results are kept


def words(text):
    return set(re.split(r"[\W_]+", folded_words(text)))


def test_folded_words_hold_every_piece_of_every_word_the_recogniser_reads():
    text = "Warga AĞDAM dan Şuşa'da, Nagorno\u2011Karabakh; Ag\u0306dam, ™Berd and Łódź's Straße, Ber\u0610d."
    pieces = words(text)
    for piece in ("agdam", "susa", "da", "nagorno", "karabakh", "berd", "lodz", "s", "strasse", "ber"):
        assert piece in pieces, piece  # "™" folds to "tm", U+0610 (a mark the scan does not read) to nothing
    assert "sur" not in words("Surabaya and a survey")


def test_the_garbage_collector_rests_only_over_a_run_of_hits(tmp_path, articles, gazetteer):
    import gc

    from nkmap.infra.resultcache import context_digest
    from nkmap.pipeline import ScanRecognizer, default_sources

    path = tmp_path / "r.sqlite"
    parse(articles, gazetteer, ResultCache(path))
    assert gc.isenabled()
    parse(articles, gazetteer, ResultCache(path))  # all hits
    assert gc.isenabled()
    sources = default_sources(gazetteer, False)
    context = context_digest(sources, ScanRecognizer(sources).names.max_words)
    cache = ResultCache(path)
    assert cache.get(cache.slot(context, articles[0]), articles[0]) is not None and not gc.isenabled()
    assert cache.get(cache.slot("another context", articles[0]), articles[0]) is None and gc.isenabled()
    assert cache.get(cache.slot(context, articles[1]), articles[1]) is not None and not gc.isenabled()
    cache.commit()
    assert gc.isenabled()
    cache.get(cache.slot(context, articles[1]), articles[1])
    del cache  # a cache dropped in a run of hits (an error in the caller) gives the collector back
    assert gc.isenabled()


def test_a_not_a_place_reuses_the_recognition_and_resolves_again(tmp_path, articles, gazetteer, monkeypatch):
    import nkmap.pipeline

    path = tmp_path / "r.sqlite"
    redone(articles, gazetteer, path, [])
    calls = []
    real = nkmap.pipeline.find_candidates
    monkeypatch.setattr(
        nkmap.pipeline, "find_candidates", lambda article, *a: calls.append(article.name) or real(article, *a)
    )
    cache = ResultCache(path)
    result = parse(articles, gazetteer, cache, [Correction("not-a-place", "Berd")])
    assert cache.misses == 2 and calls == []  # berd.txt and glued.txt resolved again, not scanned again
    assert "berd" not in {name_key(m.mention.surface) for m in result.mentions}
    assert same(result, parse(articles, gazetteer, None, [Correction("not-a-place", "Berd")]))
    assert len(calls) == len(articles)  # the fresh build scans every article
