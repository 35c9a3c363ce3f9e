"""Read articles: text kept exactly as decoded or extracted, so mention offsets index into it.

Which files are read, and their names, is :mod:`nkmap.inputs.files`; web pages are
:mod:`~nkmap.inputs.html`, JSONL/CSV exports :mod:`~nkmap.inputs.exports`, PDF
:mod:`~nkmap.inputs.pdf`, URLs :mod:`~nkmap.inputs.urls`. Metadata comes from the text
(headline, outlet, dateline, date) or the format's own metadata; a front-matter block or a
JSON sidecar (``article.txt`` → ``article.json``) may supply or override any field. The
language is taken from metadata or detected (:mod:`~nkmap.inputs.language`).

Bad-input policy, so that nothing is lost silently and nothing crashes:

- UTF-8 is read as is. A UTF-8 byte-order mark is dropped (offsets count from the character
  after it); line ends are kept as read (CRLF stays CRLF), so offsets index the stored text.
- UTF-8 with a few invalid bytes (and valid non-ASCII UTF-8 elsewhere) is read as UTF-8 with
  U+FFFD in place of each bad sequence, and a warning gives the first bad byte's offset: a
  whole-file encoding guess would garble every accented name.
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
import contextvars
import json
import logging
import os
import re
import stat
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nkmap.errors import InputError
from nkmap.inputs.dates import parse_date, publication_date
from nkmap.inputs.metadata import find_dateline, find_outlet, find_title, header_lines
from nkmap.model import Article

if TYPE_CHECKING:
    from nkmap.infra.readcache import ReadCache
    from nkmap.inputs.exports import Fields

ARTICLE_SUFFIXES = (".txt", ".text")
MAX_ARTICLE_BYTES = 20 * 1024 * 1024  # a long news article is ~50 kB; 20 MB is surely not one article
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
FIELDS = ("title", "outlet", "url", "date", "language")
# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
log = logging.getLogger(__name__)
# The read cache of the read_articles call under way (None: none); a context variable, so that every
# reader (text, web page, PDF, export row) finds it without each passing it on.
_READ_CACHE: contextvars.ContextVar[ReadCache | None] = contextvars.ContextVar("nkmap_read_cache", default=None)


class SkippedFile(InputError):
    """A file that holds no article text (empty, whitespace only, binary): :func:`read_articles` skips it."""


def article_files(
    paths: Iterable[str | os.PathLike[str]], *, recursive: bool = False, follow_links: bool = False
) -> list[Path]:
    """The input files named by ``paths`` (files, or folders read one level deep), each once, in order."""
    from nkmap.inputs.files import find_files

    return [f.path for f in find_files(paths, recursive=recursive, follow_links=follow_links)]


def read_articles(
    paths: Iterable[str | os.PathLike[str]],
    max_size: int = MAX_ARTICLE_BYTES,
    *,
    cache: ReadCache | None = None,
    **options,
) -> list[Article]:
    """Read every article named by ``paths`` (see :func:`iter_articles`), skipping non-articles with a warning.

    ``cache`` (:class:`nkmap.infra.readcache.ReadCache`) keeps what was found in each text (language,
    date, headline, outlet, dateline) between builds: the files are read again, their texts not.
    """
    token = _READ_CACHE.set(cache)
    try:
        return list(iter_articles(paths, max_size, **options))
    finally:
        _READ_CACHE.reset(token)
        if cache is not None:
            cache.commit()


def read_lazily(
    paths: Iterable[str | os.PathLike[str]],
    max_size: int = MAX_ARTICLE_BYTES,
    *,
    cache: ReadCache | None = None,
    **options,
) -> Iterator[Article]:
    """The articles :func:`read_articles` reads, one at a time as they are read (see :func:`iter_articles`),
    so a build holds only the texts it works on. ``cache`` serves each step (as in :func:`read_articles`);
    its new entries are written by whoever made it (:meth:`~nkmap.infra.readcache.ReadCache.commit`).
    The files are listed, and the first one read, before this returns: before the caller makes anything,
    so an output folder made inside the articles' folder is not taken for part of the corpus."""
    articles = iter_articles(paths, max_size, **options)

    def step() -> Article | None:
        token = _READ_CACHE.set(cache)  # only while this reads: the caller's own steps between articles see none
        try:
            return next(articles, None)
        finally:
            _READ_CACHE.reset(token)

    def rest(article: Article | None) -> Iterator[Article]:
        while article is not None:
            yield article
            article = step()

    return rest(step())


def iter_articles(
    paths: Iterable[str | os.PathLike[str]],
    max_size: int = MAX_ARTICLE_BYTES,
    *,
    recursive: bool = False,
    follow_links: bool = False,
    fields: Fields | None = None,
    urls: Iterable[str] = (),
    url_timeout: float | None = None,
    url_delay: float | None = None,
) -> Iterator[Article]:
    """The articles in files, folders and (only when given) URLs, one at a time, so a large corpus streams.

    Parameters
    ----------
    paths : files and folders (see :mod:`nkmap.inputs.files`), and http(s) URLs given as strings.
    max_size : the largest article (a file, a row of an export, a fetched page) in bytes.
    recursive, follow_links : read nested folders; read links that lead outside a folder.
    fields : the column names of JSONL/CSV exports, where the usual names do not fit.
    urls : more URLs to fetch (``--urls FILE``); fetched pages are cached (:mod:`nkmap.inputs.urls`).
    url_timeout, url_delay : seconds before a request gives up; seconds between two requests to one host.
    """
    from nkmap.inputs.urls import is_url
    from nkmap.progress import track

    items = list(paths)
    web = [str(p).strip() for p in items if is_url(p)] + list(urls)
    sources = _find([p for p in items if not is_url(p)], recursive, follow_links) if len(web) < len(items) else []
    count = 0
    # each file is let go of once read (13,698 paths of the 50 MB corpus: ~9 MB held to the end); what the
    # error of no article names is kept: the first file, the folders
    files, first, folders = len(sources), sources[0].path if sources else None, {str(s.path.parent) for s in sources}
    for i, source in enumerate(track(sources, "reading", unit="files")):
        sources[i] = None
        try:
            if source.format in ("jsonl", "csv", "tsv", "parquet"):
                from nkmap.inputs.exports import Fields, read_export

                given = fields if fields is not None else Fields()
                for article in read_export(source.path, source.name, source.format, given, max_size):
                    count += 1
                    yield article
                continue
            article = read_article(source.path, max_size, name=source.name, fmt=source.format)
        except SkippedFile as e:
            log.warning("%s; skipped", e)
            continue
        count += 1
        yield article
    fetched = 0
    if web:
        for article in _read_urls(web, max_size, url_timeout, url_delay):
            fetched += 1
            yield article
        if not fetched and not count:
            raise InputError(
                web[0] if len(web) == 1 else f"{len(web)} URLs",
                "",
                "no page could be fetched and read (see the warnings)",
            )
        count += fetched
    if not count:
        where = first if files == 1 else ", ".join(sorted(folders)) if files else ""
        raise InputError(
            where,
            "",
            f"no article text in {files} file(s): each was empty or binary" if files else "no article files given",
        )


def _find(paths: list, recursive: bool, follow_links: bool) -> list:
    from nkmap.inputs.files import find_files

    return find_files(paths, recursive=recursive, follow_links=follow_links)


def _read_urls(urls: list[str], max_size: int, timeout: float | None, delay: float | None) -> Iterator[Article]:
    from nkmap.infra.cache import cache_dir
    from nkmap.inputs import urls as web
    from nkmap.progress import track

    options: dict[str, Any] = {"max_size": max_size, "cache": cache_dir() / "pages"}
    if timeout is not None:
        options["timeout"] = timeout
    if delay is not None:
        options["delay"] = delay
    seen: set[str] = set()
    for url in track(list(dict.fromkeys(urls)), "fetching", unit="pages"):
        if url in seen:
            continue
        seen.add(url)
        try:
            page = web.fetch(url, **options)
        except web.FetchError as e:
            log.warning("%s: %s; skipped", url, e)
            continue
        try:
            yield article_from_page(page)
        except SkippedFile as e:
            log.warning("%s; skipped", e)


def article_from_page(page) -> Article:
    """The article in a fetched page: a web page, plain text or (with nkmap[pdf]) a PDF."""
    kind = page.content_type.lower()
    if kind in ("text/html", "application/xhtml+xml"):
        from nkmap.inputs.html import article_from_html

        return article_from_html(page.url, _decode_page(page), path=page.url, url=page.final_url)
    if kind == "text/plain":
        return article_from_text(page.url, _decode_page(page), path=page.url, url=page.final_url)
    if kind == "application/pdf":
        from nkmap.inputs.pdf import article_from_pdf

        return article_from_pdf(page.url, page.body, path=page.url)
    raise SkippedFile(page.url, "", f"not a web page ({kind or 'no content type'})")


def _decode_page(page) -> str:
    if page.charset:
        try:
            return _text_or_skip(page.url, page.body.decode(page.charset))
        except (LookupError, UnicodeDecodeError):
            pass
    return decode(page.url, page.body)


def read_article(
    path: str | os.PathLike[str], max_size: int = MAX_ARTICLE_BYTES, *, name: str = "", fmt: str = ""
) -> Article:
    """Read one article file (text, a saved web page, or a PDF) and the metadata it gives.

    ``name`` is its key in the outputs (default: the file name); ``fmt`` its format (default:
    from the suffix, text when unknown). Raises :class:`SkippedFile` for a file with no article
    text, :class:`InputError` for one that cannot be read or is larger than ``max_size`` bytes.
    """
    from nkmap.inputs.files import FORMATS

    path = Path(path)
    name = name or path.name
    fmt = fmt or FORMATS.get(path.suffix.lower(), "text")
    raw = _read_bytes(path, max_size)
    if fmt == "html":
        from nkmap.inputs.html import article_from_html

        article = article_from_html(name, decode(path, raw), path=str(path))
        side = _sidecar(path)
        if side:
            article = article_from_text(name, article.text, path=str(path), **{**_fields_of(article), **side})
        return article
    if fmt == "pdf":
        from nkmap.inputs.pdf import article_from_pdf

        article = article_from_pdf(name, raw, path=str(path))
        side = _sidecar(path)
        return (
            article_from_text(name, article.text, path=str(path), **{**_fields_of(article), **side})
            if side
            else article
        )
    front, text = _split_front_matter(path, decode(path, raw))
    if not text.strip():
        raise SkippedFile(path, "", "empty or whitespace only: no article text")
    given = {**front, **_sidecar(path)}
    return article_from_text(name, text, path=str(path), **given)


def _fields_of(article: Article) -> dict[str, str]:
    values = {
        "title": article.title,
        "outlet": article.outlet,
        "url": article.url,
        "date": article.date.isoformat() if article.date and article.date_source == "metadata" else "",
        "language": article.language,
    }
    return {k: v for k, v in values.items() if v}


def _read_bytes(path: Path, max_size: int) -> bytes:
    try:
        # O_NONBLOCK: a FIFO put where a file was must not hang the open; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb") as f:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise InputError(path, "", "not a regular file; name an article file or a folder")
            # never more than the limit, whatever stat says; but a buffer of the size stat says (a buffer
            # of the limit, 20 MB, for every 4 kB file cost more than reading it)
            raw = f.read(min(status.st_size, max_size) + 1)
            if status.st_size < len(raw) <= max_size:  # it grew since: the rest, up to the limit
                raw += f.read(max_size + 1 - len(raw))
    except FileNotFoundError:
        raise InputError(path, "", "no such file or folder") from None
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
    mostly = _mostly_utf8(path, raw)
    if mostly is not None:
        return _text_or_skip(path, mostly)
    detected = _detect(raw)
    if detected is None:
        raise SkippedFile(path, "", "binary file: no text encoding fits")
    codec = detected
    text = _text_or_skip(path, raw.decode(codec))
    log.warning("%s: not UTF-8; decoded as %s (detected); save it as UTF-8 to be sure", path, codec)
    return text


MAX_BAD_BYTES = 16  # more invalid sequences than this: not UTF-8 with a few bad bytes, but another encoding


def _mostly_utf8(path: str | os.PathLike[str], raw: bytes) -> str | None:
    """UTF-8 text with a few invalid bytes replaced by U+FFFD, with a warning giving their offsets.

    Only when the rest holds valid non-ASCII UTF-8 (at least as many characters as bad
    sequences): a file in a single-byte encoding almost never does, so it goes to detection.
    """
    parts: list[str] = []
    bad: list[tuple[int, bytes]] = []
    pos = 0
    while True:
        try:
            parts.append(raw[pos:].decode("utf-8"))
            break
        except UnicodeDecodeError as e:
            if len(bad) >= MAX_BAD_BYTES:
                return None
            parts.append(raw[pos : pos + e.start].decode("utf-8"))
            parts.append("\ufffd")
            bad.append((pos + e.start, raw[pos + e.start : pos + e.end]))
            pos += e.end
    text = "".join(parts)
    valid = len(_NON_ASCII.findall(text)) - len(bad)
    if valid < len(bad):
        return None
    first, data = bad[0]
    more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
    log.warning(
        "%s: byte %d (0x%s)%s: not valid UTF-8; read as UTF-8 with U+FFFD in its place", path, first, data.hex(), more
    )
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
    """Build an Article from text; values in ``given`` (title, outlet, url, date, language) win over guesses.

    The language is detected from the text where ``given`` has none (:mod:`nkmap.inputs.language`).
    Within :func:`read_articles` with a ``cache``, what was found before in the same text is reused.
    """
    cache = _READ_CACHE.get()
    if cache is not None:
        return cache.article(name, text, path, given, _article_from_text)
    return _article_from_text(name, text, path, **given)


def _article_from_text(name: str, text: str, path: str = "", **given: str) -> Article:
    from nkmap.inputs.language import detect_language, normalise_language

    lines = header_lines(text)
    dateline, dateline_start, dateline_end = find_dateline(text)
    when, when_source = publication_date(text, lines), "text"
    if given.get("date"):
        when, when_source = _given_date(path or name, given["date"]), "metadata"
    return Article(
        name=name,
        path=path,
        text=text,
        dateline_at=(dateline_start, dateline_end),
        title=given.get("title") or find_title(lines),
        outlet=given.get("outlet") or find_outlet(text),
        url=_safe_url(given.get("url", "")),
        date=when,
        date_source=when_source if when else "",
        dateline=dateline,
        language=normalise_language(given.get("language")) or detect_language(text),
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
