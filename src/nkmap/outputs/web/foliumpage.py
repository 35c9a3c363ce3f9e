"""The page as a folium Map, for notebooks (:func:`nkmap.outputs.web.page.build_map`).

The files are written without folium (:func:`nkmap.outputs.web.page.page_text` gives the same
bytes, tested): importing folium, branca and jinja and compiling their templates cost ~0.3 s of
CPU and ~25 MB of every build. This module is imported only when a folium Map is asked for.
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from jinja2 import Template

from nkmap.outputs.web.basemap import Tiles, json_for_html


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


class RawHtml(Element):
    """HTML put in the page as is. ``Element(text)`` would compile ``text`` as a Jinja template,
    and article text must never be a template: "{{ 7*7 }}" would print 49, and worse."""

    _template = Template("{{ this.raw }}")

    def __init__(self, raw: str) -> None:
        super().__init__()
        self.raw = raw


class ReviewPanel(MacroElement):
    """Adds the review data (``#nkmap-review``), ``review.js`` and ``review.css`` to the page
    (:mod:`nkmap.outputs.web.review_panel`)."""

    _template = Template(
        """
{% macro script(this, kwargs) %}
nkmapReview({{ this._parent.get_name() }}, JSON.parse(document.getElementById("nkmap-review").textContent));
{% endmacro %}
"""
    )

    def __init__(self, result: Any, corrections: Any = None, payload: dict[str, Any] | None = None) -> None:
        from nkmap.outputs.web.review_panel import review_payload

        super().__init__()
        self._name = "NkmapReview"
        self.payload = payload if payload is not None else review_payload(result, corrections)

    # branca's MacroElement.render returns None, which its base's annotation (-> str) does not allow
    def render(self, **kwargs: Any) -> None:  # type: ignore[override]
        from nkmap.outputs.web.review_panel import review_assets

        root = page_root(self)
        root.header.add_child(RawHtml(review_assets()), name="nkmap_review_assets")
        data = f'<script type="application/json" id="nkmap-review">{json_for_html(self.payload)}</script>'
        root.html.add_child(RawHtml(data), name="nkmap_review_data")
        super().render(**kwargs)


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


def folium_page(
    title: str,
    data: str,
    provinces: dict[str, Any],
    review: dict[str, Any],
    layer: Tiles | None,
    basemap: str | os.PathLike[str],
) -> folium.Map:
    """The map around its data: ``data`` (the payload's JSON, or the mark where it goes), the
    provinces and the review panel's data."""
    import html

    from nkmap.outputs.web.assets import inline_assets
    from nkmap.outputs.web.basemap import basemap_json
    from nkmap.outputs.web.page import attribution

    fmap = OfflineMap(
        location=(30, 30), zoom_start=3, tiles=None, control_scale=True, prefer_canvas=True, minZoom=2, maxZoom=18
    )
    root = page_root(fmap)
    root.header.add_child(RawHtml(f"<title>{html.escape(title)}</title>"), name="nkmap_title")
    root.header.add_child(RawHtml(inline_assets()), name="nkmap_assets")
    add_json(fmap, "nkmap-basemap", basemap_json(basemap), encoded=True)
    add_json(fmap, "nkmap-data", data, encoded=True)
    add_json(fmap, "nkmap-admin1", provinces)
    if layer is not None:
        folium.TileLayer(layer.url, attr=layer.attribution, name="tiles", max_zoom=19).add_to(fmap)
    fmap.add_child(PageScript(attribution(provinces)))
    fmap.add_child(ReviewPanel(None, payload=review))  # the review panel (outputs/web/review_panel.py)
    _fix_ids(fmap)
    return fmap


def _fix_ids(element: Element, counter: itertools.count | None = None) -> None:
    """folium names elements by random UUIDs; number them instead, so two builds are byte-identical."""
    counter = counter if counter is not None else itertools.count()
    element._id = f"nkmap{next(counter)}"
    for child in element._children.values():
        _fix_ids(child, counter)
