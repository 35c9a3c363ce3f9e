"""Write files so that a reader never sees half of one: temporary file, flush, rename.

The temporary file sits beside the target (``.NAME.XXXX.tmp.EXT``, same file system, so the
rename is atomic) and is removed on any error or on SIGTERM (the CLI turns SIGTERM into an
exception). Only a SIGKILL or a power cut can leave one behind: it is hidden, never read by
nkmap, and safe to delete.

Several files that belong together (the outputs of one build) are written inside
:func:`replaced_together`: each goes to its temporary file first, and only when all are written
are they renamed over their targets, one after the other with interrupts deferred; if any
rename fails, the ones already made are undone from hard-linked backups. So the set is
replaced as a whole or not at all (only a SIGKILL or power cut in the microseconds between two
renames can leave a mix, each file whole).

Errors of the file system (a full disk, a read-only folder, a folder where a file should go, a
name too long) become :class:`OutputError`, which names the target, not the temporary file.
"""

from __future__ import annotations

import contextlib
import contextvars
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from nkmap.errors import OutputError, describe_os_error

NEW_FILE_MODE = 0o666  # before the umask, as open() does: 0644 under the usual umask 022


# --- interrupts deferred over the few steps that must not be cut in two ---------------------------


@dataclass
class _Deferral:
    depth: int = 0
    pending: list[Callable[[], None]] = field(default_factory=list)


_deferral = _Deferral()


def when_safe(action: Callable[[], None]) -> None:
    """Run ``action`` now, or, inside :func:`deferred_interrupts`, as soon as that block ends.

    For signal handlers that unwind by raising (the CLI's SIGTERM and SIGINT handlers): the
    exception then never falls between creating a temporary file and knowing its name, or
    between two renames of a set. Unlike a signal mask this also holds when other threads
    (BLAS, GDAL) exist, because Python runs every handler in the main thread anyway.
    """
    if _deferral.depth:
        _deferral.pending.append(action)
    else:
        action()


@contextlib.contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Actions passed to :func:`when_safe` inside the block run when it ends (the first one only)."""
    _deferral.depth += 1
    try:
        yield
    finally:
        _deferral.depth -= 1
        if not _deferral.depth and _deferral.pending:
            action = _deferral.pending[0]
            _deferral.pending.clear()
            action()


# --- one file -------------------------------------------------------------------------------------


@dataclass
class _Stage:
    """Temporary files written and waiting to be renamed over their targets together."""

    folder: str | None = None  # only files in this folder wait for the set (caches written meanwhile do not)
    files: list[tuple[Path, Path]] = field(default_factory=list)  # (temporary, target)


_stage: contextvars.ContextVar[_Stage | None] = contextvars.ContextVar("nkmap_atomic_stage", default=None)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    For writers that want a file name (GDAL, matplotlib). The temporary file is removed on error,
    so an interrupted write leaves the previous file as it was. A file that is replaced keeps
    its permissions; a new one gets the umask's (as ``open()`` would give it). Inside
    :func:`replaced_together` the rename waits for the rest of the set.
    """
    target = Path(path)
    _check_target(target)
    tmp_path = None
    staged = False
    try:
        with deferred_interrupts():  # an interrupt must not fall between creating the file and knowing its name
            tmp_path = _temporary(target)
        try:
            try:
                yield tmp_path
            except Exception as e:  # a library's own error (GDAL: "Cannot write feature") for a full disk
                if not isinstance(e, OSError) and _disk_full(target.parent):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)) from e
                raise
            with open(tmp_path, "rb+") as f:
                os.fsync(f.fileno())
            if _disk_full(target.parent):  # some writers (GDAL's KML) stop at a full disk and say nothing
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            _keep_mode(tmp_path, target)
        except OSError as e:
            raise _output_error(target, e, tmp_path) from None
        stage = _stage.get()
        if stage is not None and (stage.folder is None or os.path.normpath(target.parent) == stage.folder):
            stage.files.append((tmp_path, target))
            staged = True
        else:
            _replace(tmp_path, target)
            _fsync_dir(target.parent)
    finally:
        if tmp_path is not None and not staged:
            tmp_path.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str, errors: str = "backslashreplace") -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically.

    The only text that cannot be UTF-8 is a lone surrogate: Python's stand-in for a byte of a
    file name that was not UTF-8 (``\\udcff``). It is written as those six characters (JSON
    reads them back as the same character), so an odd file name never fails a write.
    """
    with atomic_path(path) as tmp:
        with open(tmp, "w", encoding="utf-8", errors=errors, newline="") as f:
            f.write(text)


# --- a set of files -------------------------------------------------------------------------------


@contextlib.contextmanager
def replaced_together(folder: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """Every atomic write in the block (into ``folder``, when given) waits; at its end all are
    renamed, or on error none is. Writes elsewhere (a cache built on the way) happen at once.

    On any exception (an interrupt included) the temporary files are removed and the previous
    files stay as they were. Nested blocks join the outermost one.
    """
    if _stage.get() is not None:
        yield
        return
    # compared as written (normalised, not resolved: resolving needs a working folder that may be gone)
    stage = _Stage(os.path.normpath(folder) if folder is not None else None)
    token = _stage.set(stage)
    staged = True  # the stage is current: writes go to temporaries
    committed = False
    try:
        yield
        _stage.reset(token)
        staged = False
        with deferred_interrupts():
            _commit(stage.files)
            committed = True
    finally:
        if staged:
            _stage.reset(token)
        if not committed:
            for tmp, _ in stage.files:
                tmp.unlink(missing_ok=True)


def _commit(files: list[tuple[Path, Path]]) -> None:
    """Rename every temporary over its target; if one fails, put the earlier targets back."""
    done: list[tuple[Path, Path | None]] = []  # (target, backup of the previous file or None)
    try:
        for tmp, target in files:
            backup = _backup(target)
            try:
                _replace(tmp, target)
            except BaseException:
                if backup is not None:
                    backup.unlink(missing_ok=True)
                raise
            done.append((target, backup))
    except BaseException:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink()
        raise
    for folder in dict.fromkeys(target.parent for _, target in files):
        _fsync_dir(folder)
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)


def _backup(target: Path) -> Path | None:
    """A hard link to the file at ``target`` (hidden, beside it), so its rename can be undone."""
    if not target.is_file():
        return None
    backup = target.with_name(f".{short_name(target.name)}.{os.getpid()}.tmp.old")
    backup.unlink(missing_ok=True)
    try:
        os.link(target, backup)
    except OSError:  # a file system without hard links: this file's replacement cannot be undone
        return None
    return backup


# --- helpers --------------------------------------------------------------------------------------


def _check_target(target: Path) -> None:
    if target.is_dir():
        raise OutputError(
            target, "is a folder, and nkmap writes a file here; move the folder away or choose another --out"
        )


def _temporary(target: Path) -> Path:
    """A new empty file beside ``target``, created as ``open()`` creates one (umask and default ACLs apply)."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            tmp = target.parent / f".{short_name(target.name)}.{secrets.token_hex(4)}.tmp{_suffix(target)}"
            try:
                fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), NEW_FILE_MODE)
            except FileExistsError:
                continue
            os.close(fd)
            return tmp
        raise FileExistsError(errno.EEXIST, "no free temporary file name")
    except OSError as e:  # the folder cannot be made or written: name the folder (the first round's message)
        raise OutputError(target.parent, f"cannot write here: {e.strerror or e}") from None


def short_name(name: str, limit: int = 200) -> str:
    """``name``, cut to ``limit`` bytes, so the hidden names made from it (``.NAME.XXXX.tmp.EXT``,
    ``.NAME.lock``) still fit the usual 255-byte limit of a file name."""
    encoded = os.fsencode(name)
    return name if len(encoded) <= limit else os.fsdecode(encoded[:limit])


def _suffix(target: Path) -> str:
    return target.suffix if len(os.fsencode(target.suffix)) <= 16 else ""


def _replace(tmp: Path, target: Path) -> None:
    try:
        os.replace(tmp, target)
    except OSError as e:
        raise _output_error(target, e, tmp) from None


def _output_error(target: Path, e: OSError, tmp: Path | None = None) -> OutputError:
    """``e`` as an error about ``target`` (the temporary file is nkmap's business, not the user's)."""
    if isinstance(e, OutputError):
        return e
    ours = {os.fspath(target), *([os.fspath(tmp)] if tmp is not None else [])}
    other = e.filename is not None and os.fsdecode(e.filename) not in ours
    return OutputError(os.fsdecode(e.filename) if other else target, describe_os_error(e))


def _keep_mode(tmp: Path, target: Path) -> None:
    """A file that is replaced keeps its permissions; a new one keeps those it was created with."""
    try:
        mode = stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return
    os.chmod(tmp, mode)


def _disk_full(folder: Path) -> bool:
    """Whether the file system holding ``folder`` has no block left for this user (root may use the reserve)."""
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs (Windows): trust the writer
        return False
    free = st.f_bfree if hasattr(os, "geteuid") and os.geteuid() == 0 else st.f_bavail
    return st.f_blocks > 0 and free == 0


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
