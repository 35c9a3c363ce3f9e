"""Duplicates: the same text saved twice and syndicated copies are found, reported and counted once."""

from __future__ import annotations

import logging
import random
import time

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.inputs.duplicates import Duplicate, find_duplicates, without_duplicates
from nkmap.model import Article

from .conftest import GAZETTEER

STORY = (
    "TERNATE - Ash from Mount Gamalama fell on Ternate overnight and the airport stayed closed on Monday, the "
    "transport ministry said. Flights from Manado were turned back. Residents were told to wear masks, and schools "
    "in the city sent pupils home before noon. Officials said the mountain had been restless for a week."
)
OTHER = (
    "MAKASSAR - Rice prices in the markets of Makassar rose for a second week. Traders said supplies from Maros and "
    "Pangkep fell after heavy rain damaged fields before the harvest. The city promised cheap rice sales from "
    "Thursday, and farmers asked for help to repair irrigation channels."
)
SAME_TOPIC = (
    "TERNATE - The airport in Ternate reopened on Wednesday after two days of ash from Mount Gamalama, airline "
    "staff said. The first flight from Manado landed at noon, and schools called pupils back for the afternoon. "
    "Vulcanologists said the mountain was calmer but kept the alert level unchanged."
)


def art(name, text):
    return article_from_text(name, text, path=name)


def test_exact_near_and_distinct():
    articles = [
        art("a.txt", STORY),
        art("b.txt", OTHER),
        art("c.txt", "\ufeff" + STORY.replace(" ", "  ").replace(".", ".\r\n").upper()),  # saved again, reformatted
        art("d.txt", STORY + " (Reporting by the Island Wire desk.)"),  # syndicated with a credit line
        art("e.txt", SAME_TOPIC),  # the same event, another report: not a duplicate
    ]
    found = find_duplicates(articles)
    assert [(d.article, d.original, d.exact) for d in found] == [("c.txt", "a.txt", True), ("d.txt", "a.txt", False)]
    assert 0.8 <= found[1].similarity < 1
    kept, _ = without_duplicates(articles)
    assert [a.name for a in kept] == ["a.txt", "b.txt", "e.txt"]


def test_build_counts_duplicates_once_and_says_what_duplicates_what(tmp_path, caplog):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(STORY, encoding="utf-8")
    (corpus / "b.txt").write_text(STORY, encoding="utf-8")
    (corpus / "c.txt").write_text(OTHER, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        report = nkmap.build([corpus], gazetteer=GAZETTEER, out=tmp_path / "out", formats="csv", geonames=False)
    assert [a.name for a in report.result.articles] == ["a.txt", "c.txt"]
    assert report.duplicates == (Duplicate("b.txt", "a.txt", 1.0, True),)
    assert [r.getMessage() for r in caplog.records] == [
        "b.txt: the same text as a.txt; counted once (--keep-duplicates keeps it)"
    ]
    kept = nkmap.build(
        [corpus], gazetteer=GAZETTEER, out=tmp_path / "out2", formats="csv", geonames=False, keep_duplicates=True
    )
    assert [a.name for a in kept.result.articles] == ["a.txt", "b.txt", "c.txt"]
    assert kept.duplicates == ()
    ternate = [s for s in kept.result.places if s.place.name == "Ternate"]
    once = [s for s in report.result.places if s.place.name == "Ternate"]
    if ternate:  # counted once by default, twice when kept
        assert len(ternate[0].mentions) == 2 * len(once[0].mentions)


def test_many_copies_are_listed_up_to_a_limit_then_counted(caplog):
    from nkmap.inputs.duplicates import MAX_LISTED, report_duplicates

    articles = [art(f"{n:03}.txt", STORY) for n in range(500)]
    found = find_duplicates(articles)
    assert len(found) == 499 and {d.original for d in found} == {"000.txt"}
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        report_duplicates(found)
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == MAX_LISTED + 1
    assert lines[-1] == f"{499 - MAX_LISTED} more duplicate articles not listed; each counted once"


WORDS = (
    "warga kota desa jalan pasar sungai banjir hujan harga beras kapal pelabuhan sekolah rumah sakit polisi petani "
    "nelayan jembatan bandara gunung abu listrik air minum pemerintah menteri rapat kabar pagi malam minggu"
).split()


def generated(n, seed=7):
    rng = random.Random(seed)
    words = (" ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 200))) for _ in range(n))
    return [Article(f"{i:05}.txt", "", text) for i, text in enumerate(words)]


@pytest.mark.slow
def test_ten_thousand_articles_are_checked_cheaply():
    articles = generated(10_000)
    articles.append(Article("copy.txt", "", articles[1234].text))
    start = time.perf_counter()
    found = find_duplicates(articles)
    elapsed = time.perf_counter() - start
    assert [(d.article, d.original) for d in found] == [("copy.txt", "01234.txt")]
    assert elapsed < 20, f"{elapsed:.1f} s for 10,000 articles"


def _reference(articles):
    """Duplicates as the sets-and-lists index found them (before the compact index): the reference."""
    from collections import Counter

    from nkmap.inputs.duplicates import COMMON, SAMPLE, THRESHOLD, fingerprint

    exact, index, kept, found = {}, {}, [], []
    for article in articles:
        digest, sketch, full = fingerprint(article.text)
        if digest in exact:
            found.append(Duplicate(article.name, exact[digest], 1.0, True))
            continue
        shared = Counter()
        for h in sorted(sketch):  # in ascending order, as Seen reads them
            if index.get(h) and len(index[h]) <= COMMON:
                shared.update(index[h])
        best = None
        for number, _ in shared.most_common(5):
            a, b = sketch, kept[number][1]
            if full != kept[number][2]:
                a, b = frozenset(h for h in a if h % SAMPLE == 0), frozenset(h for h in b if h % SAMPLE == 0)
            common = len(a & b)
            similarity = common / max(1, len(a) + len(b) - common)
            if similarity >= THRESHOLD and (best is None or similarity > best[1]):
                best = (kept[number][0], similarity)
        if best is not None:
            found.append(Duplicate(article.name, best[0], best[1], False))
            continue
        exact[digest] = article.name
        kept.append((article.name, sketch, full))
        for h in sketch:
            index.setdefault(h, []).append(len(kept) - 1)
    return found


def test_the_compact_index_finds_what_sets_found_and_drops_online(monkeypatch):
    """Copies, near copies with a word or two changed, short texts and shared boilerplate, with the
    index's dict merged into its arrays every few articles: the same duplicates, originals and
    similarities as the sets-and-lists index, and ``drop_duplicates`` yields the rest one by one."""
    from nkmap.inputs import duplicates

    monkeypatch.setattr(duplicates.Seen, "MERGE", 40)
    rng = random.Random(15)
    base = generated(60)
    boiler = " Subscribe to our newsletter for the news of the day from the islands and the coast."
    articles = []
    for i in range(400):
        pick = rng.choice(base).text.split()
        kind = rng.random()
        if kind < 0.3:  # a near copy: a few words changed
            for _ in range(rng.randint(1, 6)):
                pick[rng.randrange(len(pick))] = rng.choice(["Ternate", "Manado", "quickly", "rain"])
        elif kind < 0.4:
            pick = pick[: rng.randint(2, 8)]  # a short text: all of its shingles are its sketch
        text = " ".join(pick) + (boiler * rng.randint(0, 3))
        articles.append(Article(f"n{i:04}.txt", "", text))
    expected = _reference(articles)
    assert len(expected) > 100 and any(not d.exact for d in expected) and any(d.exact for d in expected)
    assert duplicates.find_duplicates(articles) == expected
    found: list[Duplicate] = []
    given = iter(articles)
    kept = []
    for article in duplicates.drop_duplicates(given, found):
        kept.append(article)
        assert len(kept) + len(found) == articles.index(article) + 1  # one at a time, as they come
    assert found == expected
    assert [a.name for a in kept] == [a.name for a in articles if a.name not in {d.article for d in expected}]


def test_which_original_a_tie_names_does_not_hang_on_the_sets_order():
    """Seven kept articles share as much with a new one: which five are compared, and so which is named,
    is the same whichever order the new one's sketch iterates in (a set rebuilt from the read cache or a
    worker's pickle iterates in another order than the one made here)."""
    from nkmap.inputs.duplicates import THRESHOLD, Seen

    shared = list(range(10**6, 10**6 + 1000))  # in every article
    mine = [[(k * 5 + j + 1) << 20 for j in range(5)] for k in range(7)]  # and the new one's: they collide in a set
    alone = [list(range(5 * 10**6 + 1000 * k, 5 * 10**6 + 1000 * k + 150)) for k in range(7)]  # only in that one
    query = [h for hashes in mine for h in hashes]
    named = set()
    for order in (query, query[::-1], query[3:] + query[:3]):
        seen = Seen()
        for k in range(7):
            kept = frozenset(shared + mine[k] + alone[k])
            assert seen.repeats(Article(f"{k}.txt", "", ""), (bytes([k]), kept, True)) is None
        sketch = frozenset(order + shared)
        found = seen.repeats(Article("new.txt", "", ""), (b"new", sketch, True))
        assert found is not None and not found.exact and found.similarity >= THRESHOLD
        named.add(found.original)
    assert len(named) == 1


def test_merging_the_index_keeps_each_hash_s_older_articles_first():
    """The index's arrays after merges of the newest entries (hashes shared within and across merges) are
    the arrays a stable sort of every entry, in the order they came, gives: the order candidates are met in."""
    import numpy as np

    from nkmap.inputs.duplicates import Seen

    rng = random.Random(7)
    seen = Seen()
    came: list[tuple[int, int]] = []
    number = 0
    for _ in range(12):
        for _ in range(rng.randint(0, 40)):
            for h in sorted(rng.sample(range(60), rng.randint(1, 8))):
                seen.recent.setdefault(h, []).append(number)
                came.append((h, number))
            number += 1
        seen._merge()
    keys = np.array([h for h, _ in came], dtype=np.uint64)
    order = np.argsort(keys, kind="stable")
    assert seen.keys.tolist() == keys[order].tolist()
    assert seen.owners.tolist() == np.array([n for _, n in came], dtype=np.int32)[order].tolist()
    assert seen.keys.dtype == np.uint64 and seen.owners.dtype == np.int32
