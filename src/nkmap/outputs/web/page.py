"""The interactive map: a folium Map whose places are embedded once, as data.

This is the only module where article text enters HTML. It enters as JSON inside a
``<script type="application/json">`` element (with ``<``, ``>`` and ``&`` escaped), and the
page's script puts it on screen through text nodes only, so no article can inject markup.
One data row per place instead of one folium object and popup per place keeps both the
build and the page fast for large corpora.

The page is assembled in :func:`build_map`: each data set is one :func:`add_json` call (a
``<script type="application/json" id=...>`` element that scripts read with ``nkmapData(id)``) and
each of nkmap's scripts one name in :data:`nkmap.outputs.web.assets.OWN_SCRIPTS`, so a panel of
its own (e.g. a review panel) is one more of each.
"""

from __future__ import annotations

import bisect
import html
import itertools
import os
import re
from collections.abc import Callable
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from nkmap.model import GeoparseResult, Place, kind_group
from nkmap.outputs.web.assets import inline_assets
from nkmap.outputs.web.basemap import (
    BASEMAP_ATTRIBUTION,
    DEFAULT_BASEMAP,
    Tiles,
    basemap_json,
    json_for_html,
    resolve_tiles,
)
from nkmap.outputs.web.context import ADMIN1_ATTRIBUTION, admin1_payload, towns_near
from nkmap.outputs.web.context import ATTRIBUTION as TOWNS_ATTRIBUTION
from nkmap.outputs.web.palette import groups_payload
from nkmap.outputs.web.review_panel import ReviewPanel

PLACE_FIELDS = ("id", "name", "lat", "lon", "kind", "country", "origin", "group")
MAX_ALIASES = 24  # per place, for the search box: GeoNames places carry hundreds of spellings
MENTION_FIELDS = ("place", "article", "start", "end", "sentence_start", "sentence_end", "method", "confidence", "role")


class OfflineMap(folium.Map):
    """A folium Map that loads nothing from a CDN: nkmap inlines the assets it uses."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


class PageScript(MacroElement):
    """Calls ``nkmap.js`` once the map exists: the first view, the basemap, then the places over it.

    Each data set is its own ``<script type="application/json">`` element (see :func:`add_json`);
    the scripts read them by id, so another panel adds its data with one more ``add_json`` call
    and its script with one more name in :data:`nkmap.outputs.web.assets.OWN_SCRIPTS`.
    """

    _template = Template(
        """
{% macro script(this, kwargs) %}
(function (map, data) {
  nkmapFirstView(map, data);  /* before the basemap, so its shapes are projected once, at this zoom */
  nkmapBasemap(map, nkmapData("nkmap-basemap"), {{ this.attribution }});
  nkmapAreas(map, nkmapData("nkmap-admin1"));  /* provinces: static/areas.js */
  nkmapInit(map, data);
  nkmapAreasLegend(map);
})({{ this._parent.get_name() }}, nkmapData("nkmap-data"));
{% endmacro %}
"""
    )

    def __init__(self, attribution: str) -> None:
        super().__init__()
        self._name = "NkmapScript"
        self.attribution = json_for_html(attribution)


def add_json(fmap: folium.Map, element_id: str, data: Any, *, encoded: bool = False) -> None:
    """Put ``data`` in the page as ``<script type="application/json" id="element_id">``.

    ``encoded``: ``data`` is already JSON made safe by :func:`json_for_html` (or holding only
    digits and letters). The page's scripts read it with ``nkmapData(element_id)``.
    """
    text = data if encoded else json_for_html(data)
    if not element_id.replace("-", "").isalnum():
        raise ValueError(f"element id {element_id!r}: letters, digits and hyphens only")
    page_root(fmap).html.add_child(
        RawHtml(f'<script type="application/json" id="{element_id}">{text}</script>'), name=element_id
    )


def page_root(element: Element) -> Figure:
    """The page (a branca Figure, with its header and html parts) ``element`` is on; branca types
    ``get_root()`` as a plain Element."""
    root = element.get_root()
    if not isinstance(root, Figure):
        raise TypeError(f"{type(element).__name__} is not on a page")
    return root


class RawHtml(Element):
    """HTML put in the page as is. ``Element(text)`` would compile ``text`` as a Jinja template,
    and article text must never be a template: "{{ 7*7 }}" would print 49, and worse."""

    _template = Template("{{ this.raw }}")

    def __init__(self, raw: str) -> None:
        super().__init__()
        self.raw = raw


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 units each


def utf16_offsets(text: str) -> Callable[[int], int] | None:
    """Python offsets count code points, JavaScript strings count UTF-16 units: an emoji is 1
    in one and 2 in the other. A function from one to the other, or None where they agree
    (any text without characters beyond the Basic Multilingual Plane: nearly all of them)."""
    if text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text):
        return None
    # Only where the astral characters are (one entry each, not one per character: a 19 MB text
    # held a list of 19 M ints here); the UTF-16 offset adds those before i.
    astral = [m.start() for m in _ASTRAL.finditer(text)]
    return lambda i: i + bisect.bisect_left(astral, i)


def _aliases(place: Place) -> list[str]:
    seen = {place.name.casefold()}
    out: list[str] = []
    for alias in place.aliases:
        if alias.casefold() not in seen and len(out) < MAX_ALIASES:
            seen.add(alias.casefold())
            out.append(alias)
    return out


def default_title(result: GeoparseResult) -> str:
    """What the corpus is: "Places named in 5 news articles from 4 outlets"."""
    n = len(result.articles)
    outlets = sorted({a.outlet for a in result.articles if a.outlet})
    title = f"Places named in {n:,} news article{'s' if n != 1 else ''}"
    if len(outlets) == 1:
        title += f" from {outlets[0]}"
    elif outlets:
        title += f" from {len(outlets):,} outlets"
    return title


def subtitle(result: GeoparseResult) -> str:
    """The date range and the counts: "17 Sep – 4 Nov 2020 (2 undated) · 225 mentions of 19 places"."""
    from nkmap.outputs.staticmap import date_range

    n = len(result.articles)
    dates = sorted(a.date for a in result.articles if a.date)
    parts = []
    if dates:
        when = date_range(dates[0], dates[-1])
        parts.append(when + (f" ({n - len(dates):,} undated)" if len(dates) < n else ""))
    elif n:
        parts.append("undated articles")
    mentions = sum(len(s.mentions) for s in result.places)
    parts.append(
        f"{mentions:,} mention{'s' if mentions != 1 else ''} of {len(result.places):,} "
        f"place{'s' if len(result.places) != 1 else ''}"
    )
    return " · ".join(parts)


def map_payload(result: GeoparseResult, title: str | None = None, towns: bool = True) -> dict[str, Any]:
    """The page's data: compact rows (field names listed once) so the HTML grows slowly per place."""
    offsets = {a.name: utf16_offsets(a.text) for a in result.articles}
    articles = {a.name: i for i, a in enumerate(result.articles)}
    places = [[getattr(s.place, f) for f in PLACE_FIELDS[:-1]] + [kind_group(s.place.kind)] for s in result.places]
    mentions = []
    for place, summary in enumerate(result.places):
        for rm in summary.mentions:
            m = rm.mention
            spans: tuple[int, ...] = (m.start, m.end, m.sentence_start, m.sentence_start + len(m.sentence))
            js = offsets[m.article]
            if js is not None:
                spans = tuple(map(js, spans))
            mentions.append([place, articles[m.article], *spans, rm.method, rm.confidence, rm.role])
    fields = {f"p_{name}": i for i, name in enumerate(PLACE_FIELDS)}
    fields.update({f"m_{name}": i for i, name in enumerate(MENTION_FIELDS)})
    return {
        "title": title if title is not None else default_title(result),
        "subtitle": subtitle(result),
        "groups": groups_payload(),
        "fields": fields,
        "places": places,
        "aliases": [_aliases(s.place) for s in result.places],
        "towns": towns_near(result) if towns else [],
        "articles": [
            {
                "name": a.name,
                "title": a.title,
                "outlet": a.outlet,
                "language": a.language,
                "url": a.url,
                "date": a.date.isoformat() if a.date else "",
                "text": a.text,
            }
            for a in result.articles
        ],
        "mentions": mentions,
    }


def build_map(
    result: GeoparseResult,
    title: str | None = None,
    *,
    tiles: str | Tiles | None = "none",
    basemap: str | os.PathLike[str] = DEFAULT_BASEMAP,
    corrections: Any = None,
    towns: bool = True,
    admin1: str | os.PathLike[str] | None = None,
) -> folium.Map:
    """A folium Map of ``result``'s places; display it in a notebook or ``save`` it as HTML.

    Every marker's popup lists the articles that mention the place with each excerpt, which
    links to the whole article shown inside the page with that mention highlighted. The same
    ``result`` and options always give the same HTML, byte for byte (element ids are fixed).

    Parameters
    ----------
    title : the page's title (default :func:`default_title`: what the corpus is); the subtitle
        always gives the date range and the counts.
    tiles : ``"none"`` (default: fully offline), ``"osm"``, a ``https://…/{z}/{x}/{y}.png``
        template or a :class:`nkmap.outputs.web.basemap.Tiles`. Tiles are drawn over the embedded
        country basemap, which is always there, so the map reads well with no network.
    basemap : the country borders GeoJSON (default ``data/basemap/countries.geojson``).
    corrections : the corrections applied, which the review panel exports with the page's own.
    towns : name the GeoNames towns around the places (False: no GeoNames, as with ``--no-geonames``).
    admin1 : the provinces GeoJSON (default ``data/admin1/admin1.geojson``, Natural Earth admin-1):
        their borders and names around the places, and provinces drawn as areas.
    """
    layer = resolve_tiles(tiles)
    payload = map_payload(result, title, towns)
    fmap = OfflineMap(
        location=(30, 30), zoom_start=3, tiles=None, control_scale=True, prefer_canvas=True, minZoom=2, maxZoom=18
    )
    root = page_root(fmap)
    root.header.add_child(RawHtml(f"<title>{html.escape(payload['title'])}</title>"), name="nkmap_title")
    root.header.add_child(RawHtml(inline_assets()), name="nkmap_assets")
    add_json(fmap, "nkmap-basemap", basemap_json(basemap), encoded=True)
    add_json(fmap, "nkmap-data", payload)
    provinces = admin1_payload(result, admin1)
    add_json(fmap, "nkmap-admin1", provinces)
    if layer is not None:
        folium.TileLayer(layer.url, attr=layer.attribution, name="tiles", max_zoom=19).add_to(fmap)
    borders = ADMIN1_ATTRIBUTION if provinces["lines"] or provinces["areas"] else BASEMAP_ATTRIBUTION
    fmap.add_child(PageScript(f"{borders}; {TOWNS_ATTRIBUTION}"))
    fmap.add_child(ReviewPanel(result, corrections))  # the review panel (outputs/web/review_panel.py)
    _fix_ids(fmap)
    return fmap


def _fix_ids(element: Element, counter: itertools.count | None = None) -> None:
    """folium names elements by random UUIDs; number them instead, so two builds are byte-identical."""
    counter = counter if counter is not None else itertools.count()
    element._id = f"nkmap{next(counter)}"
    for child in element._children.values():
        _fix_ids(child, counter)


def embed_snippet(src: str = "map.html", title: str = "nkmap: places in the news", height: int = 600) -> str:
    """The ``<iframe>`` a report pastes to show the map: full width, ``height`` px, lazily loaded."""
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" width="100%" height="{int(height)}"\n'
        f'        style="border: 1px solid #ccc; max-width: 100%;" loading="lazy"></iframe>\n'
    )
