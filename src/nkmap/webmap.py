"""The interactive map: a folium Map whose places are embedded once, as data.

This is the only module where article text enters HTML. It enters as JSON inside a
``<script type="application/json">`` element (with ``<``, ``>`` and ``&`` escaped), and the
page's script puts it on screen through text nodes only, so no article can inject markup.
One data row per place instead of one folium object and popup per place keeps both the
build and the page fast for large corpora.
"""

from __future__ import annotations

import json
from typing import Any

import folium
from branca.element import Element, MacroElement
from jinja2 import Template

from .assets import inline_assets
from .model import GeoparseResult

PLACE_FIELDS = ("id", "name", "lat", "lon", "kind", "country", "origin")
MENTION_FIELDS = ("place", "article", "start", "end", "sentence_start", "sentence_end", "method", "confidence")
_JSON_ESCAPES = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                               "\u2028": "\\u2028", "\u2029": "\\u2029"})


class OfflineMap(folium.Map):
    """A folium Map that loads nothing from a CDN: nkmap inlines the assets it uses."""

    default_js: list[tuple[str, str]] = []
    default_css: list[tuple[str, str]] = []


class PlaceLayer(MacroElement):
    """Embeds the places, articles and mentions once and lets ``nkmap.js`` draw them."""

    _template = Template(
        """
{% macro html(this, kwargs) %}
<script type="application/json" id="nkmap-data">{{ this.payload }}</script>
{% endmacro %}
{% macro script(this, kwargs) %}
nkmapInit({{ this._parent.get_name() }}, JSON.parse(document.getElementById("nkmap-data").textContent));
{% endmacro %}
"""
    )

    def __init__(self, payload: dict[str, Any]) -> None:
        super().__init__()
        self._name = "NkmapPlaces"
        self.payload = json_for_html(payload)


def json_for_html(data: Any) -> str:
    """JSON that is safe inside an HTML ``<script>`` element: no ``</script>``, no comment openers."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).translate(_JSON_ESCAPES)


def map_payload(result: GeoparseResult) -> dict[str, Any]:
    """The page's data: compact rows (field names listed once) so the HTML grows slowly per place."""
    index = {summary.place.id: i for i, summary in enumerate(result.places)}
    articles = {a.name: i for i, a in enumerate(result.articles)}
    places = [[getattr(s.place, f) for f in PLACE_FIELDS] for s in result.places]
    mentions = []
    for summary in result.places:
        for rm in summary.mentions:
            m = rm.mention
            mentions.append([index[summary.place.id], articles[m.article], m.start, m.end, m.sentence_start,
                             m.sentence_start + len(m.sentence), rm.method, rm.confidence])
    fields = {f"p_{name}": i for i, name in enumerate(PLACE_FIELDS)}
    fields.update({f"m_{name}": i for i, name in enumerate(MENTION_FIELDS)})
    return {
        "fields": fields,
        "places": places,
        "articles": [{"name": a.name, "title": a.title, "outlet": a.outlet, "url": a.url,
                      "date": a.date.isoformat() if a.date else "", "text": a.text} for a in result.articles],
        "mentions": mentions,
    }


def build_map(result: GeoparseResult, title: str = "nkmap: places in the news") -> folium.Map:
    """A folium Map of ``result``'s places; display it in a notebook or ``save`` it as HTML.

    Every marker's popup lists the articles that mention the place with each excerpt, which
    links to the whole article shown inside the page with that mention highlighted.
    """
    fmap = OfflineMap(location=(30, 30), zoom_start=3, tiles=None, control_scale=True,
                      prefer_canvas=True, minZoom=2, maxZoom=18)
    root = fmap.get_root()
    root.header.add_child(Element(f"<title>{_html_text(title)}</title>"), name="nkmap_title")
    root.header.add_child(Element(inline_assets()), name="nkmap_assets")
    root.header.add_child(Element("<style>.folium-map { background: #dbeafe; }</style>"), name="nkmap_bg")
    fmap.add_child(PlaceLayer(map_payload(result)))
    return fmap


def _html_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
