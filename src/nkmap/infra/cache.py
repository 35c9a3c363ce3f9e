"""Where nkmap keeps what it builds once and reuses: the GeoNames index, checked gazetteers.

A cache that cannot be read or written only costs time, never a build: a memo that cannot be
read (missing, unreadable, corrupt) is computed again, one that cannot be written is not kept,
and a cache folder where nothing can be written is replaced by a private scratch folder for
this run (see :func:`writable`), with one warning saying so.
"""

from __future__ import annotations

import atexit
import functools
import json
import logging
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """$NKMAP_CACHE_DIR, else the platform's user cache folder (``~/.cache/nkmap`` on Linux)."""
    if os.environ.get("NKMAP_CACHE_DIR"):
        return Path(os.environ["NKMAP_CACHE_DIR"])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nkmap"))


def memo_path(folder: str, key: str, suffix: str = ".json") -> Path:
    """Where the memo of ``key`` (the versions it depends on) is kept under ``folder`` of the cache."""
    import hashlib

    return cache_dir() / folder / f"{hashlib.sha256(key.encode('utf-8', 'surrogatepass')).hexdigest()[:32]}{suffix}"


def remembered(folder: str, key: str, compute: Callable[[], str], check: Callable[[str], object] = json.loads) -> str:
    """``compute()``'s text, kept in the cache under ``folder/key`` and read back next time.

    For work that is slow but depends only on files that rarely change (the key names their
    versions). A cache that cannot be written only costs time. ``check`` (default: it must be
    JSON) vets a memo read back: if it raises ``ValueError``, the memo is computed again.
    """
    from nkmap.infra import atomic

    memo = memo_path(folder, key)
    try:
        text = memo.read_text(encoding="utf-8")
        check(text)
        return text
    except (OSError, ValueError):  # missing, unreadable, not UTF-8 or not what check wants: compute again
        pass
    text = compute()
    try:
        atomic.write_text(memo, text)
    except OSError:  # nkmap's OutputError is an OSError too
        pass
    return text


def remembered_json(folder: str, key: str, compute: Callable[[], object], *, lazy: bool = False) -> Any:
    """``compute()``'s value (JSON-able), kept as JSON by :func:`remembered` and decoded once when read
    back: by msgspec where it is installed (twice as fast as json on the word lists a start reads), the
    memo's check and its value in one decode. ``lazy``: the memo is a JSON object whose values msgspec
    leaves as raw JSON (``msgspec.Raw``) for the caller to decode when it needs one (a large memo of which
    a run reads a few parts); without msgspec, and when just computed, they come decoded."""
    decoded: list[Any] = []
    decode: Callable[[str], Any]
    try:
        import msgspec
    except ImportError:  # the standard library reads it too, a little slower
        decode = json.loads
    else:
        decode = functools.partial(msgspec.json.decode, type=dict[str, msgspec.Raw]) if lazy else msgspec.json.decode

    text = remembered(
        folder, key, lambda: json.dumps(compute(), ensure_ascii=False), check=lambda t: decoded.append(decode(t))
    )
    return decoded[-1] if decoded else json.loads(text)  # computed now: json.dumps may write NaN, which only json reads


def writable(folder: Path) -> Path:
    """``folder`` if nkmap can write there, else a private scratch folder for this run.

    For caches built in place (the GeoNames index): a read-only or full cache folder makes the
    run slower (the index is built again, in the scratch folder), not fail. One warning says so.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".nkmap-probe.", dir=folder)
        os.close(fd)
        os.unlink(probe)
        return folder
    except OSError as e:
        from nkmap.errors import describe_os_error, shown

        scratch = _scratch() / folder.name
        log.warning(
            "%s: cache folder not writable (%s); using %s for this run, which costs time "
            "(set NKMAP_CACHE_DIR to a writable folder)",
            shown(folder),
            describe_os_error(e),
            shown(scratch),
        )
        return scratch


@functools.cache
def _scratch() -> Path:
    path = Path(tempfile.mkdtemp(prefix="nkmap-cache-"))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def open_store(path: Path, tables: Sequence[str], what: str) -> sqlite3.Connection | None:
    """The SQLite file of per-item results (``key TEXT -> value BLOB`` in each of ``tables``), or
    None when it cannot be opened: then the ``what`` cache only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        for table in tables:
            db.execute(f"CREATE TABLE IF NOT EXISTS {table} (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
        return db
    except (OSError, sqlite3.Error) as e:
        log.debug("%s cache %s unavailable: %s", what, path, e)
        return None


def write_store(db: sqlite3.Connection | None, rows: Mapping[str, Mapping[str, bytes]], path: Path, what: str) -> None:
    """Write ``rows`` (by table, then key) in one transaction: all or none of them, even if killed."""
    if db is None or not any(rows.values()):
        return
    try:
        with db:
            db.execute("BEGIN IMMEDIATE")
            for table, entries in rows.items():
                db.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?)", entries.items())
    except sqlite3.Error as e:
        log.debug("%s cache %s not written: %s", what, path, e)
