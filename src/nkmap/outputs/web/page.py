"""The interactive map: a folium Map whose places are embedded once, as data.

This is the only module where article text enters HTML. It enters as JSON inside a
``<script type="application/json">`` element (with ``<``, ``>`` and ``&`` escaped), and the
page's script puts it on screen through text nodes only, so no article can inject markup.
One data row per place instead of one folium object and popup per place keeps both the
build and the page fast for large corpora.
"""

from __future__ import annotations

import bisect
import html
import json
import os
import re
from collections.abc import Callable
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from nkmap.model import GeoparseResult
from nkmap.outputs.web.assets import inline_assets
from nkmap.outputs.web.basemap import BASEMAP_ATTRIBUTION, DEFAULT_BASEMAP, Tiles, basemap_json, resolve_tiles
from nkmap.outputs.web.review_panel import ReviewPanel

PLACE_FIELDS = ("id", "name", "lat", "lon", "kind", "country", "origin")
MENTION_FIELDS = ("place", "article", "start", "end", "sentence_start", "sentence_end", "method", "confidence", "role")
# Characters that could end the <script> element or a JS string early, and their JSON escapes.
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


class OfflineMap(folium.Map):
    """A folium Map that loads nothing from a CDN: nkmap inlines the assets it uses."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


class PlaceLayer(MacroElement):
    """Embeds the places, articles and mentions once and lets ``nkmap.js`` draw them."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
nkmapInit({{ this._parent.get_name() }}, JSON.parse(document.getElementById("nkmap-data").textContent));
{% endmacro %}
"""
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "NkmapPlaces"
        self.payload = json_for_html(payload)

    def render(self, **kwargs: Any) -> None:
        _add_raw(self, f'<script type="application/json" id="nkmap-data">{self.payload}</script>')
        super().render(**kwargs)


class BasemapLayer(MacroElement):
    """The offline country borders: embedded once as JSON, drawn by ``nkmap.js`` on a canvas."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
nkmapBasemap({{ this._parent.get_name() }},
  JSON.parse(document.getElementById("nkmap-basemap").textContent), {{ this.attribution }});
{% endmacro %}
"""
    )

    def __init__(self, geometries_json: str, attribution: str = BASEMAP_ATTRIBUTION) -> None:
        super().__init__()
        self._name = "NkmapBasemap"
        self.geometries = geometries_json
        self.attribution = json_for_html(attribution)

    def render(self, **kwargs: Any) -> None:
        _add_raw(self, f'<script type="application/json" id="nkmap-basemap">{self.geometries}</script>')
        super().render(**kwargs)


class RawHtml(Element):
    """HTML put in the page as is. ``Element(text)`` would compile ``text`` as a Jinja template,
    and article text must never be a template: "{{ 7*7 }}" would print 49, and worse."""

    _template = Template("{{ this.raw }}")

    def __init__(self, raw: str) -> None:
        super().__init__()
        self.raw = raw


def _add_raw(element: MacroElement, html_text: str) -> None:
    element.get_root().html.add_child(RawHtml(html_text), name=element.get_name() + "_data")


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


def json_for_html(data: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element: no ``</script>``, no comment openers."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _JSON_ESCAPES:  # str.replace runs in C: 10x faster than str.translate here
        text = text.replace(char, escape)
    return text


def map_payload(result: GeoparseResult) -> dict[str, Any]:
    """The page's data: compact rows (field names listed once) so the HTML grows slowly per place."""
    offsets = {a.name: utf16_offsets(a.text) for a in result.articles}
    articles = {a.name: i for i, a in enumerate(result.articles)}
    places = [[getattr(s.place, f) for f in PLACE_FIELDS] for s in result.places]
    mentions = []
    for place, summary in enumerate(result.places):
        for rm in summary.mentions:
            m = rm.mention
            spans = (m.start, m.end, m.sentence_start, m.sentence_start + len(m.sentence))
            js = offsets[m.article]
            if js is not None:
                spans = tuple(map(js, spans))
            mentions.append([place, articles[m.article], *spans, rm.method, rm.confidence, rm.role])
    fields = {f"p_{name}": i for i, name in enumerate(PLACE_FIELDS)}
    fields.update({f"m_{name}": i for i, name in enumerate(MENTION_FIELDS)})
    return {
        "fields": fields,
        "places": places,
        "articles": [
            {
                "name": a.name,
                "title": a.title,
                "outlet": a.outlet,
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
    title: str = "nkmap: places in the news",
    *,
    tiles: str | Tiles | None = "none",
    basemap: str | os.PathLike[str] = DEFAULT_BASEMAP,
    corrections: Any = None,
) -> folium.Map:
    """A folium Map of ``result``'s places; display it in a notebook or ``save`` it as HTML.

    Every marker's popup lists the articles that mention the place with each excerpt, which
    links to the whole article shown inside the page with that mention highlighted.

    Parameters
    ----------
    tiles : ``"none"`` (default: fully offline), ``"osm"``, a ``https://…/{z}/{x}/{y}.png``
        template or a :class:`nkmap.outputs.web.basemap.Tiles`. Tiles are drawn over the embedded
        country basemap, which is always there, so the map reads well with no network.
    basemap : the country borders GeoJSON (default ``data/basemap/countries.geojson``).
    corrections : the corrections applied, which the review panel exports with the page's own.
    """
    layer = resolve_tiles(tiles)
    fmap = OfflineMap(
        location=(30, 30), zoom_start=3, tiles=None, control_scale=True, prefer_canvas=True, minZoom=2, maxZoom=18
    )
    root = fmap.get_root()
    root.header.add_child(RawHtml(f"<title>{html.escape(title)}</title>"), name="nkmap_title")
    root.header.add_child(RawHtml(inline_assets()), name="nkmap_assets")
    fmap.add_child(BasemapLayer(basemap_json(basemap)))
    if layer is not None:
        folium.TileLayer(layer.url, attr=layer.attribution, name="tiles", max_zoom=19).add_to(fmap)
    fmap.add_child(PlaceLayer(map_payload(result)))
    fmap.add_child(ReviewPanel(result, corrections))  # the review panel (outputs/web/review_panel.py)
    return fmap


def embed_snippet(src: str = "map.html", title: str = "nkmap: places in the news", height: int = 600) -> str:
    """The ``<iframe>`` a report pastes to show the map: full width, ``height`` px, lazily loaded."""
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" width="100%" height="{int(height)}"\n'
        f'        style="border: 1px solid #ccc; max-width: 100%;" loading="lazy"></iframe>\n'
    )
