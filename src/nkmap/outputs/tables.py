"""Machine-readable outputs: GeoDataFrames (EPSG:4326) and the files made from them.

GeoJSON for programs, CSV for spreadsheets, KML for Google Earth, PNG/SVG for reports.
Every file is written to a temporary name and renamed, so a reader never sees half of one.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nkmap.formats import parse_formats
from nkmap.infra import atomic, collector
from nkmap.model import Article, GeoparseResult, Mention, Place, ResolvedMention
from nkmap.outputs.kml import write_kml

if TYPE_CHECKING:  # geopandas, pandas and shapely are imported where a frame is asked for, not at start-up
    import geopandas as gpd
    import numpy as np

CRS = "EPSG:4326"


def _points(lat: list[float | None], lon: list[float | None]) -> np.ndarray:
    """Point geometries from coordinate columns in one vectorised call; None where a row has none."""
    import numpy as np
    import shapely

    lats = np.array([np.nan if v is None else v for v in lat], dtype=np.float64)
    lons = np.array([np.nan if v is None else v for v in lon], dtype=np.float64)
    geoms = np.full(len(lats), None, dtype=object)
    known = ~np.isnan(lats)
    geoms[known] = shapely.points(lons[known], lats[known])  # shapely is (x, y) = (lon, lat)
    return geoms


def to_geodataframes(result: GeoparseResult) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """``(mentions, places)``: one row per mention (geometry None where unresolved), one per place.

    Built column by column (one list per column, geometry from coordinate arrays), not from one
    dict and one shapely object per row. :func:`write_outputs` does not use them: it streams the
    same rows to the files (:func:`write_geojson_rows`, :func:`write_csv_rows`); these are for
    notebooks and for the KML writer (places only).
    """
    return _mentions_frame(result), places_frame(result)


def _mentions_frame(result: GeoparseResult) -> gpd.GeoDataFrame:
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
    return _frame(columns, _MENTION_COLUMNS, geometry)


def places_frame(result: GeoparseResult) -> gpd.GeoDataFrame:
    """One row per place (the second frame of :func:`to_geodataframes`)."""
    places = [(s.place, len(s.mentions), s.articles) for s in result.places]
    places_ = [p for p, _, _ in places]
    place_columns: dict[str, list] = {
        "place_id": [p.id for p in places_],
        "name": [p.name for p in places_],
        "kind": [p.kind for p in places_],
        "country": [p.country for p in places_],
        "origin": [p.origin for p in places_],
        "source": [p.source for p in places_],
        "geonameid": [p.geonameid for p in places_],
        "mentions": [n for _, n, _ in places],
        "articles": [list(a) for _, _, a in places],
    }
    frame = _frame(place_columns, _PLACE_COLUMNS, _points([p.lat for p in places_], [p.lon for p in places_]))
    frame["geonameid"] = frame["geonameid"].astype("Int64")  # an id, not 174982.0, even where some are missing
    return frame


def _frame(columns: dict[str, list], names: tuple[str, ...], geometry: np.ndarray) -> gpd.GeoDataFrame:
    """A GeoDataFrame with the dtypes a frame built from row dicts gets (an empty one: object columns)."""
    import geopandas as gpd
    import pandas as pd

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


_FORMULA_STARTS = frozenset(("=", "+", "-", "@", "\t", "\r"))


def write_csv(frame: gpd.GeoDataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``frame`` as CSV for spreadsheets, atomically: ``lat``/``lon`` columns instead of geometry.

    UTF-8 with a byte-order mark, because Excel reads a CSV without one in the local code page and
    turns "Ağdam" into mojibake; every other reader (pandas, LibreOffice, csv with ``utf-8-sig``)
    skips the mark. Lists become ``"a; b"``; rows end in CRLF as RFC 4180 asks. Article text is
    third-party input, so a text cell that starts like a formula (``= + - @``) gets a leading ``'``
    and a spreadsheet shows it as text instead of running it (the GeoJSON keeps it exactly).
    Columns are checked and defused as whole arrays; only a column holding lists or mixed values
    is walked cell by cell. (:func:`write_outputs` streams the same bytes with :func:`write_csv_rows`.)
    """
    import numpy as np
    import pandas as pd
    import shapely

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
            risky = text.str[:1].isin(tuple(_FORMULA_STARTS)).fillna(False).to_numpy(dtype=bool)
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


# --- the rows, streamed: no frame and no geometry object per mention ------------------------------
#
# A record is ``(values, point)``: the column values in the order of ``_MENTION_COLUMNS`` or
# ``_PLACE_COLUMNS`` (None where empty, lists as lists) and ``(lon, lat)`` or None. The writers
# below turn them into the bytes GDAL (GeoJSON) and pandas (CSV) wrote from the frames, which
# tests/test_exports.py checks against :func:`to_geodataframes` written the old way.

Record = tuple[Sequence[Any], "tuple[float, float] | None"]


def mention_records(result: GeoparseResult) -> Iterator[Record]:
    """One record per mention of ``result``, in its order (the rows of ``mentions.geojson``/``.csv``)."""
    dates = {a.name: a.date.isoformat() if a.date else None for a in result.articles}
    languages = {a.name: a.language or None for a in result.articles}
    no_place = (None, None, None, None)
    for rm in result.mentions:
        m, p = rm.mention, rm.place
        where = (p.id, p.name, p.kind, p.country) if p is not None else no_place
        values = (
            m.article,
            dates.get(m.article),
            languages.get(m.article),
            m.start,
            m.end,
            m.surface,
            rm.role,
            *where,
            rm.method,
            rm.confidence,
            m.sentence,
        )
        yield values, ((p.lon, p.lat) if p is not None else None)  # GeoJSON and shapely: (lon, lat)


def place_records(result: GeoparseResult) -> Iterator[Record]:
    """One record per place of ``result``, most mentioned first (the rows of ``places.geojson``/``.csv``)."""
    for s in result.places:
        p: Place = s.place
        values = (p.id, p.name, p.kind, p.country, p.origin, p.source, p.geonameid, len(s.mentions), list(s.articles))
        yield values, (p.lon, p.lat)


_encode_string = json.encoder.encode_basestring  # type: ignore[attr-defined]  # C: JSON string, non-ASCII as is


def _json_real(x: float) -> str:
    """A float as GDAL writes one (``%.15g``, and ``.0`` on a whole number)."""
    text = f"{x:.15g}"
    return text if any(c in text for c in ".en") else text + ".0"


def _json_coordinate(x: float) -> str:
    """A coordinate as GDAL's RFC 7946 writer gives it: 7 decimals, trailing zeros dropped."""
    return repr(round(x, 7))  # -0.0 stays -0.0, as GDAL writes it


def _json_value(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, str):
        return _encode_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _json_real(value)
    if isinstance(value, (list, tuple)):
        return "[ " + ", ".join(map(_json_value, value)) + " ]" if value else "[ ]"
    raise TypeError(f"no GeoJSON value for {type(value).__name__}")


def write_geojson_rows(path: str | os.PathLike[str], columns: Sequence[str], records: Iterable[Record]) -> Path:
    """Write ``records`` as an RFC 7946 FeatureCollection, one Feature a line, atomically.

    The layout and number formatting are GDAL's (what :func:`write_geojson` makes from a frame):
    a reader sees the same features, properties and coordinates (rounded to 7 decimals, about
    1 cm). Text is written as JSON strings by Python's own encoder (control characters escaped,
    everything else UTF-8 as is). Values that repeat (an article's name, a place's fields) are
    encoded once.
    """
    keys = [_encode_string(c) + ": " for c in columns]
    memo: dict[object, str] = {}

    def encoded(value: object) -> str:
        if type(value) is str:  # noqa: E721  (exact type: a str subclass is encoded the long way)
            text = memo.get(value)
            if text is None:
                text = _encode_string(value)
                if len(memo) < 200_000 and len(value) < 200:  # names and codes, not every sentence
                    memo[value] = text
            return text
        return _json_value(value)

    def features() -> Iterator[str]:
        for values, point in records:
            props = ", ".join([k + encoded(v) for k, v in zip(keys, values)])
            geometry = (
                f'{{ "type": "Point", "coordinates": [ {_json_coordinate(point[0])}, {_json_coordinate(point[1])} ] }}'
                if point is not None
                else "null"
            )
            yield f'{{ "type": "Feature", "properties": {{ {props} }}, "geometry": {geometry} }}'

    return _write_feature_collection(path, features())


def _write_feature_collection(path: str | os.PathLike[str], features: Iterable[str]) -> Path:
    """Write ``features`` (one Feature's JSON each) as a FeatureCollection in GDAL's layout, atomically,
    some thousands of lines at a time."""
    features = iter(features)
    with atomic.atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", errors="backslashreplace", newline="") as f:
            f.write(GEOJSON_HEAD)
            separator = ""
            while lines := list(itertools.islice(features, 2000)):
                f.write(separator + GEOJSON_SEPARATOR.join(lines))
                separator = GEOJSON_SEPARATOR
            f.write(GEOJSON_TAIL)
    return Path(path)


def write_csv_rows(path: str | os.PathLike[str], columns: Sequence[str], records: Iterable[Record]) -> Path:
    """Write ``records`` as CSV for spreadsheets, atomically: the bytes :func:`write_csv` writes from a frame.

    UTF-8 with a byte-order mark, CRLF, ``lat``/``lon`` after the columns, lists joined with
    ``"; "``, and every text cell that starts like a formula (``= + - @``, tab, CR) given a
    leading ``'`` (see :func:`write_csv`).
    """
    starts = _FORMULA_STARTS

    def cell(value: object) -> object:
        if isinstance(value, str):
            return "'" + value if value[:1] in starts else value
        if isinstance(value, (list, tuple)):
            return cell("; ".join(value))
        if isinstance(value, float):
            return repr(value)
        return value

    with atomic.atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", errors="backslashreplace", newline="") as f:
            writer = csv.writer(f, lineterminator="\r\n")
            writer.writerow([*columns, "lat", "lon"])
            rows: list[list[object]] = []
            for values, point in records:
                row = [cell(v) for v in values]
                row += (repr(point[1]), repr(point[0])) if point is not None else ("", "")  # lat, lon
                rows.append(row)
                if len(rows) >= 2000:
                    writer.writerows(rows)
                    rows.clear()
            writer.writerows(rows)
    return Path(path)


def write_mentions_geojson(result: GeoparseResult, path: str | os.PathLike[str]) -> Path:
    """``mentions.geojson``: :func:`write_geojson_rows` over :func:`mention_records`, with what repeats
    (an article's columns, a place's columns and point) encoded once, so a row costs a few C calls."""
    line = GeojsonMentionLines(article_columns(result.articles))
    return _write_feature_collection(path, map(line, result.mentions))


def article_columns(articles: Iterable[Article]) -> dict[str, tuple[str | None, str | None]]:
    """The article columns of the mention rows, by article name: ``(date, language)``, None where empty."""
    return {a.name: (a.date.isoformat() if a.date else None, a.language or None) for a in articles}


class _MentionLines:
    """What the two mention writers share: the memos of what repeats from one mention to the next, each
    value encoded once by the format's ``_text`` (a string) and ``_real`` (a confidence)."""

    MEMO = 200_000  # surfaces and column runs remembered at most (then forgotten, and made again)
    _text: Callable[[str], str]
    _real: Callable[[float], str]

    def __init__(self, articles: dict[str, tuple[str | None, str | None]], no_place: tuple[str, str]) -> None:
        self._articles = articles
        self._heads: dict[str, str] = {}
        self._places: dict[str | None, tuple[str, str]] = {None: no_place}  # id -> columns before, after
        self._small: dict[str, str] = {}  # roles and methods: a handful of values
        self._reals: dict[float, str] = {}  # confidences: a few hundred values
        self._runs: dict[tuple, str] = {}  # (role, place id, method, confidence) -> their columns, up to the sentence
        self._surfaces: dict[str, str] = {}
        self._sentence: object = None  # the last sentence met, and its encoding
        self._sentence_text = ""

    def forget_articles(self) -> None:
        """Let go of the articles' columns made so far (the streamed build: the articles of the batches
        written, whose mentions are all written)."""
        self._heads.clear()

    def _once(self, text: str) -> str:
        out = self._small.get(text)
        if out is None:
            out = self._small[text] = self._text(text)
        return out

    def _place(self, p: Place) -> tuple[str, str]:
        raise NotImplementedError

    def _run_text(self, rm: ResolvedMention, place: str, confidence: str) -> str:
        raise NotImplementedError

    def _run(self, key: tuple, rm: ResolvedMention) -> str:
        confidence = self._reals.get(rm.confidence)
        if confidence is None:
            confidence = self._reals[rm.confidence] = self._real(float(rm.confidence))
        p = rm.place
        place = self._places.get(p.id if p is not None else None) or self._place(p)  # type: ignore[arg-type]
        if len(self._runs) >= self.MEMO:
            self._runs.clear()
        run = self._runs[key] = self._run_text(rm, place[0], confidence)
        return run

    def _surface(self, surface: str) -> str:
        if len(self._surfaces) >= self.MEMO:
            self._surfaces.clear()
        out = self._surfaces[surface] = self._text(surface)
        return out


class GeojsonMentionLines(_MentionLines):
    """One ``mentions.geojson`` Feature per call (a mention), its article's columns looked up in
    ``articles`` (:func:`article_columns`; it may grow between calls: the streamed build adds each
    article as it comes). What repeats is encoded once: an article's columns, a place's columns and
    point, the run of columns from the role to the confidence, each surface (a bounded memo), and the
    sentence of the mention before (most mentions share a sentence with the one before)."""

    _text = staticmethod(_encode_string)
    _real = staticmethod(_json_real)

    def __init__(self, articles: dict[str, tuple[str | None, str | None]]) -> None:
        enc = _encode_string
        self._k = k = dict(zip(_MENTION_COLUMNS, [enc(c) + ": " for c in _MENTION_COLUMNS]))
        self._end, self._surface_key = f", {k['end']}", f", {k['surface']}"
        no_place = (
            f"{k['place_id']}null, {k['place']}null, {k['kind']}null, {k['country']}null, ",
            ' }, "geometry": null }',
        )
        super().__init__(articles, no_place)

    def _head(self, article: str) -> str:
        k = self._k
        date, language = self._articles.get(article, (None, None))
        head = self._heads[article] = (
            f'{{ "type": "Feature", "properties": {{ {k["article"]}{_encode_string(article)}, '
            f"{k['date']}{_json_value(date)}, "
            f"{k['language']}{_json_value(language)}, "
            f"{k['start']}"
        )
        return head

    def _place(self, p: Place) -> tuple[str, str]:
        k, enc = self._k, _encode_string
        place = self._places[p.id] = (
            f"{k['place_id']}{enc(p.id)}, {k['place']}{enc(p.name)}, "
            f"{k['kind']}{enc(p.kind)}, {k['country']}{enc(p.country)}, ",
            f' }}, "geometry": {{ "type": "Point", "coordinates": [ {_json_coordinate(p.lon)}, '
            f"{_json_coordinate(p.lat)} ] }} }}",
        )
        return place

    def _run_text(self, rm: ResolvedMention, place: str, confidence: str) -> str:
        k = self._k
        return (
            f", {k['role']}{self._once(rm.role)}, {place}{k['method']}{self._once(rm.method)}, "
            f"{k['confidence']}{confidence}, {k['sentence']}"
        )

    def __call__(self, rm: ResolvedMention) -> str:
        m, p = rm.mention, rm.place
        pid = p.id if p is not None else None
        key = (rm.role, pid, rm.method, rm.confidence)
        run = self._runs.get(key) or self._run(key, rm)
        sentence = m.sentence
        if sentence is not self._sentence:
            self._sentence, self._sentence_text = sentence, _encode_string(sentence)
        surface = self._surfaces.get(m.surface) or self._surface(m.surface)
        return (
            f"{self._heads.get(m.article) or self._head(m.article)}{m.start}{self._end}{m.end}{self._surface_key}"
            f"{surface}{run}{self._sentence_text}{self._places[pid][1]}"
        )


GEOJSON_HEAD, GEOJSON_SEPARATOR, GEOJSON_TAIL = '{\n"type": "FeatureCollection",\n"features": [\n', ",\n", "\n]\n}\n"


_CSV_SPECIAL = re.compile(r'[,"\r\n]')  # what makes csv's QUOTE_MINIMAL quote a field (with CRLF rows)


def _csv_text(text: str | None) -> str:
    """One CSV field as :mod:`csv` writes a text (quoted only where it must be), defused."""
    if text is None:
        return ""
    if text[:1] in _FORMULA_STARTS:
        text = "'" + text
    if _CSV_SPECIAL.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def write_mentions_csv(result: GeoparseResult, path: str | os.PathLike[str]) -> Path:
    """``mentions.csv``: the bytes of :func:`write_csv_rows` over :func:`mention_records`, each line
    joined here: an article's and a place's cells are defused and quoted once each, and only the
    surface and the sentence per row (:mod:`csv` spends most of its time on fields that repeat)."""
    line = CsvMentionLines(article_columns(result.articles))
    with atomic.atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8-sig", errors="backslashreplace", newline="") as f:
            f.write(MENTIONS_CSV_HEADER)
            mentions = iter(result.mentions)
            while rows := list(itertools.islice(mentions, 2000)):
                f.write("".join(map(line, rows)))
    return Path(path)


def _csv_header() -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerow([*_MENTION_COLUMNS, "lat", "lon"])
    return buffer.getvalue()


MENTIONS_CSV_HEADER = _csv_header()


class CsvMentionLines(_MentionLines):
    """One ``mentions.csv`` line per call (a mention), like :class:`GeojsonMentionLines`."""

    _text = staticmethod(_csv_text)
    _real = staticmethod(repr)

    def __init__(self, articles: dict[str, tuple[str | None, str | None]]) -> None:
        super().__init__(articles, (",,,,", ",,\r\n"))

    def _head(self, name: str) -> str:
        head = self._heads[name] = ",".join(map(_csv_text, (name, *self._articles.get(name, (None, None))))) + ","
        return head

    def _place(self, p: Place) -> tuple[str, str]:
        place = self._places[p.id] = (
            ",".join(map(_csv_text, (p.id, p.name, p.kind, p.country))) + ",",
            f",{p.lat!r},{p.lon!r}\r\n",
        )
        return place

    def _run_text(self, rm: ResolvedMention, place: str, confidence: str) -> str:
        return f",{self._once(rm.role)},{place}{self._once(rm.method)},{confidence},"

    def __call__(self, rm: ResolvedMention) -> str:
        m, p = rm.mention, rm.place
        pid = p.id if p is not None else None
        key = (rm.role, pid, rm.method, rm.confidence)
        run = self._runs.get(key) or self._run(key, rm)
        sentence = m.sentence
        if sentence is not self._sentence:
            cell = sentence
            if cell[:1] in _FORMULA_STARTS or _CSV_SPECIAL.search(cell):
                cell = _csv_text(cell)
            self._sentence, self._sentence_text = sentence, cell
        surface = self._surfaces.get(m.surface) or self._surface(m.surface)
        return (
            f"{self._heads.get(m.article) or self._head(m.article)}{m.start},{m.end},{surface}{run}"
            f"{self._sentence_text}{self._places[pid][1]}"
        )


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
    # The writers make many short-lived lists and strings; with a large result in memory each of
    # the cyclic collector's full passes walks every one of its objects (half the time of the page's
    # data at 5,000 articles). The result is frozen, and nothing here makes cycles: keep the
    # objects alive now out of its passes while writing, and give them back after (10 MB corpus: 5.1 -> 4.3 s
    # of CPU for the default formats).
    with collector.frozen():
        return _write_outputs(result, out, wanted, tiles, embed, corrections, title, towns)


def _write_outputs(
    result: GeoparseResult,
    out: Path,
    wanted: tuple[str, ...],
    tiles: str | None,
    embed: bool,
    corrections: object | None,
    title: str | None,
    towns: bool,
) -> list[Path]:
    written: list[Path] = []
    # All or nothing: every file goes to a temporary first; only when all are written are they
    # renamed over the previous set (see nkmap.infra.atomic.replaced_together).
    with atomic.replaced_together(out):
        if "html" in wanted:
            from nkmap.outputs.web.page import embed_snippet, write_map  # folium only when the page is asked for

            # in pieces: the page's data (every article's text) is never one string
            written.append(
                write_map(result, out / "map.html", title, tiles=tiles, corrections=corrections, towns=towns)
            )
            if embed:
                atomic.write_text(out / "embed.html", embed_snippet("map.html"))
                written.append(out / "embed.html")
        # The mention files are streamed row by row from the result: no frame, no shapely object per mention.
        if "geojson" in wanted:
            written += [
                write_mentions_geojson(result, out / "mentions.geojson"),
                write_geojson_rows(out / "places.geojson", _PLACE_COLUMNS, place_records(result)),
            ]
        if "csv" in wanted:
            from nkmap.outputs.review import write_review_csv  # from the result alone: loads no source

            written += [
                write_mentions_csv(result, out / "mentions.csv"),
                write_csv_rows(out / "places.csv", _PLACE_COLUMNS, place_records(result)),
                write_review_csv(result, out / "review.csv"),
            ]
        if "kml" in wanted:
            written.append(
                write_kml([(s.place, len(s.mentions), s.articles) for s in result.places], out / "places.kml")
            )
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
