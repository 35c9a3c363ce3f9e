"""Machine-readable outputs: GeoDataFrames (EPSG:4326) and the files made from them.

GeoJSON for programs, CSV for spreadsheets, KML for Google Earth, PNG/SVG for reports.
Every file is written to a temporary name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from nkmap.formats import parse_formats
from nkmap.infra import atomic
from nkmap.model import GeoparseResult

CRS = "EPSG:4326"


def _point(lat: float, lon: float) -> Point:
    return Point(lon, lat)  # shapely is (x, y) = (lon, lat)


def to_geodataframes(result: GeoparseResult) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(mentions, places)``: one row per mention (geometry None where unresolved), one per place."""
    dates = {a.name: a.date.isoformat() if a.date else None for a in result.articles}
    mention_rows = []
    for rm in result.mentions:
        m, p = rm.mention, rm.place
        mention_rows.append(
            {
                "article": m.article,
                "date": dates.get(m.article),
                "start": m.start,
                "end": m.end,
                "surface": m.surface,
                "role": rm.role,
                "place_id": p.id if p else None,
                "place": p.name if p else None,
                "kind": p.kind if p else None,
                "country": p.country if p else None,
                "method": rm.method,
                "confidence": rm.confidence,
                "sentence": m.sentence,
                "geometry": _point(p.lat, p.lon) if p else None,
            }
        )
    place_rows = []
    for s in result.places:
        p = s.place
        place_rows.append(
            {
                "place_id": p.id,
                "name": p.name,
                "kind": p.kind,
                "country": p.country,
                "origin": p.origin,
                "source": p.source,
                "geonameid": p.geonameid,
                "mentions": len(s.mentions),
                "articles": list(s.articles),
                "geometry": _point(p.lat, p.lon),
            }
        )
    mentions = gpd.GeoDataFrame(mention_rows, columns=[*_MENTION_COLUMNS, "geometry"], geometry="geometry", crs=CRS)
    places = gpd.GeoDataFrame(place_rows, columns=[*_PLACE_COLUMNS, "geometry"], geometry="geometry", crs=CRS)
    places["geonameid"] = places["geonameid"].astype("Int64")  # an id, not 174982.0, even where some are missing
    return mentions, places


_MENTION_COLUMNS = (
    "article",
    "date",
    "start",
    "end",
    "surface",
    "role",
    "place_id",
    "place",
    "kind",
    "country",
    "method",
    "confidence",
    "sentence",
)
_PLACE_COLUMNS = ("place_id", "name", "kind", "country", "origin", "source", "geonameid", "mentions", "articles")


def write_geojson(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as RFC 7946 GeoJSON atomically."""
    with atomic.atomic_path(path) as tmp:
        frame.to_file(tmp, driver="GeoJSON", engine="pyogrio", RFC7946="YES", WRITE_NAME="NO")
    return Path(path)


def write_csv(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as CSV for spreadsheets, atomically: ``lat``/``lon`` columns instead of geometry.

    UTF-8 with a byte-order mark, because Excel reads a CSV without one in the local code page and
    turns "Ağdam" into mojibake; every other reader (pandas, LibreOffice, csv with ``utf-8-sig``)
    skips the mark. Lists become ``"a; b"``; rows end in CRLF as RFC 4180 asks. Article text is
    third-party input, so a text cell that starts like a formula (``= + - @``) gets a leading ``'``
    and a spreadsheet shows it as text instead of running it (the GeoJSON keeps it exactly).
    """
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    points = frame.geometry
    table.insert(len(table.columns), "lat", [g.y if g is not None else None for g in points])  # y is lat
    table.insert(len(table.columns), "lon", [g.x if g is not None else None for g in points])
    for column in table.columns:
        if table[column].map(lambda v: isinstance(v, (list, tuple))).any():
            table[column] = table[column].map(lambda v: "; ".join(v) if isinstance(v, (list, tuple)) else v)
        if not pd.api.types.is_numeric_dtype(table[column]):
            table[column] = table[column].map(_inert_cell)
    with atomic.atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)


def _inert_cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def kml_driver() -> str:
    """GDAL's LIBKML driver where this build has it (full KML 2.2), else its plain KML driver."""
    import pyogrio

    drivers = pyogrio.list_drivers(write=True)
    return "LIBKML" if "LIBKML" in drivers else "KML"


def write_kml(places: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write one Placemark per place for Google Earth, atomically.

    Both GDAL drivers take the Placemark's ``<name>`` and ``<description>`` from columns named
    ``Name`` and ``Description``. Google Earth shows the description as HTML, so it is escaped.
    """
    frame = places.copy()
    frame.insert(0, "Name", frame["name"])
    frame.insert(
        1,
        "Description",
        [
            html.escape(f"{n} mention{'s' if n != 1 else ''} in {', '.join(a)}")
            for n, a in zip(frame["mentions"], frame["articles"])
        ],
    )
    frame["articles"] = frame["articles"].map("; ".join)
    frame = frame.drop(columns=["name"])
    with atomic.atomic_path(path) as tmp:
        frame.to_file(tmp, driver=kml_driver(), engine="pyogrio", layer="places")
    return Path(path)


def write_outputs(
    result: GeoparseResult,
    out: str | os.PathLike[str],
    formats: str | Iterable[str] | None = None,
    tiles: str | None = "none",
    embed: bool = False,
    title: str | None = None,
) -> list[Path]:
    """Write the files of ``formats`` into ``out`` and return their paths.

    Parameters
    ----------
    result : what :func:`nkmap.geoparse` returned.
    out : the output folder (created if missing).
    formats : any of ``html``, ``geojson``, ``csv``, ``kml``, ``png``, ``svg`` as a list or a
        comma-separated string; default all. See :data:`nkmap.formats.FORMATS` for the file names.
        ``png`` and ``svg`` are one drawing (:mod:`nkmap.outputs.staticmap`), made once for both.
    tiles : online tiles over the offline basemap in ``map.html``: ``"none"`` (default), ``"osm"``
        or a URL template (see :func:`nkmap.outputs.web.page.build_map`).
    embed : also write ``embed.html``, the ``<iframe>`` snippet a report pastes.
    title : the title of the map page and the static map (default: what the corpus is).
    """
    wanted = parse_formats(formats)
    out = Path(out)
    written: list[Path] = []
    if "html" in wanted:
        from nkmap.outputs.web.page import build_map, embed_snippet  # folium only when the page is asked for

        atomic.write_text(out / "map.html", build_map(result, title, tiles=tiles).get_root().render())
        written.append(out / "map.html")
        if embed:
            atomic.write_text(out / "embed.html", embed_snippet("map.html"))
            written.append(out / "embed.html")
    if {"geojson", "csv", "kml"} & set(wanted):
        mentions, places = to_geodataframes(result)
        if "geojson" in wanted:
            written += [
                write_geojson(mentions, out / "mentions.geojson"),
                write_geojson(places, out / "places.geojson"),
            ]
        if "csv" in wanted:
            from nkmap.outputs.review import write_unresolved_csv
            from nkmap.sources.geonames import load_geonames

            written += [
                write_csv(mentions, out / "mentions.csv"),
                write_csv(places, out / "places.csv"),
                write_unresolved_csv(result, out / "unresolved.csv", load_geonames().lookup),
            ]
        if "kml" in wanted:
            written.append(write_kml(places, out / "places.kml"))
    images = {fmt: out / f"map.{fmt}" for fmt in ("png", "svg") if fmt in wanted}
    if images:
        from nkmap.outputs.staticmap import write_static_maps  # matplotlib only when a picture is asked for

        written += write_static_maps(result, images, title=title)
    return written
