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
from nkmap.model import Article, GeoparseResult, ResolvedMention

Chunk = tuple[list[Article], list[ResolvedMention]]


def geoparse_files(
    paths: Sequence[str | os.PathLike[str]],
    gazetteer: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    geonames: bool = True,
    max_article_size: int = MAX_ARTICLE_BYTES,
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
        geoparse_chunk, gazetteer=str(gazetteer), geonames=geonames, max_article_size=max_article_size
    )
    if scheduler:
        results = _on_dask(scheduler, task, chunks)
    elif workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(task, chunks))
    else:
        results = [task(chunk) for chunk in chunks]
    articles = [a for chunk_articles, _ in results for a in chunk_articles]
    mentions = [m for _, chunk_mentions in results for m in chunk_mentions]
    return GeoparseResult(tuple(articles), tuple(mentions), summarise(mentions))


def geoparse_chunk(
    files: Sequence[str], gazetteer: str, geonames: bool = True, max_article_size: int = MAX_ARTICLE_BYTES
) -> Chunk:
    """Read and geoparse some files where this process runs (sources are loaded once per process)."""
    from nkmap.pipeline import geoparse

    result = geoparse(iter_articles(files, max_article_size), sources=_sources(gazetteer, geonames))
    return list(result.articles), list(result.mentions)


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


def geoparse_articles(
    articles: Sequence[Article],
    gazetteer: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    geonames: bool = True,
) -> GeoparseResult:
    """Like :func:`geoparse_files`, over articles already read (an export or a fetched page is not one file each)."""
    from nkmap.pipeline import summarise

    if geonames:
        from nkmap.sources.geonames import load_geonames

        load_geonames()
    size = max(1, math.ceil(len(articles) / (max(1, workers) * 4)))
    chunks = [list(articles[i : i + size]) for i in range(0, len(articles), size)]
    task = functools.partial(geoparse_article_chunk, gazetteer=str(gazetteer), geonames=geonames)
    if scheduler:
        results = _on_dask(scheduler, task, chunks)
    elif workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(task, chunks))
    else:
        results = [task(chunk) for chunk in chunks]
    mentions = [m for _, chunk_mentions in results for m in chunk_mentions]
    return GeoparseResult(
        tuple(a for chunk_articles, _ in results for a in chunk_articles), tuple(mentions), summarise(mentions)
    )


def geoparse_article_chunk(articles: Sequence[Article], gazetteer: str, geonames: bool = True) -> Chunk:
    """Geoparse some articles where this process runs (sources are loaded once per process)."""
    from nkmap.pipeline import geoparse

    result = geoparse(articles, sources=_sources(gazetteer, geonames))
    return list(result.articles), list(result.mentions)
