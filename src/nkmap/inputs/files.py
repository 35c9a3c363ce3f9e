"""Which files the paths on the command line name, what each one is, and its name in the outputs.

- A file named explicitly must be of a format nkmap reads (:data:`FORMATS`); anything else is
  an :class:`InputError`, and so is a FIFO, socket or device (never opened, so never blocks).
- A folder is read one level deep (``recursive=True`` for nested folders). Inside it, files of
  other formats, nested folders (without ``recursive``), FIFOs and devices, and symbolic links
  that lead outside the folder (unless ``follow_links=True``) are skipped with a warning;
  hidden files, documentation (``README``, ``*.md``) and JSON sidecars of articles are skipped
  silently.
- A file named twice (a folder and a file in it, or two links to one file) is read once, with
  a warning.
- Every file gets a name unique in the corpus: its path relative to the folder all the files
  share (``a/001.txt`` and ``b/001.txt``; just ``001.txt`` when they are all in one folder).
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nkmap.errors import InputError

log = logging.getLogger(__name__)

FORMATS = {  # suffix -> reader
    ".txt": "text",
    ".text": "text",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pdf": "pdf",
}
SIDECAR_OF = (".txt", ".text", ".html", ".htm", ".xhtml", ".pdf")  # a.json next to one of these is its metadata
QUIET_SUFFIXES = (".md", ".rst")
QUIET_STEMS = ("readme", "license", "licence", "copying", "sources", "notice")
QUIET_NAMES = ("corrections.json",)  # the corrections file beside the articles (nkmap.sources.corrections)
_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One input file: where it is, how to read it, and its name in every output."""

    path: Path
    format: str  # a value of FORMATS
    name: str = ""  # unique in the corpus, "/"-separated


def formats_help() -> str:
    return ", ".join(dict.fromkeys(FORMATS))


def find_files(
    paths: Iterable[str | os.PathLike[str]], *, recursive: bool = False, follow_links: bool = False
) -> list[SourceFile]:
    """The input files named by ``paths``, in order (folders sorted), each once, with unique names."""
    found: list[SourceFile] = []
    for raw in paths:
        path = Path(raw)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise InputError(path, "", "no such file or folder") from None
        except OSError as e:
            raise InputError(path, "", e.strerror or str(e)) from None
        if stat.S_ISDIR(st.st_mode):
            inside = _walk(path, Path(os.path.realpath(path)), recursive, follow_links, set())
            if not inside:
                raise InputError(path, "", f"no article files ({formats_help()}) in this folder")
            found.extend(inside)
        elif stat.S_ISREG(st.st_mode):
            fmt = FORMATS.get(path.suffix.lower())
            if fmt is None:
                raise InputError(
                    path,
                    "",
                    f"not a format nkmap reads ({path.suffix or 'no suffix'}); it reads {formats_help()} "
                    "(rename a plain-text article to .txt)",
                )
            found.append(SourceFile(path, fmt))
        else:
            raise InputError(path, "", f"not a regular file: {_kind(st.st_mode)}; name an article file or a folder")
    return _named(_once(found))


def _walk(folder: Path, root: Path, recursive: bool, follow_links: bool, seen: set[str]) -> list[SourceFile]:
    real = os.path.realpath(folder)
    if real in seen:  # a link loop, or a folder reached twice
        return []
    seen.add(real)
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as e:
        raise InputError(folder, "", e.strerror or str(e)) from None
    names = {e.name.lower() for e in entries}
    found: list[SourceFile] = []
    for entry in entries:
        path = Path(entry.path)
        if entry.name.startswith("."):
            continue
        if entry.is_symlink():
            target = os.path.realpath(path)
            if not follow_links and not _inside(target, root):
                log.warning("%s: a link to %s, outside the folder; skipped (--follow-links reads it)", path, target)
                continue
        try:
            st = path.stat()
        except OSError as e:
            log.warning("%s: %s; skipped", path, e.strerror or e)
            continue
        if stat.S_ISDIR(st.st_mode):
            if recursive:
                found.extend(_walk(path, root, recursive, follow_links, seen))
            else:
                log.warning("%s: a folder inside the folder; skipped (--recursive reads nested folders)", path)
            continue
        if not stat.S_ISREG(st.st_mode):
            log.warning("%s: not a regular file: %s; skipped", path, _kind(st.st_mode))
            continue
        suffix = path.suffix.lower()
        fmt = FORMATS.get(suffix)
        if fmt is not None:
            found.append(SourceFile(path, fmt))
        elif suffix == ".json" and any(f"{path.stem.lower()}{s}" in names for s in SIDECAR_OF):
            continue  # the sidecar of an article: read with it
        elif suffix in QUIET_SUFFIXES or path.stem.lower() in QUIET_STEMS or path.name.lower() in QUIET_NAMES:
            continue
        else:
            log.warning("%s: not a format nkmap reads (%s); skipped", path, suffix or "no suffix")
    return found


def _inside(target: str, root: Path) -> bool:
    return target == str(root) or target.startswith(str(root).rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a file")


def _once(files: list[SourceFile]) -> list[SourceFile]:
    """Each file once, however often it is named (by a folder and by itself, or through links)."""
    first: dict[tuple[int, int], Path] = {}
    kept = []
    for f in files:
        try:
            st = f.path.stat()
            key = (st.st_dev, st.st_ino)
        except OSError:
            key = (-1, hash(os.path.realpath(f.path)))
        if key in first:
            log.warning("%s: named twice (also as %s); read once", f.path, first[key])
            continue
        first[key] = f.path
        kept.append(f)
    return kept


def _named(files: list[SourceFile]) -> list[SourceFile]:
    """Names relative to the folder all files share: unique, and short where the corpus is one folder."""
    if not files:
        return []
    absolute = [os.path.abspath(f.path) for f in files]
    common = os.path.commonpath([os.path.dirname(a) for a in absolute])
    inside = common if common.endswith(os.sep) else common + os.sep  # every file is under it

    def name(a: str) -> str:  # os.path.relpath(a, common), without its splitting: a is normalised and under it
        relative = a[len(inside) :] if a.startswith(inside) else os.path.relpath(a, common)
        return relative if os.sep == "/" else Path(relative).as_posix()

    return [SourceFile(f.path, f.format, name(a)) for f, a in zip(files, absolute)]
