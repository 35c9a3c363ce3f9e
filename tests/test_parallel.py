"""Parallel geoparsing gives exactly the serial result: on processes and on a Dask cluster."""

from __future__ import annotations

import sys

import pytest

import nkmap
from nkmap.pipeline import geoparse_files

from .conftest import ARTICLES, GAZETTEER


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The sample articles, copied several times under new names, so there are chunks to share."""
    folder = tmp_path_factory.mktemp("corpus")
    for copy in range(4):
        for path in sorted(ARTICLES.glob("*.txt")):
            (folder / f"{copy}_{path.name}").write_bytes(path.read_bytes())
    return folder


@pytest.fixture(scope="module")
def serial(corpus):
    return nkmap.geoparse(nkmap.read_articles([corpus]), nkmap.load_gazetteer(GAZETTEER))


def test_processes_give_the_serial_result(corpus, serial):
    parallel = geoparse_files([corpus], GAZETTEER, workers=2)
    assert parallel == serial
    assert len(parallel.mentions) > 100


@pytest.mark.slow
def test_dask_local_cluster_gives_the_serial_result(corpus, serial):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = geoparse_files([corpus], GAZETTEER, scheduler=cluster.scheduler_address)
    assert result == serial


@pytest.mark.slow
def test_default_build_does_not_import_dask(tmp_path):
    import subprocess

    code = (
        "import sys, nkmap; nkmap.build(out=sys.argv[1]); print('dask' in sys.modules or 'distributed' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


@pytest.fixture(scope="module")
def half_empty(tmp_path_factory):
    """Real articles first, then as many empty files: the last chunks hold only skipped files."""
    folder = tmp_path_factory.mktemp("half_empty")
    for path in sorted(ARTICLES.glob("*.txt")):
        (folder / f"a_{path.name}").write_bytes(path.read_bytes())
    for i in range(8):
        (folder / f"z_{i}.txt").write_text("  \n", encoding="utf-8")
    return folder


def test_chunks_of_only_skipped_files_give_the_serial_result_and_warnings(half_empty, caplog):
    serial_result = nkmap.geoparse(nkmap.read_articles([half_empty]), nkmap.load_gazetteer(GAZETTEER))
    serial_warnings = [r.getMessage() for r in caplog.records]
    caplog.clear()
    parallel = geoparse_files([half_empty], GAZETTEER, workers=2)
    assert parallel == serial_result
    assert [r.getMessage() for r in caplog.records] == serial_warnings
    assert len(serial_warnings) == 8 and all("skipped" in w for w in serial_warnings)


def errors_of(run):
    try:
        run()
    except Exception as e:  # noqa: BLE001 - the point is to compare whatever comes out
        return type(e), str(e)
    return None


@pytest.mark.parametrize("workers", [1, 2])
def test_errors_in_workers_reach_the_parent_as_the_serial_errors(half_empty, tmp_path, workers):
    big = tmp_path / "big"
    big.mkdir()
    for i in range(6):
        (big / f"{i}.txt").write_text(("Baku. " * (40 if i == 3 else 2)), encoding="utf-8")
    serial = errors_of(lambda: nkmap.read_articles([big], max_size=100))
    parallel = errors_of(lambda: geoparse_files([big], GAZETTEER, workers=workers, max_article_size=100))
    assert serial is not None and serial[0] is nkmap.InputError
    assert parallel == serial
    empty = tmp_path / "empty"
    empty.mkdir()
    for i in range(4):
        (empty / f"{i}.txt").write_text("", encoding="utf-8")
    serial = errors_of(lambda: nkmap.read_articles([empty]))
    assert serial is not None and "no article text in 4 file(s)" in serial[1]
    assert errors_of(lambda: geoparse_files([empty], GAZETTEER, workers=workers)) == serial


@pytest.mark.parametrize(
    "error",
    [
        nkmap.NkmapError("something went wrong"),
        nkmap.InputError("a.txt", "line 3", "not UTF-8"),
        __import__("nkmap.inputs.articles", fromlist=["SkippedFile"]).SkippedFile("b.txt", "", "empty"),
        __import__("nkmap.infra.locking", fromlist=["LockTimeout"]).LockTimeout("held for 60 s"),
    ],
)
def test_error_classes_survive_a_pickle_round_trip(error):
    import pickle

    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error)
    assert getattr(back, "__dict__", {}) == getattr(error, "__dict__", {})


@pytest.mark.slow
def test_cli_workers_with_skipped_files_succeeds(half_empty, tmp_path):
    import subprocess

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "nkmap",
            "build",
            str(half_empty),
            "--workers",
            "2",
            "--format",
            "csv",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("skipped") == 8


@pytest.mark.slow
def test_an_unreachable_scheduler_is_exit_2_naming_the_address_quickly(tmp_path):
    import subprocess
    import time

    pytest.importorskip("dask.distributed")
    address = "tcp://127.0.0.1:9"
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "nkmap", "build", str(ARTICLES), "--scheduler", address, "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - began
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and address in lines[0]
    assert "bug" not in lines[0] and took < 30
    assert not (tmp_path / "o").exists()


def test_the_scheduler_probe_works_inside_a_running_event_loop():
    """As in Jupyter (or beside Playwright's sync API): the probe must not need the caller's thread free."""
    import asyncio

    from nkmap.errors import NkmapError
    from nkmap.parallel import probe

    pytest.importorskip("dask.distributed")

    async def inside():
        with pytest.raises(NkmapError, match="no Dask scheduler answers there") as caught:
            probe("tcp://127.0.0.1:9", timeout=0.5)
        assert "connect" in str(caught.value) and "event loop" not in str(caught.value)  # it really tried

    # In a thread of its own: the test session may itself run a loop in this one (Playwright's sync API).
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1) as thread:
        thread.submit(asyncio.run, inside()).result()


@pytest.mark.parametrize("workers", [1, 2, 8])
def test_chunks_by_size_keep_the_order_and_end_smaller(workers):
    """Chunks of about equal bytes, in order, none empty, the last ones smaller than the first."""
    from nkmap.parallel import chunked_by_size

    sizes = [(i * 7919) % 5000 + 10 for i in range(3000)]  # uneven sizes, as news articles are
    items = list(range(len(sizes)))
    chunks = chunked_by_size(items, sizes, workers, per_worker=8)
    assert [i for c in chunks for i in c] == items and all(chunks)
    totals = [sum(sizes[i] for i in c) for c in chunks]
    big = sum(sizes) / (workers * 8)
    assert all(t < big + 5010 for t in totals)  # no chunk more than one file above the size aimed at
    assert max(totals[-3:]) < 0.5 * max(totals[:3])  # the last ones a fraction of the first
    assert len(chunks) >= workers * 8


def test_chunks_by_size_of_empty_files_are_cut_by_count():
    from nkmap.parallel import chunked, chunked_by_size

    assert chunked_by_size(list("abcdefgh"), [0] * 8, 2, per_worker=2) == chunked(list("abcdefgh"), 2, 2)
    assert chunked_by_size(["a"], [5], 2) == [["a"]]
    assert chunked_by_size([], [], 2) == []


# Work that finishes out of order: the first chunks sleep, the later ones do not. ``eval`` is the work so
# that a cluster's workers need nothing of this test module (they import only what they unpickle).
OUT_OF_ORDER = ["__import__('time').sleep(0.6) or 0", "__import__('time').sleep(0.3) or 1", "2", "3", "4", "5"]
FIRST_FAILS_LAST = ["__import__('time').sleep(0.6) or 1 // 0", "int('x')", "2"]


def _run_everywhere(chunks, scheduler=None):
    from nkmap.parallel import run_chunks

    return run_chunks(eval, chunks, workers=2, scheduler=scheduler)


@pytest.mark.parametrize("chunks", [OUT_OF_ORDER, FIRST_FAILS_LAST])
def test_processes_give_results_and_errors_in_chunk_order(chunks):
    assert errors_of(lambda: _run_everywhere(chunks)) == errors_of(lambda: [eval(c) for c in chunks])
    if chunks is OUT_OF_ORDER:
        assert _run_everywhere(chunks) == [0, 1, 2, 3, 4, 5]


@pytest.mark.slow
def test_dask_gives_results_and_errors_in_chunk_order_though_fetched_as_they_finish():
    """The parent fetches each result as soon as it is done; it still gives them, and raises the first
    chunk's error (not the one that failed first), in chunk order."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert _run_everywhere(OUT_OF_ORDER, address) == [0, 1, 2, 3, 4, 5]
        failed = errors_of(lambda: _run_everywhere(FIRST_FAILS_LAST, address))
        assert failed == errors_of(lambda: [eval(c) for c in FIRST_FAILS_LAST])
        assert failed is not None and failed[0] is ZeroDivisionError


def _collector_state(_chunk):
    import gc

    return gc.isenabled()


def test_work_sent_away_runs_with_the_collector_resting_and_comes_back_pickled(corpus, serial):
    """A worker's cyclic collector rests while it works on a chunk (a chunk's objects hold no cycles
    worth walking the heap for), the result is pickled there before it is back on, and the worker's
    collector is as it was after, also when the work fails."""
    import functools
    import gc
    import pickle

    from nkmap.inputs.files import find_files
    from nkmap.parallel import _packed
    from nkmap.pipeline import read_and_geoparse_chunk

    assert pickle.loads(_packed(_collector_state, None)) is False and gc.isenabled()
    work = functools.partial(read_and_geoparse_chunk, gazetteer=str(GAZETTEER))
    sources = find_files([corpus])[:3]
    chunk = pickle.loads(_packed(work, sources))
    assert chunk.mentions and chunk.mentions == read_and_geoparse_chunk(sources, str(GAZETTEER)).mentions
    assert gc.isenabled()
    gc.disable()
    try:
        _packed(_collector_state, None)
        assert not gc.isenabled()  # as it was: off
    finally:
        gc.enable()
    with pytest.raises(ZeroDivisionError):
        _packed(eval, "1 // 0")
    assert gc.isenabled()


@pytest.mark.slow
def test_a_chunk_crosses_packed_as_columns_and_comes_back_equal_with_its_shared_objects(corpus):
    """A worker's chunk travels with its mentions and dropped candidates as columns (nkmap.transfer):
    unpickled, every object equals the worker's, one place is one object, and a text the worker had once
    (a sentence) is one string again."""
    import pickle

    from nkmap.inputs.files import find_files
    from nkmap.pipeline import read_and_geoparse_chunk

    chunk = read_and_geoparse_chunk(find_files([corpus]), str(GAZETTEER), fingerprints=True)
    assert len(chunk.mentions) > 100 and chunk.dropped
    data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
    back = pickle.loads(data)
    assert back == chunk
    assert [type(m) for m in back.mentions] == [type(m) for m in chunk.mentions]
    assert [hash(m) for m in back.mentions] == [hash(m) for m in chunk.mentions]
    assert back.fingerprints == chunk.fingerprints and back.articles == chunk.articles
    places = {m.place.id: m.place for m in back.mentions if m.place is not None}
    assert all(m.place is places[m.place.id] for m in back.mentions if m.place is not None)
    sentences = {}
    for m in back.mentions:
        key = (m.mention.article, m.mention.sentence_start)
        assert sentences.setdefault(key, m.mention.sentence) is m.mention.sentence
    assert len(sentences) < len(back.mentions)
    # smaller than the same objects pickled one by one
    assert len(data) < len(pickle.dumps((chunk.articles, chunk.mentions, chunk.dropped), pickle.HIGHEST_PROTOCOL))


def test_packed_objects_are_made_as_their_classes_make_them():
    """The parent makes mentions with the slots' own setters, not ``__init__``: that is the same object only
    while the classes set nothing else (no ``__post_init__``, every slot a field); a class that changes so
    fails here, not in a wrong output."""
    from dataclasses import fields

    from nkmap.model import Dropped, Evidence, Mention, Place, Reason, ResolvedMention
    from nkmap.transfer import packed, unpacked

    for cls in (Mention, ResolvedMention, Dropped):
        assert not hasattr(cls, "__post_init__")
        assert set(cls.__slots__) == {f.name for f in fields(cls)}
    place = Place("p1", "Yerevan", 40.18, 44.51, kind="city", country="AM")
    words = "Aid left Yerevan for Stepanakert."
    one = Mention("a.txt", 9, 16, "Yerevan", words, 0, Evidence())
    two = Mention("a.txt", 21, 32, "Stepanakert", words, 0)
    three = Mention("b.txt", 0, 3, "Aid", "Aid.", 40)
    mentions = (ResolvedMention(one, place, "gazetteer", 0.9, "event"), ResolvedMention(two, None, "unresolved"))
    dropped = (Dropped(two, Reason.BELOW_THRESHOLD, ((place, 0.2),), kept=True), Dropped(three, Reason.COMMON_WORD))
    back_mentions, back_dropped = unpacked(packed(mentions, dropped))
    assert back_mentions == mentions and back_dropped == dropped
    assert back_dropped[0].mention is back_mentions[1].mention and back_dropped[0].candidates[0][0] == place
    assert back_mentions[0].mention.sentence is back_mentions[1].mention.sentence
    assert repr(back_dropped[1]) == repr(dropped[1])
    odd = (ResolvedMention(one, place, "gazetteer", 1, "event"), ResolvedMention(two, None, "unresolved", 0.5))
    assert [repr(m) for m in unpacked(packed(odd, ()))[0]] == [repr(m) for m in odd]  # an int stays an int
    assert unpacked(packed((), ())) == ((), ())


def test_a_shared_connection_is_made_only_when_used_and_fails_naming_the_address():
    """``connected`` connects on first use: a build that never gives the cluster work (its inputs are URLs,
    read here) makes no connection; a use of an unreachable scheduler inside it fails as outside it."""
    from nkmap.errors import NkmapError
    from nkmap.parallel import _SHARED, cluster_threads, connected

    nowhere = "tcp://127.0.0.1:1"
    with connected(nowhere):
        assert _SHARED.clients == {nowhere: None}
    assert not _SHARED.clients
    with connected(nowhere), pytest.raises(NkmapError, match="127.0.0.1:1"):
        cluster_threads(nowhere, timeout=1)
    assert not _SHARED.clients
