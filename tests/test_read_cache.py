"""The read cache: what reading found in a text is reused when the text and its metadata are the
same, found again when anything changed, and a killed build leaves it all or nothing."""

from __future__ import annotations

import json
import signal
import sqlite3
import textwrap

import pytest

import nkmap
from nkmap.infra import readcache
from nkmap.infra.readcache import ReadCache
from nkmap.inputs.duplicates import find_duplicates

from .conftest import ROOT, killed_while_committing

# Texts written for these tests: a dated Indonesian report, an English one, a copy, a near copy.
TEXTS = {
    "a.txt": "Warga Desa Sukamaju, Rabu (4/11/2020), membersihkan saluran air setelah hujan deras "
    "semalaman. Kepala desa mengatakan bantuan dari kabupaten akan tiba besok pagi.\n",
    "b.txt": "GORIS, March 3 - Teachers in Goris reopened the school on Monday after the roof was "
    "repaired, and parents said the children were glad to be back in their classrooms.\n",
    "c.txt": "---\ntitle: A given headline\ndate: 2021-05-06\nlanguage: en\n---\nThe bridge over the river "
    "was painted blue this spring, and the town council paid for new lamps along it.\n",
}
TEXTS["copy.txt"] = TEXTS["b.txt"]
TEXTS["near.txt"] = TEXTS["a.txt"].replace("besok pagi", "besok siang")


@pytest.fixture()
def folder(tmp_path):
    folder = tmp_path / "arts"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def read(folder, cache):
    articles = nkmap.read_articles([folder], cache=cache)
    return articles, find_duplicates(articles, cache)


def test_a_second_read_reuses_every_text_and_finds_the_same(tmp_path, folder):
    fresh = read(folder, None)
    a, b, c = fresh[0][:3]  # the texts exercise what reading finds
    assert a.date is not None and a.language == "id" and b.dateline == "GORIS" and c.title == "A given headline"
    assert {d.article for d in fresh[1]} == {"copy.txt", "near.txt"}
    cache = ReadCache(tmp_path / "r.sqlite")
    assert read(folder, cache) == fresh
    assert (cache.hits, cache.misses) == (0, 2 * len(TEXTS) + 1)  # an article and a fingerprint each; the corpus
    cache = ReadCache(tmp_path / "r.sqlite")
    assert read(folder, cache) == fresh
    assert (cache.hits, cache.misses) == (len(TEXTS) + 1, 0)  # the articles, and the corpus's duplicates


def test_a_changed_text_or_metadata_is_read_again(tmp_path, folder):
    read(folder, ReadCache(tmp_path / "r.sqlite"))
    (folder / "b.txt").write_text(TEXTS["b.txt"].replace("Monday", "Tuesday"), encoding="utf-8")
    cache = ReadCache(tmp_path / "r.sqlite")
    assert read(folder, cache) == read(folder, None)
    assert cache.misses == 3  # b.txt's article and fingerprint, and the corpus's duplicates
    (folder / "a.json").write_text(json.dumps({"title": "A sidecar headline", "date": "2020-11-05"}), "utf-8")
    cache = ReadCache(tmp_path / "r.sqlite")
    articles, _ = read(folder, cache)
    assert cache.misses == 1  # the same text (the same duplicates), other metadata
    assert articles[0].title == "A sidecar headline" and articles == read(folder, None)[0]
    (folder / "b2.txt").write_text(TEXTS["b.txt"], encoding="utf-8")  # the same text under another name
    cache = ReadCache(tmp_path / "r.sqlite")
    assert read(folder, cache) == read(folder, None)
    assert cache.misses == 2  # its article and the corpus's duplicates; the fingerprint of a text is shared


def test_a_changed_nkmap_reads_everything_again(tmp_path, folder, monkeypatch):
    from nkmap.infra import resultcache

    read(folder, ReadCache(tmp_path / "r.sqlite"))
    monkeypatch.setattr(resultcache, "code_digest", lambda: "another nkmap")
    cache = ReadCache(tmp_path / "r.sqlite")
    read(folder, cache)
    assert cache.hits == 0


def test_an_unusable_cache_only_costs_time(tmp_path, folder):
    fresh = read(folder, None)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert read(folder, ReadCache(blocker / "r.sqlite")) == fresh
    garbage = tmp_path / "g.sqlite"
    read(folder, ReadCache(garbage))
    with sqlite3.connect(garbage) as db:
        db.execute("UPDATE reads SET value = X'00ff00'")
    cache = ReadCache(garbage)
    assert read(folder, cache) == fresh
    with sqlite3.connect(garbage) as db:  # entries of another layout (a list of the wrong length)
        db.execute("UPDATE reads SET value = ?", (__import__("marshal").dumps((1, 2)),))
    assert read(folder, ReadCache(garbage)) == fresh


CHILD = textwrap.dedent(
    """
    import sys
    from nkmap.infra.readcache import ReadCache
    cache = ReadCache(sys.argv[1])
    for i in range(20000):
        cache.fingerprint(f"text {i} " * 50, lambda text: (b"digest", frozenset(range(10**12, 10**12 + 200)), False))
    print("committing", flush=True)
    cache.commit()
    print("done", flush=True)
    """
)


@pytest.mark.slow
def test_a_build_killed_while_writing_leaves_all_or_nothing(tmp_path, folder):
    path = tmp_path / "r.sqlite"
    fresh = read(folder, None)
    read(folder, ReadCache(path))  # earlier entries
    with sqlite3.connect(path) as db:
        before = db.execute("SELECT count(*) FROM reads").fetchone()[0]
    for delay, returncode in killed_while_committing(CHILD, str(path), delays=(0.02, 0.3, 0.8)):
        with sqlite3.connect(path) as db:
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            n = db.execute("SELECT count(*) FROM reads").fetchone()[0]
        assert n in (before, before + 20000)  # one transaction: all of it or none
        if delay == 0.02:
            assert returncode == -signal.SIGKILL and n == before  # killed inside the transaction
        cache = ReadCache(path)
        assert read(folder, cache) == fresh
        assert cache.misses == 0  # the earlier entries are still there


def test_build_keeps_reads_unless_told_not_to(tmp_path, folder, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    kwargs = {"gazetteer": ROOT / "data" / "gazetteer.geojson", "formats": "csv", "geonames": False}
    first = nkmap.build([folder], out=tmp_path / "o1", cache=False, **kwargs)
    assert not (tmp_path / "cache" / readcache.FILE_NAME).exists()
    second = nkmap.build([folder], out=tmp_path / "o2", **kwargs)
    assert (tmp_path / "cache" / readcache.FILE_NAME).exists()
    third = nkmap.build([folder], out=tmp_path / "o3", **kwargs)
    assert first.result.articles == second.result.articles == third.result.articles
    assert first.duplicates == second.duplicates == third.duplicates and len(first.duplicates) == 2
    assert (tmp_path / "o1" / "places.csv").read_bytes() == (tmp_path / "o3" / "places.csv").read_bytes()
