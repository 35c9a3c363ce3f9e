"""What reading found in each text, kept between builds, so a rebuild does not read it again.

Reading a file is cheap; what nkmap works out from its text is not: the language (py3langid),
the publication date, the headline, outlet and dateline, and the duplicate fingerprint (word
5-gram sketch). These depend only on the text, the article's name and path, the metadata given
with it (front matter, sidecar, export columns) and nkmap's code, so they are kept by a hash of
exactly these (:func:`nkmap.infra.resultcache.code_digest` for the code: a changed rule re-reads
everything). The file is still read and decoded on every build (its warnings are given again, and
a changed file has a new text, hence a new key).

Everything lives in one SQLite file in the cache folder (``reads-v1.sqlite``); a build's new
entries are written in one transaction (:meth:`ReadCache.commit`), so a build killed halfway leaves
the cache as it was. A cache that cannot be opened, read or written only costs time; delete the
file to empty it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import marshal
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from nkmap.infra.cache import cache_dir, open_store, write_store
from nkmap.model import Article

FILE_NAME = "reads-v1.sqlite"
log = logging.getLogger(__name__)
_GIVEN = ("name", "path", "text")  # the Article fields the reader is given; the others it finds
_FOUND = tuple(f.name for f in dataclasses.fields(Article) if f.name not in _GIVEN)
Fingerprint = tuple[bytes, frozenset[int], bool]  # duplicates: exact digest, shingle sketch, sketch is full


def _digest(*parts: str) -> str:
    from nkmap.infra.resultcache import code_digest

    h = hashlib.sha256(code_digest().encode())
    for part in parts:
        h.update(b"\0" + part.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


class ReadCache:
    """Read results by key in one SQLite file: articles (:meth:`article`), duplicate fingerprints
    (:meth:`fingerprint`) and the duplicates of a whole corpus (:meth:`corpus`). ``hits`` and
    ``misses`` count the lookups."""

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else cache_dir() / FILE_NAME
        self.hits = self.misses = 0
        self._pending: dict[str, bytes] = {}
        self._db = open_store(self.path, ("reads",), "read")

    def _get(self, key: str) -> Any:
        if self._db is not None:
            try:
                row = self._db.execute("SELECT value FROM reads WHERE key = ?", (key,)).fetchone()
                if row is not None:
                    value = marshal.loads(row[0])
                    self.hits += 1
                    return value
            except (sqlite3.Error, EOFError, ValueError, TypeError) as e:
                log.debug("read cache: unreadable entry %s: %s", key[:12], e)
        self.misses += 1
        return None

    def _put(self, key: str, value: Any) -> None:
        if self._db is not None:
            self._pending[key] = marshal.dumps(value)

    def article(self, name: str, text: str, path: str, given: Mapping[str, str], read: Any) -> Article:
        """The article ``read(name, text, path, **given)`` makes, from the cache when it holds it."""
        key = _digest("article", name, path, text, repr(sorted(given.items())))
        found = self._get(key)
        if found is not None:
            try:
                values = dict(zip(_FOUND, found, strict=True))
                values["date"] = date.fromordinal(values["date"]) if values["date"] is not None else None
                if values["dateline_at"] is not None:
                    values["dateline_at"] = tuple(values["dateline_at"])
                return Article(name=name, path=path, text=text, **values)
            except (TypeError, ValueError) as e:  # an entry of another layout: read again
                log.debug("read cache: unusable entry %s: %s", key[:12], e)
        article = read(name, text, path, **given)
        found = [getattr(article, f) for f in _FOUND]
        when = _FOUND.index("date")
        found[when] = article.date.toordinal() if article.date is not None else None
        self._put(key, tuple(found))
        return article

    def fingerprint(self, text: str, compute: Any) -> Fingerprint:
        """``compute(text)``, the duplicate fingerprint of ``text``, from the cache when it holds it."""
        key = _digest("fingerprint", text)
        found = self._get(key)
        if found is not None:
            try:
                digest, sketch, full = found
                return digest, frozenset(sketch), bool(full)
            except (TypeError, ValueError) as e:
                log.debug("read cache: unusable entry %s: %s", key[:12], e)
        digest, sketch, full = compute(text)
        self._put(key, (digest, tuple(sketch), full))
        return digest, sketch, full

    def corpus(self, kind: str, texts: Iterable[tuple[str, str]], compute: Callable[[], Any]) -> Any:
        """``compute()``, a result over a whole corpus given as (name, text) pairs in order (the
        duplicates found in it), from the cache when the same names hold the same texts in the same
        order; the result must be plain data (tuples, strings, numbers) that ``marshal`` writes."""
        h = hashlib.sha256()
        for name, text in texts:
            h.update(name.encode("utf-8", "surrogatepass") + b"\0")
            h.update(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest())
        key = _digest(kind, h.hexdigest())
        found = self._get(key)
        if found is not None:
            return found
        value = compute()
        self._put(key, value)
        return value

    def commit(self) -> None:
        """Write the collected entries in one transaction (all or none of them, even if killed)."""
        write_store(self._db, {"reads": self._pending}, self.path, "read")
        self._pending.clear()

    def close(self) -> None:
        self.commit()
        if self._db is not None:
            self._db.close()
            self._db = None
