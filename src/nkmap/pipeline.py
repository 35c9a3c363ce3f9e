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
from nkmap.inputs.articles import MAX_ARTICLE_BYTES, read_articles
from nkmap.model import Article, GeoparseResult, PlaceSummary, ResolvedMention
from nkmap.recognize.scan import NameIndex, RecognitionRules, find_mentions
from nkmap.resolve.resolver import NameSource, resolve_mentions
from nkmap.roles import tag_roles
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
) -> GeoparseResult:
    """Find and resolve every place mention in ``articles``.

    Parameters
    ----------
    articles : the articles, e.g. from :func:`nkmap.read_articles`.
    gazetteer : the curated gazetteer (default: the packaged ``data/gazetteer.geojson``).
    sources : name sources in priority order (default: :func:`default_sources`). Pass your own
        to test or to add one: each answers ``lookup(name) -> list[Place]`` and ``names()``.
    geonames : whether the default sources fall back to GeoNames.
    """
    if sources is None:
        sources = default_sources(gazetteer if gazetteer is not None else load_gazetteer(DEFAULT_GAZETTEER), geonames)
    names = NameIndex.from_sources(*sources)
    rules = RecognitionRules.default()
    kept: list[Article] = []
    resolved: list[ResolvedMention] = []
    for article in articles:
        kept.append(article)
        resolved.extend(
            tag_roles(article, resolve_mentions(find_mentions(article, names, rules), sources, rules.weak_triggers))
        )
    return GeoparseResult(articles=tuple(kept), mentions=tuple(resolved), places=summarise(resolved))


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
    title: str | None = None,
) -> BuildReport:
    """Read articles, geoparse them and write the map and data files to ``out``.

    ``formats`` picks the files (``"html,csv"`` or a list; default all, see :mod:`nkmap.formats`).
    Everything is read and checked before the first file is written: bad input (or a typo in
    ``formats``) leaves ``out`` as it was. ``workers`` > 1 spreads geoparsing over processes;
    ``scheduler`` (a Dask address) over a cluster. Both give the serial result. ``tiles`` adds
    online tiles over the offline basemap ("osm" or a URL template); ``embed`` also writes the
    ``<iframe>`` snippet for reports; ``title`` names the map page and the static map (default: what
    the corpus is; the subtitle gives the dates and counts).
    """
    formats = parse_formats(formats)
    if tiles not in (None, "none"):
        from nkmap.outputs.web.basemap import resolve_tiles

        resolve_tiles(tiles)  # a bad --tiles fails before anything is read
    if workers > 1 or scheduler:
        from nkmap.parallel import geoparse_files

        load_gazetteer(gazetteer)  # a bad gazetteer fails here, once, with its message
        result = geoparse_files(
            list(articles),
            gazetteer,
            workers=workers,
            scheduler=scheduler,
            geonames=geonames,
            max_article_size=max_article_size,
        )
    else:
        result = geoparse(read_articles(articles, max_article_size), load_gazetteer(gazetteer), geonames=geonames)
    from nkmap.outputs.tables import write_outputs  # heavy imports (geopandas, folium) only once the input is good

    return BuildReport(
        result, tuple(write_outputs(result, out, formats=formats, tiles=tiles, embed=embed, title=title))
    )
