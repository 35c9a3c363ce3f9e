"""What the markers sit on: the offline country basemap, and optional online tiles above it.

The basemap (Natural Earth borders, ``data/basemap/countries.geojson``) is embedded in every
map so the page is readable with no network; online tiles are an opt-in drawn over it, so a
page whose tiles fail to load still shows the countries.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from nkmap.datafiles import DEFAULT_BASEMAP
from nkmap.errors import InputError

BASEMAP_ATTRIBUTION = "Borders: Natural Earth"
# Characters that could end the <script> element or a JS string early, and their JSON escapes.
_JSON_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def json_for_html(data: object) -> str:
    """JSON that is safe inside an HTML ``<script>`` element: no ``</script>``, no comment openers."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for char, escape in _JSON_ESCAPES:  # str.replace runs in C: 10x faster than str.translate here
        text = text.replace(char, escape)
    return text


def country_labels(path: str | os.PathLike[str] = DEFAULT_BASEMAP) -> list[list]:
    """``[name, lon, lat, min_zoom]`` per country of the basemap (see :func:`basemap_json`)."""
    return json.loads(basemap_json(path))["labels"]


@dataclass(frozen=True, slots=True)
class Tiles:
    """An online XYZ tile layer: a URL template and its attribution (HTML, shown by Leaflet)."""

    url: str
    attribution: str


OSM = Tiles(
    "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
_TEMPLATE = re.compile(r"^https?://[^/\s]+/\S*$")


def resolve_tiles(tiles: str | Tiles | None, attribution: str | None = None) -> Tiles | None:
    """``"none"``/None → no tiles, ``"osm"`` → OpenStreetMap, or a ``https://…/{z}/{x}/{y}…`` template.

    A template without ``attribution`` is credited to its host, which is the least a tile
    provider asks for; pass the provider's own wording where it has one.
    """
    if tiles is None or isinstance(tiles, Tiles):
        return tiles
    if tiles == "none":
        return None
    if tiles == "osm":
        return OSM if attribution is None else Tiles(OSM.url, attribution)
    if not (_TEMPLATE.match(tiles) and all(k in tiles for k in ("{z}", "{x}", "{y}"))):
        raise InputError(
            "--tiles",
            "",
            f"{tiles!r} is not 'none', 'osm' or a tile URL template "
            "such as 'https://tiles.example.org/{z}/{x}/{y}.png'",
        )
    if attribution is None:
        attribution = "Tiles: " + html.escape(urlsplit(tiles).hostname or tiles)
    return Tiles(tiles, attribution)


SCALE = 10_000  # the basemap's coordinates sit on a 1e-4 degree grid (tools/make_basemap.py)
PACK_VERSION = 2  # bump when the packed form changes: the on-disk cache is keyed by it


def basemap_json(path: str | os.PathLike[str] = DEFAULT_BASEMAP) -> str:
    """The basemap packed for embedding: ``{"scale": S, "iso": [...], "shapes": [...], "labels": [...]}``.

        Each shape is a list of polygons, each a list of rings, each ring a flat list of integer
        steps ``[dx0, dy0, dx1, dy1, ...]`` in units of 1/S degree (lon, lat): about 40% smaller than
        the GeoJSON and exact on its grid; ``nkmap.js`` unpacks it. ``iso`` holds each shape's ISO
        code (the page shades the countries the articles name). ``labels`` are the country names with
    the point to write them at (``[name, lon, lat, min_zoom]``: the pole of inaccessibility of the
    largest part, shown from a zoom level that grows as the country shrinks). Packing takes a second,
        so the result is kept on disk per basemap file version.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as e:
        raise InputError(
            path, "", f"cannot read the basemap ({e.strerror}); make it with tools/make_basemap.py"
        ) from None
    return _packed(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def _packed(path: str, mtime: int, size: int) -> str:
    from nkmap.infra.cache import remembered

    return remembered("basemaps", f"{path}\0{mtime}\0{size}\0{SCALE}\0{PACK_VERSION}", lambda: _pack(path))


def _pack(path: str) -> str:
    try:
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(path, "", f"not a GeoJSON FeatureCollection ({e})") from None
    shapes, codes, labels = [], [], []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind not in ("Polygon", "MultiPolygon"):
            raise InputError(path, f"feature {i}", f"geometry type {kind!r}: the basemap holds (Multi)Polygons only")
        polygons = geometry["coordinates"] if kind == "MultiPolygon" else [geometry["coordinates"]]
        shapes.append([[_steps(ring) for ring in polygon] for polygon in polygons])
        properties = feature.get("properties") or {}
        codes.append(str(properties.get("iso_a2") or ""))
        if properties.get("name"):
            labels.append(_label(str(properties["name"]), polygons))
    labels.sort(key=lambda row: (row[3], row[0]))
    # Escaped like the page's data: a country name could hold "&" or "<".
    return json_for_html({"scale": SCALE, "iso": codes, "shapes": shapes, "labels": labels})


def _label(name: str, polygons: list) -> list:
    """``[name, lon, lat, min_zoom]``: inside the largest part, far from its edges; big countries first."""
    from shapely.geometry import Polygon
    from shapely.ops import polylabel

    parts = [Polygon(rings[0], rings[1:]) for rings in polygons if rings and len(rings[0]) >= 4]
    largest = max(parts, key=lambda p: p.area)
    point = polylabel(largest, tolerance=0.05) if largest.is_valid else largest.representative_point()
    area = sum(p.area for p in parts)  # square degrees: Russia ~2900, Armenia ~3.3, Luxembourg ~0.3
    min_zoom = next(z for z, a in ((2, 600), (3, 60), (4, 8), (5, 1.5), (6, 0.2), (7, 0)) if area >= a)
    return [name, round(point.x, 3), round(point.y, 3), min_zoom]


def _steps(ring: list[list[float]]) -> list[int]:
    steps, x0, y0 = [], 0, 0
    for lon, lat, *_ in ring:
        x, y = round(lon * SCALE), round(lat * SCALE)
        steps += (x - x0, y - y0)
        x0, y0 = x, y
    return steps
