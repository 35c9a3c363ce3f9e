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


def test_dask_local_cluster_gives_the_serial_result(corpus, serial):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = geoparse_files([corpus], GAZETTEER, scheduler=cluster.scheduler_address)
    assert result == serial


def test_default_build_does_not_import_dask(tmp_path):
    import subprocess

    code = (
        "import sys, nkmap; nkmap.build(out=sys.argv[1]); print('dask' in sys.modules or 'distributed' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
