"""Read article files: text kept exactly as decoded, so mention offsets index into it.

Metadata comes from the text (headline, outlet, dateline, date); a front-matter block or a
JSON sidecar (``article.txt`` → ``article.json``) may supply or override any field.

Bad-input policy, so that nothing is lost silently and nothing crashes:

- UTF-8 is read as is. A UTF-8 byte-order mark is dropped (offsets count from the character
  after it); line ends are kept as read (CRLF stays CRLF), so offsets index the stored text.
- A UTF-16/UTF-32 file with a byte-order mark, or any other encoding ``charset-normalizer``
  detects (Windows-1252 wins ties among Western single-byte encodings), is decoded and a
  warning names the file and the encoding.
- Empty, whitespace-only and binary files (NUL bytes, no text encoding fits) are skipped with
  a warning; if no article is left, that is an :class:`InputError`.
- A file larger than ``max_size`` bytes is an :class:`InputError` naming the limit: it is never
  read, so memory stays bounded (raise the limit with ``--max-article-size``).

Warnings go to the ``nkmap`` logger; the CLI prints each as one ``Warning: …`` line.
"""

from __future__ import annotations

import codecs
import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from nkmap.errors import InputError
from nkmap.inputs.dates import parse_date, publication_date
from nkmap.inputs.metadata import find_dateline, find_outlet, find_title, header_lines
from nkmap.model import Article

ARTICLE_SUFFIXES = (".txt", ".text")
MAX_ARTICLE_BYTES = 20 * 1024 * 1024  # a long news article is ~50 kB; 20 MB is surely not one article
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
FIELDS = ("title", "outlet", "url", "date")
# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
log = logging.getLogger(__name__)


class SkippedFile(InputError):
    """A file that holds no article text (empty, whitespace only, binary): :func:`read_articles` skips it."""


def article_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """The article files named by ``paths`` (files, or folders read one level deep), sorted."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                raise InputError(path, "", f"no article files ({', '.join(ARTICLE_SUFFIXES)}) in this folder")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputError(path, "", "no such file or folder")
    return files


def read_articles(paths: Iterable[str | os.PathLike[str]], max_size: int = MAX_ARTICLE_BYTES) -> list[Article]:
    """Read every article named by ``paths`` (see :func:`article_files`), skipping non-articles with a warning."""
    return list(iter_articles(paths, max_size))


def iter_articles(paths: Iterable[str | os.PathLike[str]], max_size: int = MAX_ARTICLE_BYTES) -> Iterator[Article]:
    """Like :func:`read_articles`, one article at a time, so a large corpus streams."""
    files = article_files(paths)
    count = 0
    for path in files:
        try:
            article = read_article(path, max_size)
        except SkippedFile as e:
            log.warning("%s; skipped", e)
            continue
        count += 1
        yield article
    if not count:
        where = files[0] if len(files) == 1 else ", ".join(sorted({str(f.parent) for f in files})) if files else ""
        raise InputError(
            where,
            "",
            f"no article text in {len(files)} file(s): each was empty or binary" if files else "no article files given",
        )


def read_article(path: str | os.PathLike[str], max_size: int = MAX_ARTICLE_BYTES) -> Article:
    """Read one article file and the metadata its text, front matter or sidecar give.

    Raises :class:`SkippedFile` for a file with no article text, :class:`InputError` for one
    that cannot be read or is larger than ``max_size`` bytes.
    """
    path = Path(path)
    raw = _read_bytes(path, max_size)
    front, text = _split_front_matter(path, decode(path, raw))
    if not text.strip():
        raise SkippedFile(path, "", "empty or whitespace only: no article text")
    given = {**front, **_sidecar(path)}
    return article_from_text(path.name, text, path=str(path), **given)


def _read_bytes(path: Path, max_size: int) -> bytes:
    try:
        with open(path, "rb") as f:
            raw = f.read(max_size + 1)  # never more than the limit, whatever stat says
    except OSError as e:
        raise InputError(path, "", e.strerror or str(e)) from None
    if len(raw) > max_size:
        raise InputError(
            path,
            "",
            f"larger than the {_megabytes(max_size)} limit for one article; "
            "split it, or raise the limit with --max-article-size",
        )
    return raw


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:g} MB"


def decode(path: str | os.PathLike[str], raw: bytes) -> str:
    """The text of ``raw``: UTF-8 (a BOM dropped), else a BOM or detected encoding, with a warning.

    Raises :class:`SkippedFile` when the bytes are empty or not text at all.
    """
    if not raw:
        raise SkippedFile(path, "", "empty file: no article text")
    for bom, codec, label in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw[len(bom) :].decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(
                    path,
                    f"byte {e.start + len(bom)}",
                    f"starts with a {label} byte-order mark but is not {label} text; save it as UTF-8",
                ) from None
            log.warning("%s: not UTF-8; decoded as %s (byte-order mark); save it as UTF-8 to silence this", path, label)
            return _text_or_skip(path, text)
    if raw.startswith(codecs.BOM_UTF8):
        raw = raw[len(codecs.BOM_UTF8) :]
    if b"\0" in raw:
        raise SkippedFile(path, "", "binary file (NUL bytes), not text")
    try:
        return _text_or_skip(path, raw.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    codec = _detect(raw)
    if codec is None:
        raise SkippedFile(path, "", "binary file: no text encoding fits")
    text = _text_or_skip(path, raw.decode(codec))
    log.warning("%s: not UTF-8; decoded as %s (detected); save it as UTF-8 to be sure", path, codec)
    return text


def _detect(raw: bytes) -> str | None:
    from charset_normalizer import from_bytes  # only for the rare file that is not UTF-8

    matches = list(from_bytes(raw))
    if not matches:
        return None
    best = matches[0]
    # Western single-byte encodings often decode a text equally well; Windows-1252 is by far the
    # most common of them (and what browsers read "latin-1" as), so it wins a tie.
    for m in matches:
        if m.percent_chaos <= best.percent_chaos and "cp1252" in m.could_be_from_charset:
            return "cp1252"
    return best.encoding


def _text_or_skip(path: str | os.PathLike[str], text: str) -> str:
    controls = len(_CONTROL.findall(text, 0, 65536))
    if controls > max(8, min(len(text), 65536) // 20):
        raise SkippedFile(path, "", "binary file (control characters), not text")
    return text


def article_from_text(name: str, text: str, path: str = "", **given: str) -> Article:
    """Build an Article from text; values in ``given`` (title, outlet, url, date) win over guesses."""
    lines = header_lines(text)
    dateline, _, _ = find_dateline(text)
    when, when_source = publication_date(text, lines), "text"
    if given.get("date"):
        when, when_source = _given_date(path or name, given["date"]), "metadata"
    return Article(
        name=name,
        path=path,
        text=text,
        title=given.get("title") or find_title(lines),
        outlet=given.get("outlet") or find_outlet(text),
        url=_safe_url(given.get("url", "")),
        date=when,
        date_source=when_source if when else "",
        dateline=dateline,
    )


def _split_front_matter(path: Path, raw: str) -> tuple[dict[str, str], str]:
    m = _FRONT_MATTER.match(raw)
    if not m:
        return {}, raw
    fields = {}
    for lineno, line in enumerate(m.group(1).splitlines(), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise InputError(path, f"line {lineno}", "front matter lines must read 'key: value'")
        fields[key.strip().lower()] = value.strip().strip("\"'")
    return {k: v for k, v in fields.items() if k in FIELDS}, raw[m.end() :]


def _sidecar(path: Path) -> dict[str, str]:
    side = path.with_suffix(".json")
    try:
        if not side.is_file():
            return {}
    except OSError:  # the article's name is 255 bytes, so NAME.json cannot exist
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as e:
        raise InputError(side, f"line {e.lineno}, column {e.colno}", f"not a valid JSON sidecar: {e.msg}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as e:  # not UTF-8, a 5000-digit number, [[[[...
        raise InputError(side, "", f"not a valid JSON sidecar: {e}; save it as UTF-8 JSON") from None
    except OSError as e:
        raise InputError(side, "", e.strerror or str(e)) from None
    if not isinstance(data, dict):
        raise InputError(side, "top level", 'a sidecar must be a JSON object such as {"url": "https://..."}')
    fields = {k: str(v).strip() for k, v in data.items() if k in FIELDS and v}
    if fields.get("date"):
        _given_date(str(side), fields["date"])  # a bad date names the .json that holds it
    return {k: v for k, v in fields.items() if v}


def _given_date(where: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        found = parse_date(value)
        if found is None:
            raise InputError(where, "field 'date'", f"{value!r} is not a date such as 2020-11-04") from None
        return found


def _safe_url(url: str) -> str:
    """Only http(s) links reach the map: a javascript: or data: URL would run in the reader's browser."""
    return url if re.match(r"^https?://[^\s\"'<>]+$", url.strip(), re.IGNORECASE) else ""
