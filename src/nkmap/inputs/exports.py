"""Read exports of news databases and APIs: JSONL/NDJSON and CSV/TSV, one article per row.

Columns are found by their usual names (:data:`CANDIDATES`, case and ``_``/``-``/space
ignored; a nested object such as NewsAPI's ``"source": {"name": ...}`` gives its ``name``)
or named with :class:`Fields` (``--text-field``, ``--title-field``, ... on the command line;
a dotted name such as ``source.name`` reaches into an object).

Bad-input policy: a row that cannot be read (not JSON, not an object, the wrong number of
CSV fields, a date that is not one) is a warning naming the file and line, and the rest is
read; rows without text are counted in one warning. A file where no row has text is an
:class:`InputError`: the text column was not found, and the message lists the columns seen.
Files are streamed row by row, so an export may be larger than memory; each row's text is
held to the one-article size limit.

Each row's name is ``<file name>#<id>`` when the row has an id (unique in the file), else
``<file name>#<line>``: unique, and the same in every build of the same file.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from nkmap.errors import InputError
from nkmap.inputs.articles import article_from_text
from nkmap.inputs.dates import parse_date
from nkmap.inputs.language import normalise_language
from nkmap.model import Article

log = logging.getLogger(__name__)

CANDIDATES = {  # field -> usual column names, most likely first (compared without case, "_", "-", " ")
    "text": ("text", "content", "body", "article_text", "full_text", "fulltext", "maintext", "article", "story"),
    "title": ("title", "headline", "heading", "name"),
    "date": (
        "date",
        "published",
        "publish_date",
        "published_at",
        "publication_date",
        "pubdate",
        "date_published",
        "seendate",
        "datetime",
        "timestamp",
        "created_at",
    ),
    "url": ("url", "link", "href", "uri", "source_url", "article_url"),
    "outlet": ("source", "outlet", "domain", "source_name", "site", "sitename", "site_name", "publisher", "media"),
    "language": ("language", "lang", "language_code", "locale"),
    "id": ("id", "uuid", "guid", "doc_id", "article_id", "docid", "_id"),
}
_NESTED = ("name", "title", "id", "domain", "url")  # what names a nested object such as {"source": {"name": ...}}
MAX_WARNED_LINES = 10


@dataclass(frozen=True, slots=True)
class Fields:
    """Column names given by the user (``--text-field`` ...); "" means: find it by its usual names."""

    text: str = ""
    title: str = ""
    date: str = ""
    url: str = ""
    outlet: str = ""
    language: str = ""
    id: str = ""


def _key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


_CANDIDATE_KEYS = {f: tuple(_key(c) for c in names) for f, names in CANDIDATES.items()}


def read_export(path: Path, name: str, fmt: str, given: Fields, max_size: int) -> Iterator[Article]:
    """The articles in one export file (``fmt`` "jsonl", "csv", "tsv" or "parquet"), one per row with text.

    For Parquet the "line" in names and messages is the row number (1 = the first row).
    """
    if fmt == "parquet":
        rows = _parquet_rows(path)
    else:
        rows = _jsonl_rows(path) if fmt == "jsonl" else _csv_rows(path, "\t" if fmt == "tsv" else None)
    reader = _RowReader(path, name, given, max_size)
    for line, row in rows:
        article = reader.article(line, row)
        if article is not None:
            yield article
    reader.finish()


class _RowReader:
    def __init__(self, path: Path, name: str, given: Fields, max_size: int) -> None:
        self.path, self.name, self.given, self.max_size = path, name, given, max_size
        self.columns: dict[str, None] = {}
        self.empty: list[int] = []
        self.count = 0
        self.names: set[str] = set()

    def article(self, line: int, row: Mapping[str, Any]) -> Article | None:
        for column in row:
            if len(self.columns) < 50:
                self.columns.setdefault(str(column), None)
        values = {f.name: _value(row, getattr(self.given, f.name), _CANDIDATE_KEYS[f.name]) for f in fields(Fields)}
        text = values["text"]
        if not text.strip():
            self.empty.append(line)
            return None
        if len(text.encode("utf-8", "surrogatepass")) > self.max_size:
            log.warning("%s: line %d: text larger than the one-article limit; skipped", self.path, line)
            return None
        name = self._name(line, values["id"])
        given = {k: values[k] for k in ("title", "outlet", "url") if values[k]}
        when = _date(values["date"])
        if values["date"] and when is None:
            log.warning("%s: line %d: %r is not a date; read undated", self.path, line, values["date"][:80])
        if when is not None:
            given["date"] = when.isoformat()
        if values["language"]:
            given["language"] = normalise_language(values["language"]) or ""
        self.count += 1
        return article_from_text(name, text, path=str(self.path), **given)

    def _name(self, line: int, row_id: str) -> str:
        row_id = re.sub(r"\s+", " ", row_id).strip()[:120]
        name = f"{self.name}#{row_id}" if row_id else f"{self.name}#{line}"
        if name in self.names:
            name = f"{self.name}#line-{line}"
        self.names.add(name)
        return name

    def finish(self) -> None:
        if not self.count:
            seen = ", ".join(self.columns) or "none"
            wanted = self.given.text or ", ".join(CANDIDATES["text"])
            raise InputError(
                self.path,
                "",
                f"no row has text (looked for a column {wanted}; columns seen: {seen}); name it with --text-field",
            )
        if self.empty:
            shown = ", ".join(map(str, self.empty[:MAX_WARNED_LINES])) + (", ..." if len(self.empty) > 10 else "")
            log.warning("%s: %d row(s) without text (line %s); skipped", self.path, len(self.empty), shown)


def _value(row: Mapping[str, Any], given: str, candidates: tuple[str, ...]) -> str:
    if given:
        value: Any = row
        for part in given.split("."):
            value = value.get(part) if isinstance(value, Mapping) else None
        return _text(value)
    keys = {_key(str(k)): k for k in row}
    for candidate in candidates:
        if candidate in keys:
            value = row[keys[candidate]]
            if value not in (None, ""):
                return _text(value)
    return ""


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, Mapping):
        return next((_text(value[k]) for k in _NESTED if value.get(k) not in (None, "")), "")
    if isinstance(value, list):
        return "; ".join(t for t in map(_text, value) if t)
    return str(value)


def _date(value: str) -> date | None:
    """ISO 8601 (``2020-11-04``, ``2020-11-04T10:00:00Z``, GDELT's ``20201104T120000Z``), a
    14-digit timestamp (``20201104120000``), ``04.11.2020`` (day first), Unix seconds, or any
    date :func:`parse_date` reads."""
    value = value.strip()
    if not value:
        return None
    for parse in (datetime.fromisoformat, date.fromisoformat):
        try:
            found = parse(value)
            return found.date() if isinstance(found, datetime) else found
        except ValueError:
            pass
    if re.fullmatch(r"\d{14}", value):
        try:
            return datetime.strptime(value, "%Y%m%d%H%M%S").date()
        except ValueError:
            return None
    dotted = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", value)  # 04.11.2020: day first wherever dots are used
    if dotted:
        try:
            return date(int(dotted[3]), int(dotted[2]), int(dotted[1]))
        except ValueError:
            return None
    if re.fullmatch(r"\d{9,10}(\.\d+)?", value):  # Unix seconds: 1973 to 2286
        return datetime.fromtimestamp(float(value), UTC).date()
    return parse_date(value[:200])


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below; a generator cannot use "with" across yields safely
    except OSError as e:
        raise InputError(path, "", e.strerror or str(e)) from None
    with f:
        for lineno, raw in enumerate(f, start=1):
            if lineno == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if not raw.strip():
                continue
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                log.warning("%s: line %d: not JSON (%s, column %d); skipped", path, lineno, e.msg, e.colno)
                continue
            except (ValueError, RecursionError) as e:
                log.warning("%s: line %d: not JSON (%s); skipped", path, lineno, e)
                continue
            if not isinstance(row, dict):
                log.warning("%s: line %d: not a JSON object but %s; skipped", path, lineno, type(row).__name__)
                continue
            if "\ufffd" in line and b"\xef\xbf\xbd" not in raw:
                log.warning("%s: line %d: bytes that are not UTF-8, replaced with U+FFFD", path, lineno)
            yield lineno, row


def _csv_rows(path: Path, delimiter: str | None) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        f = open(path, "rb")  # noqa: SIM115
    except OSError as e:
        raise InputError(path, "", e.strerror or str(e)) from None
    csv.field_size_limit(2**31 - 1)  # a cell holds a whole article; the row reader checks the size
    with io.TextIOWrapper(f, encoding="utf-8-sig", errors="replace", newline="") as text:
        header_line = text.readline()
        if not header_line.strip():
            raise InputError(path, "line 1", "no header row: the first line must name the columns")
        if delimiter is None:
            delimiter = max(",;\t|", key=header_line.count)
        header = next(csv.reader([header_line], delimiter=delimiter))
        if len(set(header)) != len(header):
            log.warning("%s: line 1: a column name appears twice; the last one is read", path)
        reader = csv.reader(text, delimiter=delimiter)
        line, replaced = 1, False
        while True:
            start = line + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as e:
                line = 1 + reader.line_num
                log.warning("%s: line %d: not a CSV row (%s); skipped", path, start, e)
                continue
            line = 1 + reader.line_num
            if not replaced and any("\ufffd" in cell for cell in row):
                replaced = True
                log.warning(
                    "%s: line %d: bytes that are not UTF-8, replaced with U+FFFD (save it as UTF-8)", path, start
                )
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(header):
                log.warning("%s: line %d: %d fields, the header has %d; skipped", path, start, len(row), len(header))
                continue
            yield start, dict(zip(header, row))


def _parquet_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Parquet rows as dicts, read in batches (``pyarrow``: the optional extra ``nkmap[parquet]``)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError(path, "", "reading Parquet needs pyarrow: pip install 'nkmap[parquet]'") from None
    try:
        source = pq.ParquetFile(path)
        number = 0
        for batch in source.iter_batches(batch_size=1024):
            for row in batch.to_pylist():
                number += 1
                yield number, row
    except (pa.ArrowException, OSError) as e:
        raise InputError(path, "", f"not a readable Parquet file: {e}") from None
