"""Machine-readable outputs: GeoDataFrames (EPSG:4326) and the files made from them.

GeoJSON for programs, CSV for spreadsheets, KML for Google Earth, PNG/SVG for reports.
Every file is written to a temporary name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import html
import os
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from nkmap.formats import parse_formats
from nkmap.infra import atomic
from nkmap.model import GeoparseResult, Mention, ResolvedMention

CRS = "EPSG:4326"


def _points(lat: list[float | None], lon: list[float | None]) -> np.ndarray:
    """Point geometries from coordinate columns in one vectorised call; None where a row has none."""
    lats = np.array([np.nan if v is None else v for v in lat], dtype=np.float64)
    lons = np.array([np.nan if v is None else v for v in lon], dtype=np.float64)
    geoms = np.full(len(lats), None, dtype=object)
    known = ~np.isnan(lats)
    geoms[known] = shapely.points(lons[known], lats[known])  # shapely is (x, y) = (lon, lat)
    return geoms


def to_geodataframes(result: GeoparseResult) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(mentions, places)``: one row per mention (geometry None where unresolved), one per place.

    Built column by column (one list per column, geometry from coordinate arrays), not from one
    dict and one shapely object per row.
    """
    dates = {a.name: a.date.isoformat() if a.date else None for a in result.articles}
    languages = {a.name: a.language or None for a in result.articles}
    rms = result.mentions
    ms = [rm.mention for rm in rms]
    ps = [rm.place for rm in rms]
    columns: dict[str, list] = {
        "article": [m.article for m in ms],
        "date": [dates.get(m.article) for m in ms],
        "language": [languages.get(m.article) for m in ms],
        "start": [m.start for m in ms],
        "end": [m.end for m in ms],
        "surface": [m.surface for m in ms],
        "role": [rm.role for rm in rms],
        "place_id": [p.id if p else None for p in ps],
        "place": [p.name if p else None for p in ps],
        "kind": [p.kind if p else None for p in ps],
        "country": [p.country if p else None for p in ps],
        "method": [rm.method for rm in rms],
        "confidence": [rm.confidence for rm in rms],
        "sentence": [m.sentence for m in ms],
    }
    geometry = _points([p.lat if p else None for p in ps], [p.lon if p else None for p in ps])
    mentions = _frame(columns, _MENTION_COLUMNS, geometry)
    places_ = [s.place for s in result.places]
    place_columns: dict[str, list] = {
        "place_id": [p.id for p in places_],
        "name": [p.name for p in places_],
        "kind": [p.kind for p in places_],
        "country": [p.country for p in places_],
        "origin": [p.origin for p in places_],
        "source": [p.source for p in places_],
        "geonameid": [p.geonameid for p in places_],
        "mentions": [len(s.mentions) for s in result.places],
        "articles": [list(s.articles) for s in result.places],
    }
    places = _frame(place_columns, _PLACE_COLUMNS, _points([p.lat for p in places_], [p.lon for p in places_]))
    places["geonameid"] = places["geonameid"].astype("Int64")  # an id, not 174982.0, even where some are missing
    return mentions, places


def _frame(columns: dict[str, list], names: tuple[str, ...], geometry: np.ndarray) -> gpd.GeoDataFrame:
    """A GeoDataFrame with the dtypes a frame built from row dicts gets (an empty one: object columns)."""
    if not len(geometry):
        return gpd.GeoDataFrame([], columns=[*names, "geometry"], geometry="geometry", crs=CRS)
    frame = pd.DataFrame({n: columns[n] for n in names})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(geometry, crs=CRS), crs=CRS)


_MENTION_COLUMNS = (
    "article",
    "date",
    "language",
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


def _arrow() -> bool:
    """Whether pyogrio can take the frame through Arrow: same bytes, ~1.5x faster to write.

    Only where pyarrow is installed anyway: nkmap does not require it, because with it installed
    pandas imports it at start-up (+65 MB RSS, +0.2-0.4 s for every ``import geopandas``).
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return False
    return True


def write_geojson(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as RFC 7946 GeoJSON atomically."""
    with atomic.atomic_path(path) as tmp:
        frame.to_file(tmp, driver="GeoJSON", engine="pyogrio", RFC7946="YES", WRITE_NAME="NO", use_arrow=_arrow())
    return Path(path)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as CSV for spreadsheets, atomically: ``lat``/``lon`` columns instead of geometry.

    UTF-8 with a byte-order mark, because Excel reads a CSV without one in the local code page and
    turns "Ağdam" into mojibake; every other reader (pandas, LibreOffice, csv with ``utf-8-sig``)
    skips the mark. Lists become ``"a; b"``; rows end in CRLF as RFC 4180 asks. Article text is
    third-party input, so a text cell that starts like a formula (``= + - @``) gets a leading ``'``
    and a spreadsheet shows it as text instead of running it (the GeoJSON keeps it exactly).
    Columns are checked and defused as whole arrays; only a column holding lists or mixed values
    is walked cell by cell.
    """
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    points = frame.geometry.array
    present = ~pd.isna(np.asarray(points, dtype=object)) if len(points) else np.zeros(0, dtype=bool)
    lat = np.full(len(points), np.nan)
    lon = np.full(len(points), np.nan)
    if present.any():
        coords = shapely.get_coordinates(np.asarray(points, dtype=object)[present])
        lon[present], lat[present] = coords[:, 0], coords[:, 1]  # x is lon, y is lat
    table.insert(len(table.columns), "lat", lat)
    table.insert(len(table.columns), "lon", lon)
    for column in table.columns:
        series = table[column]
        if pd.api.types.is_numeric_dtype(series):
            continue
        kind = pd.api.types.infer_dtype(series, skipna=True)
        if kind in ("string", "empty"):
            text = series.astype(object)
            risky = text.str[:1].isin(_FORMULA_STARTS).fillna(False).to_numpy(dtype=bool)
            if risky.any():
                text = text.copy()
                text[risky] = "'" + text[risky]
            table[column] = text
            continue
        if series.map(lambda v: isinstance(v, (list, tuple))).any():
            series = series.map(lambda v: "; ".join(v) if isinstance(v, (list, tuple)) else v)
        table[column] = series.map(_inert_cell)
    with atomic.atomic_path(path) as tmp:
        table.to_csv(tmp, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    return Path(path)


def _inert_cell(value: object) -> object:
    if isinstance(value, str) and value[:1] in _FORMULA_STARTS:
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
    corrections: object | None = None,
    title: str | None = None,
    towns: bool = True,
) -> list[Path]:
    """Write the files of ``formats`` into ``out`` and return their paths, as a set or not at all.

    Every file is written to a hidden temporary first; only when all are written are they renamed
    over the previous ones (:func:`nkmap.infra.atomic.replaced_together`). On any error (a full
    disk raises :class:`nkmap.errors.OutputError`) or interrupt, ``out`` keeps the previous set.

    Parameters
    ----------
    result : what :func:`nkmap.geoparse` returned.
    out : the output folder (created if missing).
    formats : any of ``html``, ``geojson``, ``csv``, ``kml``, ``png``, ``svg`` as a list or a
        comma-separated string; default all but png and svg (:data:`nkmap.formats.DEFAULT`). See :data:`nkmap.formats.FORMATS` for the file names.
        ``png`` and ``svg`` are one drawing (:mod:`nkmap.outputs.staticmap`), made once for both.
    tiles : online tiles over the offline basemap in ``map.html``: ``"none"`` (default), ``"osm"``
        or a URL template (see :func:`nkmap.outputs.web.page.build_map`).
    embed : also write ``embed.html``, the ``<iframe>`` snippet a report pastes.
    corrections : the corrections applied (:class:`nkmap.sources.corrections.AppliedCorrections`):
        the map's review panel exports them together with the ones made in the page.
    towns : the map names the GeoNames towns around the places (False with ``--no-geonames``).
    title : the title of the map page and the static map (default: what the corpus is).
    """
    wanted = parse_formats(formats)
    out = Path(out)
    result = printable_names(result)
    written: list[Path] = []
    # All or nothing: every file goes to a temporary first; only when all are written are they
    # renamed over the previous set (see nkmap.infra.atomic.replaced_together).
    with atomic.replaced_together(out):
        if "html" in wanted:
            from nkmap.outputs.web.page import build_map, embed_snippet  # folium only when the page is asked for

            atomic.write_text(
                out / "map.html",
                build_map(result, title, tiles=tiles, corrections=corrections, towns=towns).get_root().render(),
            )
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
                from nkmap.outputs.review import write_review_csv  # from the result alone: loads no source

                written += [
                    write_csv(mentions, out / "mentions.csv"),
                    write_csv(places, out / "places.csv"),
                    write_review_csv(result, out / "review.csv"),
                ]
            if "kml" in wanted:
                written.append(write_kml(places, out / "places.kml"))
        images: dict[str, str | os.PathLike[str]] = {fmt: out / f"map.{fmt}" for fmt in ("png", "svg") if fmt in wanted}
        if images:
            from nkmap.outputs.staticmap import write_static_maps  # matplotlib only when a picture is asked for

            written += write_static_maps(result, images, title=title)
    return written


def printable_names(result: GeoparseResult) -> GeoparseResult:
    """``result`` with every article name that is not valid UTF-8 shown by its bytes (``\\xff``).

    A file name that is not UTF-8 reaches Python with lone surrogates in it, which no UTF-8
    output (GDAL, pyarrow, the page) takes; its bad bytes are written as ``\\xNN`` instead, the
    same way in every output, so the name still joins mentions to their article. A result with
    no such name is returned as is.
    """
    odd = {a.name for a in result.articles if not _encodable(a.name)}
    odd |= {rm.mention.article for rm in result.mentions if not _encodable(rm.mention.article)}
    if not odd and all(_encodable(a.path) for a in result.articles):
        return result
    names = {name: _bytes_shown(name) for name in odd}

    def mention(m: Mention) -> Mention:
        return replace(m, article=names[m.article]) if m.article in names else m

    def resolved(rm: ResolvedMention) -> ResolvedMention:
        return replace(rm, mention=mention(rm.mention)) if rm.mention.article in names else rm

    return replace(
        result,
        articles=tuple(replace(a, name=names.get(a.name, a.name), path=_bytes_shown(a.path)) for a in result.articles),
        mentions=tuple(resolved(rm) for rm in result.mentions),
        places=tuple(replace(s, mentions=tuple(resolved(rm) for rm in s.mentions)) for s in result.places),
        dropped=tuple(replace(d, mention=mention(d.mention)) for d in result.dropped),
    )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bytes_shown(name: str) -> str:
    if _encodable(name):
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
