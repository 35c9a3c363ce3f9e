"""`build` on worker processes and on a Dask cluster: the workers read the files, and the result, the
files written, the warnings and the errors are the one-process build's."""

from __future__ import annotations

import logging
import pickle

import pytest

import nkmap
from nkmap.pipeline import _sees

from .conftest import ARTICLES, GAZETTEER

FORMATS = "geojson,csv,kml"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The sample articles under new names, plus an exact repeat, an empty file and an export."""
    folder = tmp_path_factory.mktemp("corpus")
    texts = [p.read_bytes() for p in sorted(ARTICLES.glob("*.txt"))]
    for copy in range(3):
        for i, text in enumerate(texts):
            (folder / f"{copy}_{i:02d}.txt").write_bytes(text[: len(text) * (copy + 1) // 3] or text)
    (folder / "1_50_repeat.txt").write_bytes(texts[0])  # the same text as 2_00.txt: a duplicate
    (folder / "1_51_empty.txt").write_text("   \n", encoding="utf-8")  # skipped, with a warning
    rows = [
        '{"title": "Two towns", "text": "Aid convoys left Yerevan for Stepanakert on Monday, officials said."}',
        '{"title": "Empty", "text": ""}',
        '{"title": "Talks", "text": "Ministers met in Baku and later in Tbilisi to talk about the border."}',
    ]
    (folder / "2_99_export.jsonl").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return folder


def built(folder, out, caplog, **options):
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        report = nkmap.build([folder], gazetteer=GAZETTEER, out=out, formats=FORMATS, cache=False, **options)
    warnings = [(r.name, r.levelno, r.getMessage()) for r in caplog.records]
    files = {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}
    return report, warnings, files


def test_two_workers_write_the_one_process_files_with_its_warnings(corpus, tmp_path, caplog):
    one, one_warnings, one_files = built(corpus, tmp_path / "one", caplog)
    two, two_warnings, two_files = built(corpus, tmp_path / "two", caplog, workers=2)
    assert two.result == one.result
    assert two.duplicates == one.duplicates and "1_50_repeat.txt" in {d.article for d in one.duplicates}
    assert any(not d.exact for d in one.duplicates)  # near duplicates too: by the sketches the workers made
    assert two_warnings == one_warnings
    assert any("skipped" in w[2] for w in one_warnings) and any("counted once" in w[2] for w in one_warnings)
    assert two_files == one_files and "mentions.geojson" in one_files
    assert len(one.result.articles) > 12 and len(one.result.mentions) > 50


def test_an_error_in_a_later_file_comes_after_the_warnings_of_the_files_before_it(tmp_path, caplog):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        text = "Reporters in Baku said so. " * (30 if i == 9 else 1)
        (folder / f"{i:02d}.txt").write_text("" if i in (2, 7) else text, encoding="utf-8")

    def outcome(**options):
        caplog.clear()
        try:
            nkmap.build([folder], gazetteer=GAZETTEER, out=tmp_path / "out", max_article_size=200, **options)
        except nkmap.InputError as e:
            return str(e), [r.getMessage() for r in caplog.records]
        raise AssertionError("no error")

    serial = outcome()
    assert "09.txt" in serial[0] and len(serial[1]) == 2  # the two empty files before it
    assert outcome(workers=2) == serial
    assert not (tmp_path / "out").exists()


def test_a_cluster_reads_only_files_it_sees_at_their_size(tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Baku.\n", encoding="utf-8")
    size = article.stat().st_size
    assert _sees([(str(article), size)])
    assert not _sees([(str(article), size + 1)])
    assert not _sees([(str(tmp_path / "elsewhere.txt"), size)])


@pytest.mark.slow
def test_a_dask_cluster_reads_the_files_and_writes_the_one_process_files(corpus, tmp_path, caplog, monkeypatch):
    """... over one connection (asked whether it sees the files, its size, then given the work), in chunks
    cut for the cluster's threads (2 here), not for 8 workers."""
    distributed = pytest.importorskip("dask.distributed")
    from nkmap import parallel

    one, one_warnings, one_files = built(corpus, tmp_path / "one", caplog)
    connects, cut_for = [], []
    connect, chunked_by_size = parallel._connect, parallel.chunked_by_size
    monkeypatch.setattr(parallel, "_connect", lambda *a: connects.append(a) or connect(*a))
    monkeypatch.setattr(
        parallel, "chunked_by_size", lambda i, s, w, **k: cut_for.append(w) or chunked_by_size(i, s, w, **k)
    )
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask, dask_warnings, dask_files = built(corpus, tmp_path / "dask", caplog, scheduler=cluster.scheduler_address)
    assert dask.result == one.result and dask.duplicates == one.duplicates
    assert dask_warnings == one_warnings
    assert dask_files == one_files
    assert len(connects) == 1 and cut_for == [2]
    assert not parallel._SHARED.clients  # closed once the build is done


@pytest.mark.slow
def test_articles_read_here_for_a_cluster_that_cannot_see_them_go_over_the_one_connection(
    corpus, tmp_path, caplog, monkeypatch
):
    distributed = pytest.importorskip("dask.distributed")
    from nkmap import parallel, pipeline

    one, _, one_files = built(corpus, tmp_path / "one", caplog)
    connects = []
    connect = parallel._connect
    monkeypatch.setattr(parallel, "_connect", lambda *a: connects.append(a) or connect(*a))
    # the cluster is asked, over the build's connection, and is taken not to see the files: they are read here
    monkeypatch.setattr(pipeline, "_workers_can_read", lambda a, u, s: parallel.cluster_threads(s) < 0)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask, _, dask_files = built(corpus, tmp_path / "dask", caplog, scheduler=cluster.scheduler_address)
    assert dask.result == one.result and dask_files == one_files
    assert len(connects) == 1
    assert not parallel._SHARED.clients


def test_results_cross_processes_as_their_fields():
    """What the workers send back pickles as ``cls(*fields)``, and comes back equal."""
    result = nkmap.geoparse(nkmap.read_articles([ARTICLES]), nkmap.load_gazetteer(GAZETTEER))
    back = pickle.loads(pickle.dumps(result))
    assert back == result and len(result.mentions) > 50
    mention = result.mentions[0]
    cls, fields = mention.__reduce__()
    assert cls is type(mention) and cls(*fields) == mention
    assert pickle.loads(pickle.dumps(result.dropped)) == result.dropped and result.dropped
