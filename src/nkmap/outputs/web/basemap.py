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


def basemap_json(path: str | os.PathLike[str] = DEFAULT_BASEMAP) -> str:
    """The basemap packed for embedding: ``{"scale": S, "iso": [...], "shapes": [...]}``.

    Each shape is a list of polygons, each a list of rings, each ring a flat list of integer
    steps ``[dx0, dy0, dx1, dy1, ...]`` in units of 1/S degree (lon, lat): about 40% smaller than
    the GeoJSON and exact on its grid; ``nkmap.js`` unpacks it. ``iso`` holds each shape's ISO
    code (the page shades the countries the articles name). Packing takes a fifth of a second,
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

    return remembered("basemaps", f"{path}\0{mtime}\0{size}\0{SCALE}", lambda: _pack(path))


def _pack(path: str) -> str:
    try:
        features = json.loads(Path(path).read_text(encoding="utf-8"))["features"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise InputError(path, "", f"not a GeoJSON FeatureCollection ({e})") from None
    shapes, codes = [], []
    for i, feature in enumerate(features):
        geometry = feature.get("geometry") or {}
        kind = geometry.get("type")
        if kind not in ("Polygon", "MultiPolygon"):
            raise InputError(path, f"feature {i}", f"geometry type {kind!r}: the basemap holds (Multi)Polygons only")
        polygons = geometry["coordinates"] if kind == "MultiPolygon" else [geometry["coordinates"]]
        shapes.append([[_steps(ring) for ring in polygon] for polygon in polygons])
        codes.append(str((feature.get("properties") or {}).get("iso_a2") or ""))
    # Only digits and ISO letters: nothing in it can end the <script> element.
    return json.dumps({"scale": SCALE, "iso": codes, "shapes": shapes}, separators=(",", ":"))


def _steps(ring: list[list[float]]) -> list[int]:
    steps, x0, y0 = [], 0, 0
    for lon, lat, *_ in ring:
        x, y = round(lon * SCALE), round(lat * SCALE)
        steps += (x - x0, y - y0)
        x0, y0 = x, y
    return steps
