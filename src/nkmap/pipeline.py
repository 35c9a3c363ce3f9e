"""The one composed pipeline the CLI, the tests and notebooks share.

articles → mentions → resolved mentions → GeoparseResult → map and files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from nkmap.datafiles import SAMPLE_ARTICLES
from nkmap.formats import parse_formats
from nkmap.infra.resultcache import ResultCache, context_digest, fold
from nkmap.inputs.articles import MAX_ARTICLE_BYTES, read_articles
from nkmap.model import Article, Dropped, GeoparseResult, PlaceSummary, ResolvedMention
from nkmap.recognize.scan import NameIndex, RecognitionRules, find_mentions
from nkmap.resolve.resolver import NameSource, resolve_mentions
from nkmap.roles import tag_roles
from nkmap.sources.corrections import AppliedCorrections
from nkmap.sources.gazetteer import DEFAULT_GAZETTEER, Gazetteer, load_gazetteer

DEFAULT_ARTICLES = SAMPLE_ARTICLES
DEFAULT_OUT = Path("output")


def default_sources(gazetteer: Gazetteer, geonames: bool = True) -> list[NameSource]:
    """The curated gazetteer, then CLDR country names, then (optionally) GeoNames."""
    from nkmap.sources.countries import country_names
    from nkmap.sources.geonames import load_geonames

    index = load_geonames() if geonames else None
    countries = country_names(tuple(p for p in gazetteer.places if p.kind == "country"), index)
    return [gazetteer, countries, index] if index is not None else [gazetteer, countries]


def geoparse(
    articles: Iterable[Article],
    gazetteer: Gazetteer | None = None,
    sources: Sequence[NameSource] | None = None,
    geonames: bool = True,
    corrections: AppliedCorrections | None = None,
    cache: ResultCache | None = None,
) -> GeoparseResult:
    """Find and resolve every place mention in ``articles``.

    Parameters
    ----------
    articles : the articles, e.g. from :func:`nkmap.read_articles`.
    gazetteer : the curated gazetteer (default: the packaged ``data/gazetteer.geojson``).
    sources : name sources in priority order (default: :func:`default_sources`). Pass your own
        to test or to add one: each answers ``lookup(name) -> list[Place]`` and ``names()``.
    geonames : whether the default sources fall back to GeoNames.
    corrections : the user's corrections (:mod:`nkmap.sources.corrections`), applied over every source.
    cache : per-article results kept between runs (:mod:`nkmap.infra.resultcache`); only the
        articles whose key changed are geoparsed again.
    """
    if sources is None:
        sources = default_sources(gazetteer if gazetteer is not None else load_gazetteer(DEFAULT_GAZETTEER), geonames)
    names = NameIndex.from_sources(*([corrections] if corrections else []), *sources)
    rules = RecognitionRules.default()
    kept: list[Article] = []
    resolved: list[ResolvedMention] = []
    dropped: list[Dropped] = []
    context = context_digest(sources, names.max_words) if cache is not None else None
    for article in articles:
        kept.append(article)
        key = None
        if cache is not None and context is not None:  # review: the result cache and corrections hook
            key = cache.key(
                context, article, corrections.digest_for(article.name, fold(article.text)) if corrections else ""
            )
            hit = cache.get(key)
            if hit is not None:
                resolved.extend(hit[0])
                dropped.extend(hit[1])
                continue
        mentions, refused = find_mentions(article, names, rules), []
        if corrections:
            mentions, refused = corrections.refuse(article.name, mentions)
        here = [corrections.source(article.name), *sources] if corrections else sources
        rms = resolve_mentions(mentions, here, rules.weak_triggers)
        rms = tag_roles(article, corrections.override(article.name, mentions, rms) if corrections else rms)
        if key is not None:
            cache.put(key, (rms, refused))  # type: ignore[union-attr]
        resolved.extend(rms)
        dropped.extend(refused)
    if cache is not None:
        cache.commit()
    return GeoparseResult(
        articles=tuple(kept), mentions=tuple(resolved), places=summarise(resolved), dropped=tuple(dropped)
    )


def summarise(mentions: Iterable[ResolvedMention]) -> tuple[PlaceSummary, ...]:
    """One summary per resolved place, most mentioned first (ties by name)."""
    by_place: dict[str, list[ResolvedMention]] = {}
    places = {}
    for rm in mentions:
        if rm.place is not None:
            by_place.setdefault(rm.place.id, []).append(rm)
            places[rm.place.id] = rm.place
    ordered = sorted(by_place, key=lambda pid: (-len(by_place[pid]), places[pid].name))
    return tuple(PlaceSummary(places[pid], tuple(by_place[pid])) for pid in ordered)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What ``build`` did: the result and the files it wrote."""

    result: GeoparseResult
    files: tuple[Path, ...]
    corrections: Path | None = None  # the corrections file applied, if any

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
    corrections: str | os.PathLike[str] | bool | None = None,
    cache: bool = True,
) -> BuildReport:
    """Read articles, geoparse them and write the map and data files to ``out``.

    ``formats`` picks the files (``"html,csv"`` or a list; default all, see :mod:`nkmap.formats`).
    Everything is read and checked before the first file is written: bad input (or a typo in
    ``formats``) leaves ``out`` as it was. ``workers`` > 1 spreads geoparsing over processes;
    ``scheduler`` (a Dask address) over a cluster. Both give the serial result. ``tiles`` adds
    online tiles over the offline basemap ("osm" or a URL template); ``embed`` also writes the
    ``<iframe>`` snippet for reports. ``corrections`` is the corrections file (default:
    ``corrections.json`` in the first articles folder, when there is one; False: none).
    ``cache`` keeps per-article results between builds (:mod:`nkmap.infra.resultcache`).
    """
    formats = parse_formats(formats)
    articles = list(articles)
    if tiles not in (None, "none"):
        from nkmap.outputs.web.basemap import resolve_tiles

        resolve_tiles(tiles)  # a bad --tiles fails before anything is read
    curated = load_gazetteer(gazetteer)  # a bad gazetteer fails here, once, with its message
    corrections_file, applied = load_applied_corrections(articles, corrections, curated)
    if workers > 1 or scheduler:
        from nkmap.parallel import geoparse_files

        result = geoparse_files(
            articles,
            gazetteer,
            workers=workers,
            scheduler=scheduler,
            geonames=geonames,
            max_article_size=max_article_size,
            corrections=applied,
        )
    else:
        results = ResultCache() if cache else None
        try:
            result = geoparse(
                read_articles(articles, max_article_size),
                curated,
                geonames=geonames,
                corrections=applied,
                cache=results,
            )
        finally:
            if results is not None:
                results.close()
    from nkmap.outputs.tables import write_outputs  # heavy imports (geopandas, folium) only once the input is good

    files = write_outputs(result, out, formats=formats, tiles=tiles, embed=embed, corrections=applied)
    return BuildReport(result, tuple(files), corrections_file)


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
