"""Machine-readable outputs: GeoDataFrames (EPSG:4326) and the files made from them.

Every file is written to a temporary name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
from shapely.geometry import Point

from . import atomic
from .model import GeoparseResult
from .webmap import build_map

CRS = "EPSG:4326"


def _point(lat: float, lon: float) -> Point:
    return Point(lon, lat)  # shapely is (x, y) = (lon, lat)


def to_geodataframes(result: GeoparseResult) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(mentions, places)``: one row per mention (geometry None where unresolved), one per place."""
    mention_rows = []
    for rm in result.mentions:
        m, p = rm.mention, rm.place
        mention_rows.append({
            "article": m.article, "start": m.start, "end": m.end, "surface": m.surface,
            "place_id": p.id if p else None, "place": p.name if p else None, "kind": p.kind if p else None,
            "country": p.country if p else None, "method": rm.method, "confidence": rm.confidence,
            "sentence": m.sentence, "geometry": _point(p.lat, p.lon) if p else None,
        })
    place_rows = []
    for s in result.places:
        p = s.place
        place_rows.append({
            "place_id": p.id, "name": p.name, "kind": p.kind, "country": p.country, "origin": p.origin,
            "source": p.source, "geonameid": p.geonameid, "mentions": len(s.mentions),
            "articles": list(s.articles), "geometry": _point(p.lat, p.lon),
        })
    mentions = gpd.GeoDataFrame(mention_rows, columns=[*_MENTION_COLUMNS, "geometry"], geometry="geometry", crs=CRS)
    places = gpd.GeoDataFrame(place_rows, columns=[*_PLACE_COLUMNS, "geometry"], geometry="geometry", crs=CRS)
    return mentions, places


_MENTION_COLUMNS = ("article", "start", "end", "surface", "place_id", "place", "kind", "country", "method",
                    "confidence", "sentence")
_PLACE_COLUMNS = ("place_id", "name", "kind", "country", "origin", "source", "geonameid", "mentions", "articles")


def write_geojson(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as RFC 7946 GeoJSON atomically."""
    with atomic.atomic_path(path) as tmp:
        frame.to_file(tmp, driver="GeoJSON", engine="pyogrio", RFC7946="YES", WRITE_NAME="NO")
    return Path(path)


def write_outputs(result: GeoparseResult, out: str | os.PathLike[str]) -> list[Path]:
    """Write ``map.html``, ``mentions.geojson`` and ``places.geojson`` into ``out``."""
    out = Path(out)
    mentions, places = to_geodataframes(result)
    written = [write_geojson(mentions, out / "mentions.geojson"), write_geojson(places, out / "places.geojson")]
    html = build_map(result).get_root().render()
    atomic.write_text(out / "map.html", html)
    return [out / "map.html", *written]
