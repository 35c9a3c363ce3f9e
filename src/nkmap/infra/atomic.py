"""Write files so that a reader never sees half of one: temporary file, flush, rename.

The temporary file sits beside the target (``.NAME.XXXX.tmp.EXT``, same file system, so the
rename is atomic) and is removed on any error or on SIGTERM (the CLI turns SIGTERM into an
exception). Only a SIGKILL or a power cut can leave one behind: it is hidden, never read by
nkmap, and safe to delete.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from nkmap.errors import InputError

NEW_FILE_MODE = 0o644


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success it replaces ``path`` in one step.

    For writers that want a file name (GDAL, matplotlib). The temporary file is removed on error,
    so an interrupted write leaves the previous file as it was. A file that is replaced keeps
    its permissions.
    """
    target = Path(path)
    tmp_path = None
    try:
        with _signals_held():  # an interrupt must not fall between creating the file and knowing its name
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
            except OSError as e:
                raise InputError(target.parent, "", f"cannot write here: {e.strerror or e}") from None
            os.close(fd)
            tmp_path = Path(tmp)
        yield tmp_path
        with open(tmp_path, "rb+") as f:
            os.fsync(f.fileno())
        os.chmod(tmp_path, _mode(target))
        os.replace(tmp_path, target)
        _fsync_dir(target.parent)
    finally:
        if tmp_path is not None:
            tmp_path.unlink(missing_ok=True)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends (POSIX); they are delivered right after."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _mode(target: Path) -> int:
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return NEW_FILE_MODE


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
