"""nkmap's exceptions: one root, and input errors that say where and how to fix them."""

from __future__ import annotations

import errno
import os


class NkmapError(Exception):
    """Root of every error nkmap raises on purpose; the CLI prints it as one line, exit 2."""


class InputError(NkmapError, ValueError):
    """Bad input: names the file, the place in it (line, feature index, field) and the problem.

    >>> str(InputError("data/g.geojson", "feature 12, field 'coordinates'", "latitude 95.0 is outside [-90, 90]"))
    "data/g.geojson: feature 12, field 'coordinates': latitude 95.0 is outside [-90, 90]"
    """

    def __init__(self, path: object, where: str, problem: str) -> None:
        self.path = str(path)
        self.where = where
        self.problem = problem
        super().__init__(": ".join(part for part in (shown(self.path), where, problem) if part))

    def __reduce__(self) -> tuple[object, ...]:  # picklable, so a worker process can send it back
        return (type(self), (self.path, self.where, self.problem))


class OutputError(NkmapError, OSError):
    """A file nkmap must write (or lock) cannot be: names it and says why (full disk, read-only, ...).

    Also an ``OSError``, so code that treats a failed write as a cost (the cache) keeps doing so.
    """

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{shown(self.path)}: {problem}")

    def __str__(self) -> str:
        return f"{shown(self.path)}: {self.problem}"

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.path, self.problem))


def shown(value: object) -> str:
    """A file name as it may appear in a one-line message: as is, or quoted like ``repr``.

    A name holding a newline, a tab, an escape sequence or an undecodable byte (kept by Python
    as a lone surrogate) is quoted and escaped, so it can neither forge a second ``Warning:``
    line on stderr nor fail to print. Ordinary names, spaces and accents included, stay as is.
    """
    text = os.fspath(value) if isinstance(value, os.PathLike) else str(value)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    return text if text.isprintable() else repr(text)


# What to say about an OS error beyond its strerror: the fix, where there is an obvious one.
_OS_HINTS = {
    errno.ENOSPC: "no space left on the device; free some space, or write elsewhere (--out)",
    errno.EDQUOT: "disk quota exceeded; free some space, or write elsewhere (--out)",
    errno.EROFS: "read-only file system; write elsewhere (--out)",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EISDIR: "is a folder, where a file is expected",
    errno.ENOTDIR: "a part of this path is a file, not a folder",
    errno.ENAMETOOLONG: "file name too long for this file system; rename it",
    errno.ELOOP: "too many levels of symbolic links (a link loop?)",
    errno.ENOENT: "no such file or folder",
    errno.EEXIST: "exists already",
    errno.EMFILE: "too many open files",
    errno.EIO: "input/output error (a failing disk or network file system)",
}


def describe_os_error(e: OSError) -> str:
    """The problem part of a message about ``e``: a plain reason, and the fix where there is one."""
    return _OS_HINTS.get(e.errno or -1) or e.strerror or str(e) or type(e).__name__


def os_error_message(e: OSError) -> str:
    """``e`` as one line ``PATH: PROBLEM`` (both paths of a rename when it has two)."""
    if isinstance(e, NkmapError):
        return str(e)
    names = [shown(os.fsdecode(p) if isinstance(p, bytes) else p) for p in (e.filename, e.filename2) if p is not None]
    problem = describe_os_error(e)
    return f"{' -> '.join(names)}: {problem}" if names else problem
