"""The one composed pipeline the CLI, the tests and notebooks share.

articles → mentions → resolved mentions → GeoparseResult → map and files.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from nkmap.datafiles import SAMPLE_ARTICLES
from nkmap.errors import NkmapError
from nkmap.formats import parse_formats
from nkmap.infra import collector
from nkmap.infra.readcache import Fingerprint, ReadCache
from nkmap.infra.resultcache import ResultCache, context_digest
from nkmap.inputs.articles import (
    MAX_ARTICLE_BYTES,
    SkippedFile,
    article_files,
    read_article,
    read_articles,
)
from nkmap.inputs.duplicates import Duplicate, fingerprint
from nkmap.inputs.exports import Fields
from nkmap.inputs.files import SourceFile
from nkmap.model import Article, BuildCounts, Dropped, GeoparseResult, Mention, Reason, ResolvedMention
from nkmap.model import summarise as summarise  # re-exported: the summaries are built by GeoparseResult.of
from nkmap.names import name_key
from nkmap.recognize.scan import NameIndex, RecognitionRules, find_candidates, find_mentions
from nkmap.resolve.resolver import Resolution, Resolver
from nkmap.roles import tag_roles
from nkmap.sources.base import NameSource
from nkmap.sources.corrections import AppliedCorrections
from nkmap.sources.gazetteer import DEFAULT_GAZETTEER, Gazetteer, load_gazetteer

DEFAULT_ARTICLES = SAMPLE_ARTICLES
DEFAULT_OUT = Path("output")
log = logging.getLogger("nkmap.inputs.articles")  # skipped files are reported as the reader reports them


class Recognizer(Protocol):
    """Finds the candidate place names of one article."""

    def __call__(self, article: Article) -> Sequence[Mention]: ...


class ResolverStage(Protocol):
    """Picks a place (or none, or drops the candidate with a reason) for each mention of one article."""

    def __call__(self, article: Article, mentions: Sequence[Mention]) -> Resolution | Sequence[ResolvedMention]: ...


class Tagger(Protocol):
    """Adds what each place does in its sentence (``ResolvedMention.role``)."""

    def __call__(self, article: Article, mentions: Sequence[ResolvedMention]) -> Sequence[ResolvedMention]: ...


class ScanRecognizer:
    """The default recogniser: the names of ``sources`` (by tier), scanned for with ``rules``."""

    def __init__(self, sources: Sequence[NameSource], rules: RecognitionRules | None = None) -> None:
        self.names = NameIndex.from_sources(*sources)
        self.rules = rules or RecognitionRules.default()

    def __call__(self, article: Article) -> list[Mention]:
        return find_mentions(article, self.names, self.rules)

    def candidates(self, article: Article) -> tuple[list[Mention], list[Dropped]]:
        """The mentions, and the names some source knows that the rules turned down (with the reason)."""
        return find_candidates(article, self.names, self.rules)


def default_sources(gazetteer: Gazetteer, geonames: bool = True) -> list[NameSource]:
    """The curated gazetteer, then CLDR country names, then (optionally) GeoNames, the case forms of all
    three (Russian, Ukrainian: "Москвой", "Киеве"), their Arabic names with or without the article
    ("Qamishli"), one-edit misspellings of the curated and country names ("Pakistn"), and
    administrative areas.

    Administrative areas come with GeoNames only (their points are GeoNames settlements: their seats), and
    answer after it: a settlement GeoNames knows is not shadowed by a village of the same name elsewhere.
    """
    from nkmap.sources.countries import country_names
    from nkmap.sources.geonames import load_geonames

    index = load_geonames() if geonames else None
    countries = country_names(tuple(p for p in gazetteer.places if p.kind == "country"), index)
    if index is None:
        return [gazetteer, countries]
    from nkmap.sources.admin import load_admin
    from nkmap.sources.inflected import InflectedNames
    from nkmap.sources.nearmiss import NearMissNames
    from nkmap.sources.variants import ArticleVariants

    known: list[NameSource] = [gazetteer, countries, index]
    variants: list[NameSource] = [InflectedNames(known), ArticleVariants(known), NearMissNames([gazetteer, countries])]
    return [*known, *variants, load_admin()]


def geoparse(
    articles: Iterable[Article],
    gazetteer: Gazetteer | None = None,
    *,
    sources: Sequence[NameSource] | None = None,
    geonames: bool = True,
    recognizer: Recognizer | None = None,
    resolver: ResolverStage | None = None,
    tagger: Tagger | None = None,
    corrections: AppliedCorrections | None = None,
    cache: ResultCache | None = None,
) -> GeoparseResult:
    """Find and resolve every place mention in ``articles``.

    Parameters
    ----------
    articles : the articles, e.g. from :func:`nkmap.read_articles`.
    gazetteer : the curated gazetteer (default: the packaged ``data/gazetteer.geojson``).
    sources : name sources in priority order (default: :func:`default_sources`); each implements
        :class:`nkmap.sources.base.NameSource` (``lookup``, ``names``, ``tier``).
    geonames : whether the default sources fall back to GeoNames.
    recognizer, resolver, tagger : the stages, each a callable (see :class:`Recognizer`,
        :class:`ResolverStage`, :class:`Tagger`); default :class:`ScanRecognizer` and
        :class:`~nkmap.resolve.resolver.Resolver` over ``sources``, and :func:`nkmap.roles.tag_roles`.
    corrections : the user's corrections (:mod:`nkmap.sources.corrections`): the strongest source,
        and a filter of the names marked not a place.
    cache : per-article results kept between runs (:mod:`nkmap.infra.resultcache`): an article
        whose key did not change is not geoparsed again (used with the default stages only).
    """
    run = geoparser(
        gazetteer,
        sources=sources,
        geonames=geonames,
        recognizer=recognizer,
        resolver=resolver,
        tagger=tagger,
        corrections=corrections,
        cache=cache,
    )
    # Every mention is kept till the end: the collector's full passes walked them all again and again
    # (10 MB of news: 8 passes, 1 s of 9), unless what is alive is frozen now and then.
    with collector.frozen():
        return run(collector.freezing(articles, every=FREEZE_EVERY))


FREEZE_EVERY = 50  # articles geoparsed between two freezes of what is alive (see collector.freezing)


def geoparser(
    gazetteer: Gazetteer | None = None,
    *,
    sources: Sequence[NameSource] | None = None,
    geonames: bool = True,
    recognizer: Recognizer | None = None,
    resolver: ResolverStage | None = None,
    tagger: Tagger | None = None,
    corrections: AppliedCorrections | None = None,
    cache: ResultCache | None = None,
) -> Callable[[Iterable[Article]], GeoparseResult]:
    """:func:`geoparse` with its stages made once, for articles given a batch at a time (the streamed
    build): what the recogniser and the resolver remember of a name (its candidates, distances and
    choices) carries over from batch to batch, so each batch's result is the one a single call
    over all of them gives. The parameters are :func:`geoparse`'s."""
    if sources is None and (recognizer is None or resolver is None):
        sources = default_sources(gazetteer if gazetteer is not None else load_gazetteer(DEFAULT_GAZETTEER), geonames)
    first = [corrections] if corrections else []  # corrections win over every source
    recognize = recognizer or ScanRecognizer([*first, *(sources or ())])
    resolve: ResolverStage = resolver or Resolver([*(c.current for c in first), *(sources or ())])
    if corrections:
        resolve = corrections.resolver(resolve)  # type: ignore[assignment]
    tag = tagger or tag_roles
    context = None
    if cache is not None and recognizer is resolver is tagger is None:
        context = context_digest(sources or (), recognize.names.max_words)  # type: ignore[attr-defined]
    scopes = {frozenset[str](): (recognize, context)}  # recogniser and cache context by the names pinned here only

    def run(articles: Iterable[Article]) -> GeoparseResult:
        kept: list[Article] = []
        resolved: list[ResolvedMention] = []
        dropped: list[Dropped] = []
        for article in articles:
            kept.append(article)
            scan, key = recognize, context
            if corrections and recognizer is None:
                scan, key = _recognizer_for(scopes, corrections, article.name, sources or ())
            slot = None
            if key is not None:
                slot = cache.slot(key, article, corrections)  # type: ignore[union-attr]
                hit = cache.get(slot, article)  # type: ignore[union-attr]
                if hit is not None:
                    resolved.extend(hit[0])
                    dropped.extend(hit[1])
                    continue
            turned_down: list[Dropped] = []  # the recogniser's rejections: reported too, never silently lost
            found: Sequence[Mention]
            recognised = None
            if isinstance(scan, ScanRecognizer):
                again = cache.recognition(slot, article) if slot is not None else None  # type: ignore[union-attr]
                found, turned_down = recognised = again or scan.candidates(article)
                if corrections and turned_down:  # a name the user marked not a place is settled, not awaiting review
                    settled = {
                        (d.mention.start, d.mention.end)
                        for d in corrections.refuse(article.name, [d.mention for d in turned_down])[1]
                    }
                    turned_down = [
                        Dropped(d.mention, Reason.CORRECTION) if (d.mention.start, d.mention.end) in settled else d
                        for d in turned_down
                    ]
            else:
                found = scan(article)
            resolution = resolve(article, found)
            if not isinstance(resolution, Resolution):
                resolution = Resolution(tuple(resolution))
            mentions = list(tag(article, resolution.mentions))
            if slot is not None:
                candidates = {name_key(m.surface) for m in found} | {name_key(d.mention.surface) for d in turned_down}
                entry = (mentions, [*turned_down, *resolution.dropped])
                cache.put(slot, article, entry, candidates, recognised)  # type: ignore[union-attr]
            resolved.extend(mentions)
            dropped.extend(turned_down)
            dropped.extend(resolution.dropped)
        if cache is not None:
            cache.commit()
        return GeoparseResult.of(kept, resolved, dropped)

    return run


def _recognizer_for(
    scopes: dict[frozenset[str], tuple[Recognizer, str | None]],
    corrections: AppliedCorrections,
    article: str,
    sources: Sequence[NameSource],
) -> tuple[Recognizer, str | None]:
    """The default recogniser for ``article``: it also looks for the names pinned or aliased for this
    article only (elsewhere they are no candidate), one recogniser per set of such names."""
    names = corrections.scoped_names(article)
    if names not in scopes:
        scan = ScanRecognizer([corrections.source(article), *sources])
        cached = scopes[frozenset()][1] is not None
        scopes[names] = (scan, context_digest(sources, scan.names.max_words) if cached else None)
    return scopes[names]


def geoparse_files(
    paths: Sequence[str | os.PathLike[str]],
    gazetteer: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    geonames: bool = True,
    max_article_size: int = MAX_ARTICLE_BYTES,
    corrections: AppliedCorrections | None = None,
    recursive: bool = False,
    follow_links: bool = False,
    fields: Fields | None = None,
) -> GeoparseResult:
    """Geoparse the article files under ``paths`` on ``workers`` processes or a Dask ``scheduler``.

    The result, the warnings and the errors are the serial ones (``geoparse(read_articles(paths))``):
    chunks of files are read and geoparsed where they run (sources loaded once per process) and
    put back in order. On a cluster the workers must see the same files (a shared disk).
    """
    articles, mentions, dropped = read_and_geoparse(
        paths,
        gazetteer,
        workers=workers,
        scheduler=scheduler,
        geonames=geonames,
        max_article_size=max_article_size,
        corrections=corrections,
        recursive=recursive,
        follow_links=follow_links,
        fields=fields,
    )
    return GeoparseResult.of(articles, mentions, dropped)


def read_and_geoparse(
    paths: Sequence[str | os.PathLike[str]],
    gazetteer: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    geonames: bool = True,
    max_article_size: int = MAX_ARTICLE_BYTES,
    corrections: AppliedCorrections | None = None,
    recursive: bool = False,
    follow_links: bool = False,
    fields: Fields | None = None,
) -> tuple[list[Article], list[ResolvedMention], list[Dropped]]:
    """The articles of the files under ``paths`` and their mentions and drops, read *and* geoparsed in
    the workers, in corpus order; the reading warnings are given here, in the serial order.

    Reading (decoding, metadata, language, dates) is a fifth of the serial work: done in the parent
    it would cap two workers at about 1.4x. Only the file list is made here. An error reading a file
    is raised after the warnings of the files before it, as the serial reader raises it.
    """
    articles: list[Article] = []
    mentions: list[ResolvedMention] = []
    dropped: list[Dropped] = []
    from nkmap.parallel import connected

    with connected(scheduler):  # one connection to a cluster: asked its size, then given the work
        for chunk in geoparsed_on_workers(
            paths,
            gazetteer,
            workers=workers,
            scheduler=scheduler,
            geonames=geonames,
            max_article_size=max_article_size,
            corrections=corrections,
            recursive=recursive,
            follow_links=follow_links,
            fields=fields,
        ):
            articles.extend(chunk.articles)
            mentions.extend(chunk.mentions)
            dropped.extend(chunk.dropped)
    return articles, mentions, dropped


def geoparsed_on_workers(
    paths: Sequence[str | os.PathLike[str]],
    gazetteer: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    geonames: bool = True,
    max_article_size: int = MAX_ARTICLE_BYTES,
    corrections: AppliedCorrections | None = None,
    recursive: bool = False,
    follow_links: bool = False,
    fields: Fields | None = None,
    fingerprints: bool = False,
) -> Iterator[ChunkResult]:
    """:func:`read_and_geoparse`, chunk by chunk as the workers finish them (in corpus order); with
    ``fingerprints``, each chunk holds its articles' duplicate fingerprints.

    The workers start before this returns: the caller's own work on the first chunks (finding
    duplicates, say) overlaps with theirs on the last. The reading warnings are given as the chunks
    come in, in the serial order; an error, after the warnings of the files before it.
    """
    from nkmap.inputs.files import find_files
    from nkmap.parallel import chunked_by_size, cluster_threads, iter_chunks
    from nkmap.progress import track

    def serially() -> None:  # the serial reader raises the same error, after the same warnings
        read_articles(paths, max_article_size, recursive=recursive, follow_links=follow_links, fields=fields)
        raise AssertionError("the serial reader found articles the workers did not")  # pragma: no cover

    with _warnings_kept() as found_warnings:
        try:
            sources = find_files(paths, recursive=recursive, follow_links=follow_links)
        except NkmapError:
            sources = None
    if sources is None:
        serially()
    if geonames:
        from nkmap.sources.geonames import load_geonames

        load_geonames()  # build the on-disk index once here, not in every worker
    work = functools.partial(
        read_and_geoparse_chunk,
        gazetteer=str(gazetteer),
        geonames=geonames,
        max_article_size=max_article_size,
        fields=fields,
        corrections=corrections,
        level=logging.getLogger("nkmap").getEffectiveLevel(),
        fingerprints=fingerprints,
    )
    # Small chunks: the last one to finish leaves the other cores idle for its length. On a cluster, as
    # many per thread as per process here (64 for a cluster of no worker yet): each chunk costs a round
    # trip and its places and strings sent once more (10 MB corpus on 2 single-threaded workers: 84
    # chunks when cut for 8 workers, 21 now).
    chunks = chunked_by_size(
        sources,  # type: ignore[arg-type]
        [_size(s.path) for s in sources],  # type: ignore[union-attr]
        (cluster_threads(scheduler) or 8) if scheduler else workers,
        per_worker=CHUNKS_PER_WORKER,
    )
    results = iter_chunks(work, chunks, workers=workers, scheduler=scheduler)

    def arriving() -> Iterator[ChunkResult]:
        held = list(found_warnings)  # given with the first article: with none, the serial reader gives them
        seen = False
        for chunk in track(results, "geoparsing", total=len(chunks), unit="chunks"):
            held.extend(chunk.warnings)
            if chunk.error is not None:
                results.close()  # type: ignore[attr-defined]
                _give(held)
                raise chunk.error
            seen = seen or bool(chunk.articles)
            if seen:
                _give(held)
                held = []
                yield chunk
        if not seen:
            serially()

    return arriving()


CHUNKS_PER_WORKER = 8


def _size(path: Path) -> int:
    """A file's size in bytes, 0 if it cannot be had (its reader says why, in a worker)."""
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def read_and_geoparse_chunk(
    sources: Sequence[SourceFile],
    gazetteer: str,
    geonames: bool = True,
    max_article_size: int = MAX_ARTICLE_BYTES,
    fields: Fields | None = None,
    corrections: AppliedCorrections | None = None,
    level: int = logging.WARNING,
    fingerprints: bool = False,
) -> ChunkResult:
    """Read some input files as :func:`~nkmap.inputs.articles.iter_articles` reads them and geoparse
    their articles, where this process runs.

    The warnings (``level`` and up) are kept, in order, for the parent to give; with
    ``fingerprints``, each article's duplicate fingerprint is made here too. An error stops the chunk
    and travels back with the warnings before it, so that the parent raises it where the serial reader does.
    """
    from nkmap.inputs.exports import read_export

    articles: list[Article] = []
    with _warnings_kept(level) as warnings:
        try:
            for source in sources:
                try:
                    if source.format in ("jsonl", "csv", "tsv", "parquet"):  # as iter_articles reads them
                        for article in read_export(
                            source.path,
                            source.name,
                            source.format,
                            fields if fields is not None else Fields(),
                            max_article_size,
                        ):
                            articles.append(article)
                    else:
                        articles.append(
                            read_article(source.path, max_article_size, name=source.name, fmt=source.format)
                        )
                except SkippedFile as e:
                    log.warning("%s; skipped", e)
        except NkmapError as e:
            return ChunkResult((), (), (), (), tuple(warnings), e)
    if not articles:
        return ChunkResult((), (), (), (), tuple(warnings))
    result = _chunk_geoparsed(articles, gazetteer, geonames, corrections)
    # the duplicate fingerprints made here, beside the geoparsing, not in the parent alone after it
    found = tuple(fingerprint(a.text) for a in result.articles) if fingerprints else ()
    return ChunkResult(result.articles, result.mentions, result.dropped, (), tuple(warnings), fingerprints=found)


@contextlib.contextmanager
def _warnings_kept(level: int = logging.WARNING) -> Iterator[list[tuple[str, int, str]]]:
    """nkmap's log records of ``level`` and up, kept as (logger, level, message) instead of shown."""
    logger = logging.getLogger("nkmap")
    kept: list[tuple[str, int, str]] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            kept.append((record.name, record.levelno, record.getMessage()))

    handlers, propagate, before = logger.handlers[:], logger.propagate, logger.level
    logger.handlers[:] = [Keep(level)]
    logger.propagate = False
    logger.setLevel(min(level, logger.getEffectiveLevel()))
    try:
        yield kept
    finally:
        logger.handlers[:] = handlers
        logger.propagate = propagate
        logger.setLevel(before)


def _give(warnings: Iterable[tuple[str, int, str]]) -> None:
    """Log again, here, what :func:`_warnings_kept` kept (in a worker, or before it was known to be wanted)."""
    for name, level, message in warnings:
        logging.getLogger(name).log(level, "%s", message)


def geoparse_articles(
    articles: Sequence[Article],
    gazetteer: str | os.PathLike[str],
    *,
    workers: int = 1,
    scheduler: str | None = None,
    geonames: bool = True,
    corrections: AppliedCorrections | None = None,
) -> GeoparseResult:
    """Like :func:`geoparse_files`, over articles already read (an export row or a fetched page is
    no file of its own, and duplicates are left out before geoparsing)."""
    from nkmap.parallel import chunked, run_chunks

    if geonames:
        from nkmap.sources.geonames import load_geonames

        load_geonames()  # build the on-disk index once here, not in every worker
    work = functools.partial(
        geoparse_article_chunk, gazetteer=str(gazetteer), geonames=geonames, corrections=corrections
    )
    results = run_chunks(work, chunked(list(articles), workers), workers=workers, scheduler=scheduler)
    return GeoparseResult.of(
        [a for c in results for a in c.articles],
        [m for c in results for m in c.mentions],
        [d for c in results for d in c.dropped],
    )


@dataclass(frozen=True, slots=True)
class ChunkResult:
    """What geoparsing one chunk of files gives back to the parent process."""

    articles: tuple[Article, ...]
    mentions: tuple[ResolvedMention, ...]
    dropped: tuple[Dropped, ...]
    skipped: tuple[str, ...]  # why each skipped file was skipped, for the parent to warn
    warnings: tuple[tuple[str, int, str], ...] = ()  # (logger, level, message) as logged in the worker
    error: Exception | None = None  # what stopped the chunk (raised by the parent, after the warnings)
    fingerprints: tuple[Fingerprint, ...] = ()  # the articles' duplicate fingerprints, when asked for

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled with its mentions and dropped candidates packed as columns (:mod:`nkmap.transfer`): each
        chunk a worker gives back is pickled there and unpickled here, 7.5k mentions per 170 articles."""
        from nkmap.transfer import packed

        rest = (self.skipped, self.warnings, self.error, self.fingerprints)
        return _chunk_result, (self.articles, packed(self.mentions, self.dropped), *rest)


def _chunk_result(articles: tuple[Article, ...], packed: tuple[Any, ...], *rest: Any) -> ChunkResult:
    from nkmap.transfer import unpacked

    return ChunkResult(articles, *unpacked(packed), *rest)


def geoparse_article_chunk(
    articles: Sequence[Article],
    gazetteer: str,
    geonames: bool = True,
    corrections: AppliedCorrections | None = None,
) -> ChunkResult:
    """Geoparse some articles where this process runs."""
    result = _chunk_geoparsed(articles, gazetteer, geonames, corrections)
    return ChunkResult(result.articles, result.mentions, result.dropped, ())


def _chunk_geoparsed(
    articles: Sequence[Article], gazetteer: str, geonames: bool, corrections: AppliedCorrections | None
) -> GeoparseResult:
    """The sources are loaded once per process, and without corrections so are the stages, whose
    memos of names then serve every chunk the process gets."""
    if corrections is None:
        return _process_stages(gazetteer, geonames)(articles)
    # corrections are unpickled anew with each chunk: stages of their own
    return geoparse(articles, sources=_process_sources(gazetteer, geonames), corrections=corrections)


@functools.cache
def _process_stages(gazetteer: str, geonames: bool) -> Callable[[Iterable[Article]], GeoparseResult]:
    return geoparser(sources=_process_sources(gazetteer, geonames))


@functools.cache
def _process_sources(gazetteer: str, geonames: bool) -> list[NameSource]:
    """The default sources, loaded once per process (the parent has already checked the gazetteer)."""
    return default_sources(load_gazetteer(Path(gazetteer), check_countries=False), geonames)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What ``build`` did: the result and the files it wrote."""

    result: GeoparseResult | None  # None when the build kept no result (``keep_result=False``: see ``counts``)
    files: tuple[Path, ...]
    corrections: Path | None = None  # the corrections file applied, if any
    duplicates: tuple[Duplicate, ...] = ()  # articles left out as repeats of another (none with keep_duplicates)
    counts: BuildCounts | None = None  # what was found, counted (what the CLI prints)

    @property
    def map_path(self) -> Path | None:
        """``map.html``, or None when the ``html`` format was not asked for."""
        return next((p for p in self.files if p.name == "map.html"), None)


def build(
    articles: Iterable[str | os.PathLike[str]] = (DEFAULT_ARTICLES,),
    gazetteer: str | os.PathLike[str] = DEFAULT_GAZETTEER,
    out: str | os.PathLike[str] = DEFAULT_OUT,
    formats: str | Iterable[str] | None = None,
    geonames: bool = True,
    workers: int = 1,
    scheduler: str | None = None,
    max_article_size: int = MAX_ARTICLE_BYTES,
    tiles: str | None = "none",
    embed: bool = False,
    *,
    recursive: bool = False,
    follow_links: bool = False,
    fields: Fields | None = None,
    urls: Iterable[str] = (),
    url_timeout: float | None = None,
    url_delay: float | None = None,
    keep_duplicates: bool = False,
    corrections: str | os.PathLike[str] | bool | None = None,
    cache: bool = True,
    title: str | None = None,
    keep_result: bool = True,
) -> BuildReport:
    """Read articles, geoparse them and write the map and data files to ``out``.

    ``formats`` picks the files (``"html,csv"`` or a list; default all but the static png and svg, see :mod:`nkmap.formats`).
    Everything is read and checked before the first file is written: bad input (or a typo in
    ``formats``) leaves ``out`` as it was. ``workers`` > 1 spreads geoparsing over processes;
    ``scheduler`` (a Dask address) over a cluster. Both give the serial result. ``tiles`` adds
    online tiles over the offline basemap ("osm" or a URL template); ``embed`` also writes the
    ``<iframe>`` snippet for reports.

    ``articles`` may hold files and folders of every format :mod:`nkmap.inputs` reads and http(s)
    URLs; ``recursive``, ``follow_links``, ``fields`` (export columns), ``urls`` (more URLs),
    ``url_timeout`` and ``url_delay`` go to :func:`nkmap.inputs.articles.iter_articles`.
    Articles that repeat another (the same text, or a near copy) are left out with a warning
    naming what they repeat, unless ``keep_duplicates``.
    ``corrections`` is the corrections file (default: ``corrections.json`` in the first articles
    folder, when there is one; False: none). ``cache`` keeps per-article results between builds
    (:mod:`nkmap.infra.resultcache`), and what reading found in each text (:mod:`nkmap.infra.readcache`).
    ``title`` names the map page and the static map (default: what the corpus is; the subtitle
    gives the dates and counts).

    Geoparsed on one process, the articles go to the outputs a batch at a time as they are
    geoparsed (:mod:`nkmap.outputs.stream`): the mention files are written as the mentions come and
    the page's data is kept compact, so with ``keep_result=False`` (the CLI's way) the memory a
    build takes hardly grows with its corpus; the report then holds the counts (``counts``) and no
    result. With ``keep_result`` (the default) ``result`` is the whole result, as ``geoparse`` gives it.
    """
    formats = parse_formats(formats)
    articles = list(articles)
    if tiles not in (None, "none"):
        from nkmap.outputs.web.basemap import resolve_tiles

        resolve_tiles(tiles)  # a bad --tiles fails before anything is read
    curated = load_gazetteer(gazetteer)  # a bad gazetteer or corrections file fails here, before any reading
    corrections_file, applied = load_applied_corrections(articles, corrections, curated)

    from nkmap.parallel import connected

    with connected(scheduler):  # one connection to a cluster for the whole build: whether it sees the files,
        # its size, the work (read here when it cannot see them)
        if (workers > 1 or scheduler) and _workers_can_read(articles, urls, scheduler):
            return _build_on_workers(
                articles,
                gazetteer,
                out,
                formats,
                workers=workers,
                scheduler=scheduler,
                geonames=geonames,
                max_article_size=max_article_size,
                corrections=applied,
                recursive=recursive,
                follow_links=follow_links,
                fields=fields,
                keep_duplicates=keep_duplicates,
                keep_result=keep_result,
                corrections_file=corrections_file,
                tiles=tiles,
                embed=embed,
                title=title,
            )
        reads = ReadCache() if cache else None  # what reading found in each text, kept between builds
        reading: dict[str, Any] = {
            "recursive": recursive,
            "follow_links": follow_links,
            "fields": fields,
            "urls": urls,
            "url_timeout": url_timeout,
            "url_delay": url_delay,
        }
        duplicates: list[Duplicate] = []
        if workers > 1 or scheduler:
            read = read_articles(articles, max_article_size, cache=reads, **reading)
            if not keep_duplicates:
                from nkmap.inputs.duplicates import report_duplicates, without_duplicates

                read, duplicates = without_duplicates(read, reads)
                report_duplicates(duplicates)
            if reads is not None:
                reads.close()  # each step committed its entries (a failed build writes none)
            result = geoparse_articles(
                read, gazetteer, workers=workers, scheduler=scheduler, geonames=geonames, corrections=applied
            )
            return _write(result, out, formats, tiles, embed, applied, title, geonames, corrections_file, duplicates)
        # One process: each article is read, checked for duplicates and geoparsed as it comes, so only the
        # texts of the batch under way are held; a reading error midway leaves ``out`` as it was (the
        # outputs are written to temporaries, put in place at the end).
        from nkmap.inputs.articles import read_lazily

        lazily = read_lazily(articles, max_article_size, cache=reads, **reading)
        if not keep_duplicates:
            from nkmap.inputs.duplicates import drop_duplicates

            lazily = drop_duplicates(lazily, duplicates, reads)
        results = ResultCache() if cache else None
        try:
            return _streamed(
                lazily,
                curated,
                out,
                formats,
                geonames=geonames,
                corrections=applied,
                cache=results,
                keep_result=keep_result,
                report=(corrections_file, duplicates),
                tiles=tiles,
                embed=embed,
                title=title,
            )
        finally:
            if results is not None:
                results.close()
            if reads is not None:
                reads.close()  # what was read, kept even if the build failed later (as read_articles does)


BATCH_BYTES = 500_000  # characters of text geoparsed before their rows go to the outputs (streamed build)


def _streamed(
    read: list[Article] | Iterator[Article],
    curated: Gazetteer,
    out: str | os.PathLike[str],
    formats: Sequence[str],
    *,
    geonames: bool,
    corrections: AppliedCorrections | None,
    cache: ResultCache | None,
    keep_result: bool,
    report: tuple[Path | None, Sequence[Duplicate]],
    **options: Any,
) -> BuildReport:
    """Geoparse ``read`` a batch at a time and give each batch to the outputs as it is done
    (:func:`nkmap.outputs.stream.stream_outputs`); a list is emptied on the way and an iterator
    (articles read as they are needed) taken as it comes, so each text is let go once its batch is
    written. Each article is geoparsed on its own: the result is the one ``geoparse`` gives for them
    all at once. ``report`` holds the corrections file and the duplicates left out; when ``read`` is an
    iterator that leaves them out as it goes, the duplicates are reported (warned of) once it is done."""
    from nkmap.infra.resultcache import digests_kept
    from nkmap.outputs.stream import give_back_memory
    from nkmap.progress import track

    give_back_memory()  # what was held before (read first: every text, and the duplicates index) is freed by now
    sources = default_sources(curated, geonames)

    def taken() -> Iterator[Article]:
        if not isinstance(read, list):  # read as it goes: reading's progress is the build's
            yield from read
            from nkmap.inputs.duplicates import report_duplicates

            report_duplicates(report[1])  # all read: the warnings come after reading's, as when read first
            return
        for i, article in enumerate(track(read, "geoparsing", total=len(read))):
            read[i] = None  # type: ignore[call-overload]  # the list lets go of it: the batch holds it now
            yield article

    def batches() -> Iterator[Batch]:
        # the stages live as long as this generator: what they remember of names is let go
        # before the outputs are finished (the page, the provinces: the build's peak of memory)
        stages = geoparser(curated, sources=sources, corrections=corrections, cache=cache)
        batch: list[Article] = []
        size = 0
        for article in taken():
            batch.append(article)
            size += len(article.text)
            if size >= BATCH_BYTES:
                yield _parts(stages(batch))
                batch, size = [], 0
        if batch:
            yield _parts(stages(batch))

    with digests_kept():  # the sources' digest (the cache's key) is made once, not once a batch
        return _written(
            batches(),
            out,
            formats,
            geonames=geonames,
            corrections=corrections,
            keep_result=keep_result,
            report=report,
            **options,
        )


Batch = tuple[Sequence[Article], Sequence[ResolvedMention], Sequence[Dropped]]  # articles, their mentions, their drops


def _parts(result: GeoparseResult) -> Batch:
    return result.articles, result.mentions, result.dropped


def _written(
    batches: Iterable[Batch],
    out: str | os.PathLike[str],
    formats: Sequence[str],
    *,
    geonames: bool,
    corrections: AppliedCorrections | None,
    keep_result: bool,
    report: tuple[Path | None, Sequence[Duplicate]],
    **options: Any,
) -> BuildReport:
    """Give ``batches`` to the outputs as they come (:func:`nkmap.outputs.stream.stream_outputs`), keeping
    the whole result only if ``keep_result``; the report of a streamed build, one process or many."""
    from nkmap.outputs.stream import stream_outputs

    kept: tuple[list[Article], list[ResolvedMention], list[Dropped]] = ([], [], [])

    def keeping() -> Iterator[Batch]:
        for batch in batches:
            if keep_result:
                kept[0].extend(batch[0])
                kept[1].extend(batch[1])
                kept[2].extend(batch[2])
            yield batch

    made = not os.path.lexists(out)  # a bad article midway must leave no folder where there was none
    try:
        files, counts = stream_outputs(keeping(), out, formats, corrections=corrections, towns=geonames, **options)
    except BaseException:
        if made:
            _remove_empty_folders(Path(out))
        raise
    result = GeoparseResult.of(*kept) if keep_result else None
    return BuildReport(result, tuple(files), report[0], tuple(report[1]), counts)


def _remove_empty_folders(folder: Path) -> None:
    """Remove ``folder`` and the folders in it if they hold no file (what a failed stream made)."""
    for parent, _, _ in sorted(os.walk(folder), key=lambda w: -len(w[0])):
        with contextlib.suppress(OSError):
            os.rmdir(parent)
    with contextlib.suppress(OSError):
        folder.rmdir()


def _write(
    result: GeoparseResult,
    out: str | os.PathLike[str],
    formats: Sequence[str],
    tiles: str | None,
    embed: bool,
    applied: AppliedCorrections | None,
    title: str | None,
    geonames: bool,
    corrections_file: Path | None,
    duplicates: Sequence[Duplicate],
) -> BuildReport:  # type: ignore[no-untyped-def]
    from nkmap.outputs.tables import write_outputs  # heavy imports (geopandas, folium) only once the input is good

    # write_outputs keeps the result's objects out of the cyclic collector's passes meanwhile
    files = write_outputs(
        result, out, formats=formats, tiles=tiles, embed=embed, corrections=applied, title=title, towns=geonames
    )
    return BuildReport(result, tuple(files), corrections_file, tuple(duplicates), counted(result))


def counted(result: GeoparseResult) -> BuildCounts:
    """The counts of a build's ``result`` (what :class:`BuildReport` ``counts`` holds)."""
    from nkmap.outputs.review import awaiting_review, review_rows

    waiting = awaiting_review(review_rows(result))
    return BuildCounts(len(result.articles), len(result.mentions), len(result.places), len(result.unresolved), waiting)


def _workers_can_read(articles: Sequence[str | os.PathLike[str]], urls: Iterable[str], scheduler: str | None) -> bool:
    """Whether the workers read the input files themselves: not for URLs (fetched here, politely, one
    host at a time), and on a cluster only when its workers see these files (a shared disk, a local cluster)."""
    from nkmap.inputs.urls import is_url

    if any(is_url(a) for a in articles) or any(True for _ in urls):
        return False
    if not scheduler:
        return True
    from nkmap.parallel import run_chunks

    try:
        files = article_files(articles)
        probe = [(str(f), f.stat().st_size) for f in files[:: max(1, len(files) // 4)][:5]]
    except (NkmapError, OSError):
        return True  # the workers' reader gives the serial error
    return all(run_chunks(_sees, [probe], scheduler=scheduler))


def _sees(files: Sequence[tuple[str, int]]) -> bool:
    """Whether this (cluster) process sees these files, of these sizes."""
    try:
        return all(os.stat(path).st_size == size for path, size in files)
    except OSError:
        return False


def _build_on_workers(
    articles: Sequence[str | os.PathLike[str]],
    gazetteer: str | os.PathLike[str],
    out: str | os.PathLike[str],
    formats: Sequence[str],
    *,
    keep_duplicates: bool,
    keep_result: bool,
    corrections_file: Path | None,
    geonames: bool,
    corrections: AppliedCorrections | None,
    tiles: str | None,
    embed: bool,
    title: str | None,
    **options: Any,
) -> BuildReport:
    """What ``build`` makes, read and geoparsed on the workers, written here as their chunks come in.

    Each chunk is checked for duplicates (against the chunks before it, as the serial build checks
    each article against those before it) and its rows go to the outputs at once: this process
    writes while the workers geoparse instead of alone after them (the serial fraction of
    ``--workers``), and holds no more of the corpus than the serial build. A duplicate's mentions are
    made and then left out: the same result as leaving the article out before geoparsing (each
    article is geoparsed on its own).
    """
    from nkmap.inputs.duplicates import Seen, report_duplicates

    stream = geoparsed_on_workers(
        articles, gazetteer, geonames=geonames, corrections=corrections, fingerprints=not keep_duplicates, **options
    )
    _prepare_writers(formats)
    duplicates: list[Duplicate] = []
    seen = None if keep_duplicates else Seen()

    def batches() -> Iterator[Batch]:
        for chunk in stream:
            made = chunk.fingerprints or itertools.repeat(None)  # made by the workers, or here
            found = [d for d in map(seen.repeats, chunk.articles, made) if d is not None] if seen else []
            if not found:
                yield chunk.articles, chunk.mentions, chunk.dropped
                continue
            duplicates.extend(found)
            left_out = {d.article for d in found}
            yield (
                [a for a in chunk.articles if a.name not in left_out],
                [m for m in chunk.mentions if m.mention.article not in left_out],
                [d for d in chunk.dropped if d.mention.article not in left_out],
            )
        report_duplicates(duplicates)  # all read: after the reading warnings, as the serial build gives them

    return _written(
        batches(),
        out,
        formats,
        geonames=geonames,
        corrections=corrections,
        keep_result=keep_result,
        report=(corrections_file, duplicates),
        tiles=tiles,
        embed=embed,
        title=title,
    )


def _prepare_writers(formats: Sequence[str]) -> None:
    """Import the writers of ``formats`` and load what they read whatever the result, here, while the
    workers geoparse: after them, this process would do it alone (the serial fraction of ``--workers``)."""
    import nkmap.outputs.tables  # noqa: F401

    if "csv" in formats:
        import nkmap.outputs.review  # noqa: F401
    if "html" in formats:
        import shapely  # noqa: F401  (the provinces beside the map's places)

        from nkmap.outputs.web.basemap import basemap_json

        basemap_json()  # parsed once per process
        from nkmap.outputs.web.assets import inline_assets
        from nkmap.outputs.web.review_panel import review_assets

        inline_assets()  # read once per process, as the page's own scripts and styles
        review_assets()


def load_applied_corrections(
    articles: Sequence[str | os.PathLike[str]],
    corrections: str | os.PathLike[str] | bool | None,
    gazetteer: Gazetteer,
) -> tuple[Path | None, AppliedCorrections | None]:
    """The corrections file ``build`` uses (given, or found beside the articles) with its places
    looked up; ``(None, None)`` when there is none. A bad file raises :class:`InputError`."""
    from nkmap.sources.corrections import corrections_path, file_for, load_corrections

    if corrections is False:
        return None, None
    path = corrections_path(articles) if corrections in (None, True) else file_for(corrections)  # type: ignore[arg-type]
    if path is None:
        return None, None
    loaded = load_corrections(path)
    if any(c.geonames is not None for c in loaded.entries):
        from nkmap.sources.geonames import load_geonames

        return path, loaded.bind(gazetteer.get, load_geonames().by_geonameid)
    return path, loaded.bind(gazetteer.get)
