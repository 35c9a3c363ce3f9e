"""The interactive map: a folium Map whose places are embedded once, as data.

This is the only module where article text enters HTML. It enters as JSON inside a
``<script type="application/json">`` element (with ``<``, ``>`` and ``&`` escaped), and the
page's script puts it on screen through text nodes only, so no article can inject markup.
One data row per place instead of one folium object and popup per place keeps both the
build and the page fast for large corpora.

The page is assembled in :func:`build_map` (folium's classes: :mod:`nkmap.outputs.web.foliumpage`)
and written without folium by :func:`page_text`, the same bytes: each data set is one ``add_json``
element (a ``<script type="application/json" id=...>`` that scripts read with ``nkmapData(id)``) and
each of nkmap's scripts one name in :data:`nkmap.outputs.web.assets.OWN_SCRIPTS`, so a panel of
its own (e.g. a review panel) is one more of each.
"""

from __future__ import annotations

import bisect
import html
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nkmap.model import Article, GeoparseResult, Place, kind_group
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

if TYPE_CHECKING:
    import folium


PLACE_FIELDS = ("id", "name", "lat", "lon", "kind", "country", "origin", "group")
MAX_ALIASES = 24  # per place, for the search box: GeoNames places carry hundreds of spellings
MENTION_FIELDS = ("place", "article", "start", "end", "sentence_start", "sentence_end", "method", "confidence", "role")


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 units each


def utf16_offsets(text: str) -> Callable[[int], int] | None:
    """Python offsets count code points, JavaScript strings count UTF-16 units: an emoji is 1
    in one and 2 in the other. A function from one to the other, or None where they agree
    (any text without characters beyond the Basic Multilingual Plane: nearly all of them)."""
    if text.isascii() or _ASTRAL.search(text) is None:  # a scan, not a UTF-16 copy of a text of many MB
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
    """The page's data: compact rows (field names listed once) so the HTML grows slowly per place.

    ``mentions`` is flat: mention k's field ``m_x`` is ``mentions[k * mention_stride + fields["m_x"]]``;
    its ``m_method`` and ``m_role`` are positions in ``methods`` and ``roles`` (``""``: no role).
    """
    return _payload(result, title, towns, lambda methods, roles: list(mention_values(result, methods, roles)))


def mention_values(result: GeoparseResult, methods: Sequence[str], roles: Sequence[str]) -> Iterator[float]:
    """The payload's flat ``mentions``, one number at a time (:data:`MENTION_FIELDS` for each mention
    in turn, spans in UTF-16 units): the browser parses one unboxed array where a list per mention
    cost one object each (120,000 at 50,000 articles: ~0.1 s of parsing and garbage collection)."""
    articles = {a.name: (i, utf16_offsets(a.text)) for i, a in enumerate(result.articles)}
    method_of = {m: i for i, m in enumerate(methods)}
    role_of = {r: i for i, r in enumerate(roles)}
    for place, summary in enumerate(result.places):
        for rm in summary.mentions:
            m = rm.mention
            article, js = articles[m.article]
            spans: tuple[int, ...] = (m.start, m.end, m.sentence_start, m.sentence_start + len(m.sentence))
            if js is not None:  # only articles with characters outside the BMP need converting
                spans = tuple(map(js, spans))
            yield from (place, article, *spans, method_of[rm.method], rm.confidence, role_of[rm.role or ""])


def article_record(a: Article) -> dict[str, str]:
    """An article as the page's script reads it (its ``text`` is what the excerpts are cut from)."""
    return {
        "name": a.name,
        "title": a.title,
        "outlet": a.outlet,
        "language": a.language,
        "url": a.url,
        "date": a.date.isoformat() if a.date else "",
        "text": a.text,
    }


def _payload(result: GeoparseResult, title: str | None, towns: bool, mentions: Any) -> dict[str, Any]:
    """The payload around ``mentions(methods, roles)``: a list, or an iterator made while written."""
    places = [[getattr(s.place, f) for f in PLACE_FIELDS[:-1]] + [kind_group(s.place.kind)] for s in result.places]
    methods = sorted({rm.method for s in result.places for rm in s.mentions})
    roles = sorted({rm.role or "" for s in result.places for rm in s.mentions})
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
        "articles": [article_record(a) for a in result.articles],
        "mentions": mentions(methods, roles),
        "mention_stride": len(MENTION_FIELDS),
        "methods": methods,
        "roles": roles,
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
    from nkmap.outputs.web.foliumpage import folium_page
    from nkmap.outputs.web.review_panel import review_payload

    payload = map_payload(result, title, towns)
    review = review_payload(result, corrections)
    return folium_page(
        payload["title"], json_for_html(payload), admin1_payload(result, admin1), review, resolve_tiles(tiles), basemap
    )


# Where the data goes when the page is written in pieces (write_map): "<" never occurs in the
# JSON of any data element (json_for_html escapes it), so the mark cannot come from article text.
_DATA_SLOT = "<nkmap-data-slot/>"


def write_map(
    result: GeoparseResult,
    path: str | os.PathLike[str],
    title: str | None = None,
    *,
    tiles: str | Tiles | None = "none",
    basemap: str | os.PathLike[str] = DEFAULT_BASEMAP,
    corrections: Any = None,
    towns: bool = True,
    admin1: str | os.PathLike[str] | None = None,
) -> Path:
    """Write the page of :func:`build_map` to ``path`` atomically, the same bytes, in pieces.

    The page is made around the place where the data goes (:func:`page_text`), and the data
    (article texts and all) is written there piece by piece (:func:`payload_json_pieces`): no
    string of the whole page, no JSON of the whole data, and no copy of a long text is ever held
    at once. A 19 MB article costs a few MB here instead of several times its size.
    """
    from nkmap.outputs.web.review_panel import review_payload

    # the mention rows are made as they are written (a list of a row per mention held none)
    payload = _payload(result, title, towns, lambda methods, roles: mention_values(result, methods, roles))
    provinces = admin1_payload(result, admin1)
    return write_map_parts(path, payload, provinces, review_payload(result, corrections), tiles=tiles, basemap=basemap)


def write_map_parts(
    path: str | os.PathLike[str],
    payload: dict[str, Any],
    provinces: dict[str, Any],
    review: dict[str, Any],
    *,
    tiles: str | Tiles | None = "none",
    basemap: str | os.PathLike[str] = DEFAULT_BASEMAP,
) -> Path:
    """Write the page of :func:`write_map` from its data already made: the streamed build's way
    (:mod:`nkmap.outputs.stream`), whose payload holds its articles in a :class:`SpooledList` and
    its mentions as an iterator. ``provinces`` as :func:`admin1_payload` gives them, ``review`` as
    :func:`nkmap.outputs.web.review_panel.review_payload` does."""
    from nkmap.infra import atomic

    head, tail = page_text(payload["title"], provinces, review, resolve_tiles(tiles), basemap)
    with atomic.atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
            f.write(head)
            for piece in payload_json_pieces(payload):
                f.write(piece)
            f.write(tail)
    return Path(path)


# The page around its data, as folium 0.20 renders nkmap's Map (nkmap.outputs.web.foliumpage):
# the same bytes without importing folium, branca and jinja and compiling their templates (~0.3 s
# of CPU, ~25 MB). tests/test_streamed_outputs.py compares the two, with and without tiles.
_MAP = "map_nkmap0"
_PAGE_HEAD = "\n".join(
    (
        "<!DOCTYPE html>",
        "<html>",
        "<head>",
        "    ",
        '    <meta http-equiv="content-type" content="text/html; charset=UTF-8" />',
        "    ",
    )
)
_MAP_HEAD = "\n".join(
    (
        "",
        "    ",
        '            <meta name="viewport" content="width=device-width,',
        '                initial-scale=1.0, maximum-scale=1.0, user-scalable=no" />',
        "            <style>",
        "                #map_nkmap0 {",
        "                    position: relative;",
        "                    width: 100.0%;",
        "                    height: 100.0%;",
        "                    left: 0.0%;",
        "                    top: 0.0%;",
        "                }",
        "                .leaflet-container { font-size: 1rem; }",
        "            </style>",
        "",
        "            <style>html, body {",
        "                width: 100%;",
        "                height: 100%;",
        "                margin: 0;",
        "                padding: 0;",
        "            }",
        "            </style>",
        "",
        "            <style>#map {",
        "                position:absolute;",
        "                top:0;",
        "                bottom:0;",
        "                right:0;",
        "                left:0;",
        "                }",
        "            </style>",
        "",
        "            <script>",
        "                L_NO_TOUCH = false;",
        "                L_DISABLE_3D = false;",
        "            </script>",
        "",
        "        ",
        "    ",
    )
)
_MAP_DIV = "\n".join(
    (
        "",
        "    ",
        '            <div class="folium-map" id="map_nkmap0" ></div>',
        "        ",
        "    ",
    )
)
_MAP_SCRIPT = "\n".join(
    (
        "",
        "</body>",
        "<script>",
        "    ",
        "    ",
        "            var map_nkmap0 = L.map(",
        '                "map_nkmap0",',
        "                {",
        "                    center: [30.0, 30.0],",
        "                    crs: L.CRS.EPSG3857,",
        "                    ...{",
        '  "zoom": 3,',
        '  "zoomControl": true,',
        '  "preferCanvas": true,',
        '  "minZoom": 2,',
        '  "maxZoom": 18,',
        "}",
        "",
        "                }",
        "            );",
        "            L.control.scale().addTo(map_nkmap0);",
        "",
        "            ",
        "",
        "        ",
        "    ",
    )
)
_TILES = "\n".join(
    (
        "",
        "            var tile_layer_nkmap1 = L.tileLayer(",
        "                {url},",
        "                {{",
        '  "minZoom": 0,',
        '  "maxZoom": 19,',
        '  "maxNativeZoom": 19,',
        '  "noWrap": false,',
        '  "attribution": {attribution},',
        '  "subdomains": "abc",',
        '  "detectRetina": false,',
        '  "tms": false,',
        '  "opacity": 1,',
        "}}",
        "",
        "            );",
        "        ",
        "    ",
        "            tile_layer_nkmap1.addTo({map});",
        "        ",
        "    ",
    )
)
_PAGE_SCRIPT = "\n".join(
    (
        "",
        "(function (map, data) {{",
        "  nkmapFirstView(map, data);  /* before the basemap, so its shapes are projected once, at this zoom */",
        '  nkmapBasemap(map, nkmapData("nkmap-basemap"), {attribution});',
        '  nkmapAreas(map, nkmapData("nkmap-admin1"));  /* provinces: static/areas.js */',
        "  nkmapInit(map, data);",
        "  nkmapAreasLegend(map);",
        '}})({map}, nkmapData("nkmap-data"));',
        "    ",
        'nkmapReview({map}, JSON.parse(document.getElementById("nkmap-review").textContent));',
        "</script>",
        "</html>",
    )
)


def attribution(provinces: dict[str, Any]) -> str:
    """What the map credits: the borders (Natural Earth's countries, or its provinces where the page
    draws some) and the GeoNames towns."""
    borders = ADMIN1_ATTRIBUTION if provinces["lines"] or provinces["areas"] else BASEMAP_ATTRIBUTION
    return f"{borders}; {TOWNS_ATTRIBUTION}"


def _js_json(value: str) -> str:
    """A string as folium writes a template's JSON (jinja's ``tojson``, folium's ``tojavascript``)."""
    text = json.dumps(value)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027")):
        text = text.replace(char, escape)
    return text


def page_text(
    title: str,
    provinces: dict[str, Any],
    review: dict[str, Any],
    layer: Tiles | None,
    basemap: str | os.PathLike[str] = DEFAULT_BASEMAP,
) -> tuple[str, str]:
    """The page of :func:`build_map` before and after the data element's JSON (the payload's, which
    the caller writes between them), the same bytes as folium renders it."""
    from nkmap.outputs.web.review_panel import review_assets

    def data(element_id: str, text: str) -> str:
        return f'<script type="application/json" id="{element_id}">{text}</script>'

    head = "".join(
        (
            _PAGE_HEAD,
            f"<title>{html.escape(title)}</title>\n    ",
            inline_assets(),
            _MAP_HEAD,
            review_assets(),
            "\n</head>\n<body>\n    \n    ",
            data("nkmap-basemap", basemap_json(basemap)),
            '\n    <script type="application/json" id="nkmap-data">',
        )
    )
    tiles = (
        ""
        if layer is None
        else _TILES.format(url=_js_json(layer.url), attribution=_js_json(layer.attribution), map=_MAP)
    )
    tail = "".join(
        (
            "</script>\n    ",
            data("nkmap-admin1", json_for_html(provinces)),
            _MAP_DIV,
            data("nkmap-review", json_for_html(review)),
            _MAP_SCRIPT,
            tiles,
            _PAGE_SCRIPT.format(attribution=json_for_html(attribution(provinces)), map=_MAP),
        )
    )
    return head, tail


class SpooledList:
    """A JSON list's items kept in a temporary file instead of memory (the streamed build's article
    texts): :func:`payload_json_pieces` copies them into the page. Items are added as the pieces of
    :func:`article_json_pieces` would write them."""

    def __init__(self) -> None:
        import tempfile

        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", errors="surrogatepass", newline="")
        self.count = 0

    def add(self, record: dict[str, Any]) -> None:
        self._file.write("," if self.count else "")
        if all(not isinstance(v, str) or len(v) <= TEXT_PIECE for v in record.values()):
            self._file.write(json_for_html(record))  # the pieces joined (json escapes character by character)
        else:
            self._file.writelines(_object_pieces(record))
        self.count += 1

    def pieces(self) -> Iterator[str]:
        self._file.flush()
        self._file.seek(0)
        while piece := self._file.read(TEXT_PIECE):
            yield piece

    def close(self) -> None:
        self._file.close()


class RowChunks:
    """A JSON list given as the lists of its items in turn (made as the page is written): one
    ``json`` call and no generator step per item (:func:`payload_json_pieces`)."""

    def __init__(self, chunks: Iterable[list[Any]]) -> None:
        self._chunks = chunks

    def __iter__(self) -> Iterator[list[Any]]:
        return iter(self._chunks)


TEXT_PIECE = 1 << 20  # characters of an article text encoded at a time
ROWS_PIECE = 5000  # rows of a list made while it is written


def payload_json_pieces(payload: dict[str, Any]) -> Iterator[str]:
    """``json_for_html(payload)`` in pieces: the article texts a slice at a time, the rest a member at a time.

    JSON escapes a string character by character, and so does :func:`json_for_html`, so the
    pieces joined are exactly the one string (tested).
    """
    yield "{"
    for i, (key, value) in enumerate(payload.items()):
        yield ("," if i else "") + json_for_html(key) + ":"
        if isinstance(value, SpooledList):  # items kept on disk (the streamed build's articles)
            yield "["
            yield from value.pieces()
            yield "]"
            continue
        if isinstance(value, RowChunks):  # a list's items made as they are written, a list of them at a time
            yield "["
            first = True
            for items in value:
                if items:
                    yield ("" if first else ",") + json_for_html(items)[1:-1]
                    first = False
            yield "]"
            continue
        if isinstance(value, Iterator):  # rows made as they are written: a list's JSON, some rows at a time
            yield "["
            first = True
            while rows := list(itertools.islice(value, ROWS_PIECE)):
                yield ("" if first else ",") + json_for_html(rows)[1:-1]
                first = False
            yield "]"
            continue
        if key != "articles":
            yield json_for_html(value)
            continue
        yield "["
        for j, article in enumerate(value):
            yield "," if j else ""
            yield from _object_pieces(article)
        yield "]"
    yield "}"


def _object_pieces(record: dict[str, Any]) -> Iterator[str]:
    yield "{"
    for i, (key, value) in enumerate(record.items()):
        yield ("," if i else "") + json_for_html(key) + ":"
        if isinstance(value, str) and len(value) > TEXT_PIECE:
            yield '"'
            for start in range(0, len(value), TEXT_PIECE):
                yield json_for_html(value[start : start + TEXT_PIECE])[1:-1]  # without its quotes
            yield '"'
        else:
            yield json_for_html(value)
    yield "}"


def embed_snippet(src: str = "map.html", title: str = "nkmap: places in the news", height: int = 600) -> str:
    """The ``<iframe>`` a report pastes to show the map: full width, ``height`` px, lazily loaded."""
    return (
        f'<iframe src="{html.escape(src)}" title="{html.escape(title)}" width="100%" height="{int(height)}"\n'
        f'        style="border: 1px solid #ccc; max-width: 100%;" loading="lazy"></iframe>\n'
    )
