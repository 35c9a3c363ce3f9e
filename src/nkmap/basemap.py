"""What the markers sit on: the offline country basemap, and optional online tiles above it.

The basemap (Natural Earth borders, ``data/basemap/countries.geojson``) is embedded in every
map so the page is readable with no network; online tiles are an opt-in drawn over it, so a
page whose tiles fail to load still shows the countries.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .errors import InputError

DEFAULT_BASEMAP = Path(__file__).resolve().parents[2] / "data" / "basemap" / "countries.geojson"
BASEMAP_ATTRIBUTION = "Borders: Natural Earth"


@dataclass(frozen=True, slots=True)
class Tiles:
    """An online XYZ tile layer: a URL template and its attribution (HTML, shown by Leaflet)."""

    url: str
    attribution: str


OSM = Tiles("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
            '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors')
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
        raise InputError("--tiles", "", f"{tiles!r} is not 'none', 'osm' or a tile URL template "
                                        "such as 'https://tiles.example.org/{z}/{x}/{y}.png'")
    if attribution is None:
        attribution = "Tiles: " + html.escape(urlsplit(tiles).hostname or tiles)
    return Tiles(tiles, attribution)


def basemap_json(path: str | os.PathLike[str] = DEFAULT_BASEMAP) -> str:
    """The basemap GeoJSON as text to embed in the page (the page reads ``properties.iso_a2``).

    The file's own text is embedded, not a re-encoding: parsing and re-dumping 1.4 MB would cost
    a fifth of a second on every build. ``tests/test_basemap.py`` checks the file is valid.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise InputError(path, "", f"cannot read the basemap ({e.strerror}); "
                                   "make it with tools/make_basemap.py") from None
    # "<" can only occur inside a JSON string; escaped, no "</script" can end the element.
    return text.replace("<", "\\u003c")
