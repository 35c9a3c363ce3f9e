"""The outputs written while the articles are geoparsed: a build's memory does not grow with its corpus.

:func:`nkmap.outputs.tables.write_outputs` writes the files from a whole :class:`GeoparseResult`:
every article's text and one object per mention (~700 bytes a mention) held until the end.
:class:`OutputStream` takes the articles a batch at a time instead (``add``) and keeps only what
the files written at the end need:

- ``mentions.geojson`` and ``mentions.csv`` are written row by row as the mentions come (to their
  temporaries: renamed with the rest of the set at the end, or removed, as every write);
- the page's article texts go, already encoded, to a temporary file that the page copies in;
- the page's mention rows are kept as columns of machine numbers (``array``: ~40 bytes a mention,
  no object), each batch's written to a temporary file (:class:`_SpilledColumns`) and read back at
  the end, when geoparsing's memory is let go, to be put in place order;
- per place: its place, count, articles, names as written and best confidence; per review row:
  its count, articles, first mention and best candidates (:class:`nkmap.outputs.review.ReviewTallies`).

The bytes are those of ``write_outputs`` over the whole result (tested), provided each batch
brings an article's mentions and drops with it (as geoparsing gives them).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from nkmap.infra import atomic, collector
from nkmap.model import Article, BuildCounts, Dropped, GeoparseResult, Place, PlaceSummary, ResolvedMention, kind_group
from nkmap.outputs.kml import write_kml
from nkmap.outputs.review import LOW_CONFIDENCE, ReviewTallies, add_article_once, review_csv
from nkmap.outputs.tables import (
    _PLACE_COLUMNS,
    GEOJSON_HEAD,
    GEOJSON_SEPARATOR,
    GEOJSON_TAIL,
    MENTIONS_CSV_HEADER,
    CsvMentionLines,
    GeojsonMentionLines,
    printable_names,
    write_csv_rows,
    write_geojson_rows,
)

ROWS_AT_ONCE = 2000  # mention rows joined into one write
FULL_EVERY = 8  # batches between the streamed build's full collections (see stream_outputs)


@functools.cache
def _malloc_trim() -> Any:
    """glibc's ``malloc_trim``, or None where the C library has none (macOS, musl, Windows)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


def give_back_memory() -> None:
    """Hand the C heap's free pages back to the system.

    The texts of the articles already written (a few KB each: C ``malloc``, not Python's small-object
    arenas) are freed, but glibc keeps their pages for the process, so its RSS stays at its
    high-water mark. Asked after each batch, the peak follows what is alive (50 MB of news: the
    page's data, not every text ever read). Does nothing where there is no ``malloc_trim``.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class _PlaceTally:
    __slots__ = ("place", "index", "count", "articles", "surfaces", "best", "first")

    def __init__(self, place: Place, index: int, first: ResolvedMention) -> None:
        self.place = place
        self.index = index  # order of first appearance: the page's mention rows refer to it
        self.count = 0
        self.articles: list[str] = []  # in the order first met, each once (a list: ~10 bytes a name, not ~60)
        self.surfaces: dict[str, None] = {}
        self.best = first.confidence
        self.first = first


class _SpilledColumns:
    """Columns of machine numbers (``array`` typecodes) appended a batch at a time and kept in a
    temporary file each until they are read back, once, as NumPy arrays: what a build's mentions
    hold for the page (~40 bytes a mention: 25 MB at 50 MB of news) is not in memory while the
    geoparser's is. A column may change its typecode midway (to wider numbers): read back in the widest."""

    def __init__(self, typecodes: Sequence[str]) -> None:
        import tempfile

        self._files = [tempfile.TemporaryFile() for _ in typecodes]  # noqa: SIM115  (closed by close)
        self._segments: list[list[tuple[str, int]]] = [[] for _ in typecodes]  # (typecode, count) written
        self.rows = 0  # rows written (of the first column)

    def write(self, columns: Sequence[array]) -> None:
        for f, segments, column in zip(self._files, self._segments, columns):
            if not column:
                continue
            column.tofile(f)
            if segments and segments[-1][0] == column.typecode:
                segments[-1] = (column.typecode, segments[-1][1] + len(column))
            else:
                segments.append((column.typecode, len(column)))
        self.rows += len(columns[0])

    def column(self, i: int) -> Any:
        """Column ``i`` as a NumPy array (None if it holds nothing), read straight into its buffer."""
        import numpy as np

        f = self._files[i]
        f.flush()
        f.seek(0)
        parts = [np.fromfile(f, dtype=np.dtype(code), count=count) for code, count in self._segments[i]]
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return np.concatenate(parts).astype(max((p.dtype for p in parts), key=lambda d: d.itemsize))  # the widest

    def read(self) -> list[Any]:
        """Every column as :meth:`column` gives it."""
        return [self.column(i) for i in range(len(self._files))]

    def in_order(self, order: Any, rows: int) -> Iterator[list[Any]]:
        """The columns' values in ``order`` (row numbers), ``rows`` of each column at a time: the columns are
        put in order one at a time into another temporary file, read back a slice at a time, so one column
        (and ``order``) is in memory at once, not all of them."""
        import tempfile

        import numpy as np

        with tempfile.TemporaryFile() as f:
            placed: list[tuple[int, Any]] = []  # per column: where it starts in f and its type (None: empty)
            for i in range(len(self._files)):
                column = self.column(i)
                placed.append((f.tell(), None if column is None else column.dtype))
                if column is not None:
                    column[order].tofile(f)
                del column
            for start in range(0, len(order), rows):
                count = min(rows, len(order) - start)
                chunk: list[Any] = []
                for at, dtype in placed:
                    if dtype is None:
                        chunk.append(None)
                        continue
                    f.seek(at + start * dtype.itemsize)
                    chunk.append(np.fromfile(f, dtype=dtype, count=count))
                yield chunk

    def close(self) -> None:
        for f in self._files:
            f.close()


class OutputStream:
    """Write the output files of ``wanted`` into ``out`` from articles given a batch at a time.

    Use inside :func:`nkmap.infra.atomic.replaced_together` (``out``): ``with OutputStream(...) as
    stream: stream.add(...); files = stream.finish()``. Leaving the block without ``finish`` (an
    error) removes what was written.
    """

    def __init__(
        self,
        out: str | os.PathLike[str],
        wanted: Sequence[str],
        *,
        tiles: str | None = "none",
        embed: bool = False,
        corrections: object | None = None,
        title: str | None = None,
        towns: bool = True,
    ) -> None:
        self.out = Path(out)
        self.wanted = tuple(wanted)
        self.tiles, self.embed, self.corrections, self.title, self.towns = tiles, embed, corrections, title, towns
        self._stack = contextlib.ExitStack()
        # article -> (date, language) of the rows, for the batch's articles only
        self._columns: dict[str, tuple[str | None, str | None]] = {}
        self._articles: list[Article] = []  # without their text
        self._article_at: dict[str, tuple[int, Any]] = {}  # the batch's: name -> (position, UTF-16 offsets or None)
        self._places: dict[str, _PlaceTally] = {}
        self.mentions = 0
        self.unresolved = 0
        self._an_unresolved: ResolvedMention | None = None
        self._review = ReviewTallies(LOW_CONFIDENCE)
        # the page's mention rows, in the order they come: place (first appearance), article, four spans
        # (UTF-16), method and role (first appearance), confidence
        self._m_place = array("i")
        self._m_article = array("i")
        self._m_spans = array("i")  # UTF-16 offsets (4 bytes each unless one is too large)
        self._m_method = array("i")
        self._m_role = array("i")
        self._m_confidence = array("d")
        self._spilled: _SpilledColumns | None = None  # the rows of the batches before (the columns above: a batch's)
        self._odd_confidence: dict[int, Any] = {}  # a confidence that is no float (an int 1), by row
        self._methods: dict[str, int] = {}
        self._roles: dict[str, int] = {}
        self._geojson: IO[str] | None = None
        self._csv: IO[str] | None = None
        self._geojson_line: GeojsonMentionLines | None = None
        self._csv_line: CsvMentionLines | None = None
        self._spool: Any = None
        self._first_feature = True

    def __enter__(self) -> OutputStream:
        self._stack.__enter__()
        try:
            if "geojson" in self.wanted:
                self._geojson = self._open(self.out / "mentions.geojson", "utf-8")
                self._geojson.write(GEOJSON_HEAD)
                self._geojson_line = GeojsonMentionLines(self._columns)
            if "csv" in self.wanted:
                self._csv = self._open(self.out / "mentions.csv", "utf-8-sig")
                self._csv.write(MENTIONS_CSV_HEADER)
                self._csv_line = CsvMentionLines(self._columns)
            if "html" in self.wanted:
                from nkmap.outputs.web.page import SpooledList

                self._spool = SpooledList()
                self._stack.callback(self._spool.close)
                self._spilled = _SpilledColumns("iiiiiiiid")
                self._stack.callback(self._spilled.close)
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.__exit__(*exc)  # type: ignore[arg-type]

    def _open(self, path: Path, encoding: str) -> IO[str]:
        tmp = self._stack.enter_context(atomic.atomic_path(path))
        f = open(tmp, "w", encoding=encoding, errors="backslashreplace", newline="")  # noqa: SIM115
        self._stack.callback(f.close)
        return f

    # --- taking the articles in ---------------------------------------------------------------

    def add(self, articles: Sequence[Article], mentions: Sequence[ResolvedMention], dropped: Sequence[Dropped]) -> None:
        """Take in some articles with their mentions and drops (in the result's order)."""
        batch = printable_names(GeoparseResult(tuple(articles), tuple(mentions), (), tuple(dropped)))
        from nkmap.outputs.web.page import article_record, utf16_offsets

        # what the rows need of the batches before is let go: their mentions came with them
        self._columns.clear()
        self._article_at.clear()
        for line in (self._geojson_line, self._csv_line):
            if line is not None:
                line.forget_articles()
        for a in batch.articles:
            self._columns[a.name] = (a.date.isoformat() if a.date else None, a.language or None)
            self._article_at[a.name] = (len(self._articles), utf16_offsets(a.text))
            if self._spool is not None:
                self._spool.add(article_record(a))
            self._articles.append(replace(a, text=""))
        self.mentions += len(batch.mentions)
        self._review.add(batch.mentions, batch.dropped)
        self._write_rows(batch.mentions)
        self._tally_all(batch.mentions)
        self._spill()
        give_back_memory()

    def _page_columns(self) -> list[array[Any]]:
        return [self._m_place, self._m_article, self._m_spans, self._m_method, self._m_role, self._m_confidence]

    def _spilled_columns(self) -> list[array[Any]]:
        """The columns as they are spilled: the spans' four one column each (see :meth:`_mention_chunks`)."""
        place, article, spans, *rest = self._page_columns()
        return [place, article, *(spans[k::4] for k in range(4)), *rest]

    def _spill(self) -> None:
        """The batch's page rows to their temporary files (no page: let go); the columns start again empty
        (of the same typecodes)."""
        if self._spilled is not None:
            self._spilled.write(self._spilled_columns())
        self._m_place, self._m_article, self._m_spans = array("i"), array("i"), array(self._m_spans.typecode)
        self._m_method, self._m_role, self._m_confidence = array("i"), array("i"), array("d")

    def _write_rows(self, mentions: Sequence[ResolvedMention]) -> None:
        """The mentions' rows, to the files as they come (some thousands of lines joined at a time)."""
        for start in range(0, len(mentions), ROWS_AT_ONCE):
            rows = mentions[start : start + ROWS_AT_ONCE]
            if self._geojson is not None and self._geojson_line is not None:
                separator = "" if self._first_feature else GEOJSON_SEPARATOR
                self._geojson.write(separator + GEOJSON_SEPARATOR.join(map(self._geojson_line, rows)))
            if self._csv is not None and self._csv_line is not None:
                self._csv.write("".join(map(self._csv_line, rows)))
            self._first_feature = False

    def _tally_all(self, mentions: Sequence[ResolvedMention]) -> None:
        """Each mention counted for its place and its row kept for the page (unresolved ones counted)."""
        places, article_at = self._places, self._article_at
        m_place, m_article, m_method, m_role = self._m_place, self._m_article, self._m_method, self._m_role
        m_confidence, odd = self._m_confidence, self._odd_confidence
        methods, roles = self._methods, self._roles
        spans_at: list[int] = []
        row = self._spilled.rows if self._spilled is not None else 0  # rows of the batches before
        fresh: set[tuple[object, str]] = set()  # (place, article) pairs met in this batch
        for rm in mentions:
            place, m = rm.place, rm.mention
            if place is None:
                self.unresolved += 1
                self._an_unresolved = rm
                continue
            tally = places.get(place.id)
            if tally is None:
                tally = places[place.id] = _PlaceTally(place, len(places), rm)
            tally.place = place  # the last one, as summarise keeps it
            tally.count += 1
            add_article_once(tally.articles, tally.index, m.article, fresh)
            tally.surfaces[m.surface] = None
            if rm.confidence > tally.best:
                tally.best = rm.confidence
            article, js = article_at.get(m.article, (None, None))
            if article is None:
                raise KeyError(f"mention of {m.article!r} before its article")
            start = m.sentence_start
            if js is None:
                spans_at += (m.start, m.end, start, start + len(m.sentence))
            else:
                spans_at += map(js, (m.start, m.end, start, start + len(m.sentence)))
            m_place.append(tally.index)
            m_article.append(article)
            method = methods.get(rm.method)
            if method is None:
                method = methods[rm.method] = len(methods)
            m_method.append(method)
            role = roles.get(rm.role or "")
            if role is None:
                role = roles[rm.role or ""] = len(roles)
            m_role.append(role)
            if type(rm.confidence) is not float:  # noqa: E721  (an int 1 is written "1", as json writes it)
                odd[row + len(m_confidence)] = rm.confidence
            m_confidence.append(float(rm.confidence))
        before = len(self._m_spans)
        try:
            self._m_spans.extend(spans_at)
        except OverflowError:  # an article of more than 2**31 characters: 8 bytes a span from now on
            del self._m_spans[before:]  # what was appended before the one too large
            self._m_spans = array("q", self._m_spans)
            self._m_spans.extend(spans_at)

    # --- the files written at the end ---------------------------------------------------------

    def places(self) -> list[_PlaceTally]:
        """The places, most mentioned first (ties by name), as :func:`nkmap.model.summarise` orders them."""
        return sorted(self._places.values(), key=lambda t: (-t.count, t.place.name))

    def light_result(self) -> GeoparseResult:
        """A result for the outputs that use only the articles' metadata, each place with its mention
        count and the count of unresolved mentions (title, towns, provinces, static map): articles
        without text, each place's mentions its first one repeated ``count`` times, and the mentions
        an unresolved one repeated as many times as there are (one object each, not one per mention)."""
        summaries = tuple(PlaceSummary(t.place, (t.first,) * t.count) for t in self.places())
        unresolved = (self._an_unresolved,) * self.unresolved if self._an_unresolved is not None else ()
        return GeoparseResult(tuple(self._articles), unresolved, summaries)

    def counts(self) -> BuildCounts:
        from nkmap.outputs.review import awaiting_review

        return BuildCounts(
            len(self._articles), self.mentions, len(self._places), self.unresolved, awaiting_review(self._review.rows())
        )

    def finish(self) -> list[Path]:
        """Write the rest of the files; return every file's path (in the order ``write_outputs`` gives)."""
        out = self.out
        written: list[Path] = []
        give_back_memory()
        places = self.places()
        light = self.light_result()
        rows = self._review.rows()
        if "html" in self.wanted:
            written.append(self._write_page(places, light, rows))
        give_back_memory()  # the page is written: what its rows took is given back before the KML writer's libraries load
        if "html" in self.wanted:
            if self.embed:
                from nkmap.outputs.web.page import embed_snippet

                atomic.write_text(out / "embed.html", embed_snippet("map.html"))
                written.append(out / "embed.html")
        records = [
            ((t.place.id, t.place.name, t.place.kind, t.place.country, t.place.origin, t.place.source,
              t.place.geonameid, t.count, list(t.articles)), (t.place.lon, t.place.lat))
            for t in places
        ]  # fmt: skip
        if "geojson" in self.wanted:
            assert self._geojson is not None
            self._geojson.write(GEOJSON_TAIL)
            written += [out / "mentions.geojson", write_geojson_rows(out / "places.geojson", _PLACE_COLUMNS, records)]
        if "csv" in self.wanted:
            written += [
                out / "mentions.csv",
                write_csv_rows(out / "places.csv", _PLACE_COLUMNS, records),
                _write_review(rows, out / "review.csv"),
            ]
        if "kml" in self.wanted:
            written.append(write_kml([(t.place, t.count, tuple(t.articles)) for t in places], out / "places.kml"))
        images: dict[str, str | os.PathLike[str]] = {f: out / f"map.{f}" for f in ("png", "svg") if f in self.wanted}
        if images:
            from nkmap.outputs.staticmap import write_static_maps

            written += write_static_maps(light, images, title=self.title)
        self._stack.close()  # the mention files closed and staged, with the others
        return written

    def _write_page(self, places: list[_PlaceTally], light: GeoparseResult, rows: Sequence[Any]) -> Path:
        from nkmap.outputs.web.context import admin1_payload, towns_near
        from nkmap.outputs.web.page import PLACE_FIELDS, _aliases, default_title, subtitle, write_map_parts
        from nkmap.outputs.web.review_panel import panel_payload

        methods = sorted(self._methods)
        roles = sorted(self._roles)
        fields = {f"p_{name}": i for i, name in enumerate(PLACE_FIELDS)}
        from nkmap.outputs.web.page import MENTION_FIELDS

        fields.update({f"m_{name}": i for i, name in enumerate(MENTION_FIELDS)})
        payload = {
            "title": self.title if self.title is not None else default_title(light),
            "subtitle": subtitle(light),
            "groups": _groups(),
            "fields": fields,
            "places": [[getattr(t.place, f) for f in PLACE_FIELDS[:-1]] + [kind_group(t.place.kind)] for t in places],
            "aliases": [_aliases(t.place) for t in places],
            "towns": towns_near(light) if self.towns else [],
            "articles": self._spool,
            "mentions": self._mention_values(places, methods, roles),
            "mention_stride": len(MENTION_FIELDS),
            "methods": methods,
            "roles": roles,
        }
        surfaces = {t.place.id: list(t.surfaces) for t in places}
        best = {t.place.id: t.best for t in places}
        review = panel_payload(rows, surfaces, best, self.corrections)
        return write_map_parts(self.out / "map.html", payload, admin1_payload(light), review, tiles=self.tiles)

    def _mention_values(self, places: list[_PlaceTally], methods: list[str], roles: list[str]) -> Any:
        """The page's flat mention rows (see :func:`nkmap.outputs.web.page.mention_values`), place by place,
        as :class:`nkmap.outputs.web.page.RowChunks`: the rows of some thousands of mentions at a time."""
        from nkmap.outputs.web.page import RowChunks

        return RowChunks(self._mention_chunks(places, methods, roles))

    def _mention_chunks(self, places: list[_PlaceTally], methods: list[str], roles: list[str]) -> Iterator[list]:
        import numpy as np

        rank = np.empty(len(places), dtype=np.int64)
        for r, t in enumerate(places):
            rank[t.index] = r
        method_at = np.array([methods.index(m) for m in self._methods], dtype=np.int64)
        role_at = np.array([roles.index(r) for r in self._roles], dtype=np.int64)
        assert self._spilled is not None  # made with the page's spool
        placed = self._spilled.column(0)  # None: no mention
        place = rank[placed] if placed is not None else np.zeros(0, np.int64)
        del placed
        order = np.argsort(place, kind="stable")
        del place
        odd = self._odd_confidence
        stride = 9  # the fields of MENTION_FIELDS: place, article, four spans, method, confidence, role
        start = 0  # the chunk's first row (in place order)
        # the columns in place order, some thousands of rows at a time (one column in memory at once)
        for chunk in self._spilled.in_order(order, 5000):
            placed, article, *spans, method, role, confidence = chunk
            flat: list[Any] = [0] * (len(placed) * stride)
            flat[0::stride] = rank[placed].tolist()
            flat[1::stride] = article.tolist()
            for k in range(4):
                flat[2 + k :: stride] = spans[k].tolist()
            flat[6::stride] = method_at[method].tolist()
            values = confidence.tolist()
            if odd:
                for i, k in enumerate(order[start : start + len(values)].tolist()):
                    if k in odd:
                        values[i] = odd[k]
            start += len(values)
            flat[7::stride] = values
            flat[8::stride] = role_at[role].tolist()
            yield flat


def _groups() -> Any:
    from nkmap.outputs.web.palette import groups_payload

    return groups_payload()


def _write_review(rows: Sequence[Any], path: Path) -> Path:
    atomic.write_text(path, review_csv(rows))
    return path


def stream_outputs(
    batches: Iterable[tuple[Sequence[Article], Sequence[ResolvedMention], Sequence[Dropped]]],
    out: str | os.PathLike[str],
    wanted: Sequence[str],
    **options: Any,
) -> tuple[list[Path], BuildCounts]:
    """Write the outputs of ``batches`` (articles, their mentions, their drops) into ``out`` as a set,
    or none of them (see :class:`OutputStream`); return the files and the counts."""
    with atomic.replaced_together(out), OutputStream(out, wanted, **options) as stream:
        # The objects alive after each batch are frozen (collector.frozen) till the end: a build makes millions of
        # short-lived objects per batch, and each of the collector's full passes walked every long-lived one (the
        # GeoNames index, the names remembered, the places counted): about a tenth of a 10 MB build.
        with collector.frozen():
            for articles, mentions, dropped in collector.freezing(batches, full_every=FULL_EVERY):
                stream.add(articles, mentions, dropped)
                del articles, mentions, dropped  # the batch's objects go now, neither walked nor frozen
        counts = stream.counts()
        return stream.finish(), counts
