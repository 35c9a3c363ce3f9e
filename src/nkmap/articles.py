"""Read article files: text kept exactly as decoded, so mention offsets index into it.

Metadata comes from the text (headline, outlet, dateline, date); a front-matter block or a
JSON sidecar (``article.txt`` → ``article.json``) may supply or override any field.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from .dates import parse_date, publication_date
from .errors import InputError
from .metadata import find_dateline, find_outlet, find_title, header_lines
from .model import Article

ARTICLE_SUFFIXES = (".txt", ".text")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*\r?\n", re.DOTALL)
FIELDS = ("title", "outlet", "url", "date")


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


def read_articles(paths: Iterable[str | os.PathLike[str]]) -> list[Article]:
    """Read every article named by ``paths`` (see :func:`article_files`)."""
    return list(iter_articles(paths))


def iter_articles(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Article]:
    """Like :func:`read_articles`, one article at a time, so a large corpus streams."""
    for path in article_files(paths):
        yield read_article(path)


def read_article(path: str | os.PathLike[str]) -> Article:
    """Read one article file and the metadata its text, front matter or sidecar give."""
    path = Path(path)
    try:
        with open(path, encoding="utf-8", newline="") as f:
            raw = f.read()
    except UnicodeDecodeError as e:
        raise InputError(path, f"byte {e.start}", "not UTF-8 text; convert the file to UTF-8") from None
    except OSError as e:
        raise InputError(path, "", e.strerror or str(e)) from None
    front, text = _split_front_matter(path, raw)
    given = {**front, **_sidecar(path)}
    return article_from_text(path.name, text, path=str(path), **given)


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
    body = raw[1:] if raw.startswith("\ufeff") else raw
    m = _FRONT_MATTER.match(body)
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
    return {k: v for k, v in fields.items() if k in FIELDS}, body[m.end():]


def _sidecar(path: Path) -> dict[str, str]:
    side = path.with_suffix(".json")
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        where = f"line {e.lineno}, column {e.colno}" if isinstance(e, json.JSONDecodeError) else "text"
        raise InputError(side, where, f"not a valid JSON sidecar: {e}") from None
    if not isinstance(data, dict):
        raise InputError(side, "top level", "a sidecar must be a JSON object such as {\"url\": \"https://...\"}")
    return {k: str(v) for k, v in data.items() if k in FIELDS and v}


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
