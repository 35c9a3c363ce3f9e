"""Geoparsing spread over processes (``--workers N``) or a Dask cluster (``--scheduler ADDRESS``).

Articles are independent, so the corpus is cut into chunks of files, each chunk is read and
geoparsed where it runs, and the chunks come back in order: the result is the serial one.
Dask is imported only when a scheduler is given.
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Sequence
from pathlib import Path

from nkmap.inputs.articles import MAX_ARTICLE_BYTES, article_files, iter_articles
from nkmap.model import Article, Dropped, GeoparseResult, ResolvedMention

Chunk = tuple[list[Article], list[ResolvedMention], list[Dropped]]


def geoparse_files(
    paths: Sequence[str | os.PathLike[str]],
    gazetteer: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    geonames: bool = True,
    max_article_size: int = MAX_ARTICLE_BYTES,
    corrections: object | None = None,
) -> GeoparseResult:
    """Geoparse the article files under ``paths`` on ``workers`` processes or a Dask ``scheduler``."""
    from nkmap.pipeline import summarise

    files = [str(f) for f in article_files(paths)]
    if geonames:
        from nkmap.sources.geonames import load_geonames

        load_geonames()  # build the on-disk index once here, not in every worker
    parts = max(1, workers) * 4
    size = max(1, math.ceil(len(files) / parts))
    chunks = [files[i : i + size] for i in range(0, len(files), size)]
    task = functools.partial(
        geoparse_chunk,
        gazetteer=str(gazetteer),
        geonames=geonames,
        max_article_size=max_article_size,
        corrections=corrections,
    )
    if scheduler:
        results = _on_dask(scheduler, task, chunks)
    elif workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(task, chunks))
    else:
        results = [task(chunk) for chunk in chunks]
    articles = [a for chunk in results for a in chunk[0]]
    mentions = [m for chunk in results for m in chunk[1]]
    dropped = [d for chunk in results for d in chunk[2]]
    return GeoparseResult(tuple(articles), tuple(mentions), summarise(mentions), tuple(dropped))


def geoparse_chunk(
    files: Sequence[str],
    gazetteer: str,
    geonames: bool = True,
    max_article_size: int = MAX_ARTICLE_BYTES,
    corrections: object | None = None,
) -> Chunk:
    """Read and geoparse some files where this process runs (sources are loaded once per process)."""
    from nkmap.pipeline import geoparse

    result = geoparse(
        iter_articles(files, max_article_size),
        sources=_sources(gazetteer, geonames),
        corrections=corrections,  # type: ignore[arg-type]
    )
    return list(result.articles), list(result.mentions), list(result.dropped)


@functools.cache
def _sources(gazetteer: str, geonames: bool) -> list:
    from nkmap.pipeline import default_sources
    from nkmap.sources.gazetteer import load_gazetteer

    return default_sources(load_gazetteer(Path(gazetteer)), geonames)


def _on_dask(address: str, task: functools.partial, chunks: list[list[str]]) -> list[Chunk]:
    try:
        from dask.distributed import Client
    except ImportError:
        from nkmap.errors import NkmapError

        raise NkmapError("--scheduler needs Dask: pip install 'nkmap[dask]'") from None
    with Client(address) as client:
        return client.gather(client.map(task, chunks, pure=False))
