"""An exclusive lock around read-modify-write of a file, so two updates never lose one another.

Atomic writes keep every reader safe on their own; only writers that read first need this.
The lock is a separate file beside the target (``.NAME.lock``), because the target itself is
replaced by a rename on every save. The operating system releases it when the holder exits,
however it exits (a killed process included); the empty lock file stays behind and is harmless.

The lock file is opened without following symbolic links and never truncated: a link planted
in its place (pointing at a file the user cares about) is refused with an error naming it,
instead of being followed and emptied.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from nkmap.errors import NkmapError, OutputError, describe_os_error, shown

LOCK_TIMEOUT = 60.0  # seconds: a gazetteer save takes milliseconds; a minute means something is stuck
_POLL = 0.05


class LockTimeout(NkmapError, TimeoutError):
    """Another process held the lock for longer than the timeout."""


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file for ``path``: hidden, beside it."""
    from nkmap.infra.atomic import short_name

    target = Path(path)
    return target.with_name(f".{short_name(target.name)}.lock")


@contextlib.contextmanager
def locked(path: str | os.PathLike[str], timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock for ``path`` (waiting at most ``timeout`` seconds) inside the block."""
    lock = lock_path(path)
    try:
        import fcntl
    except ImportError:  # not POSIX: filelock's Windows lock
        with _filelock(path, lock, timeout):
            yield
        return
    fd = _open_lock(lock)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise _timeout(path, lock, timeout) from None
                time.sleep(_POLL)
            except OSError as e:
                raise OutputError(lock, f"cannot lock it: {describe_os_error(e)}") from None
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _open_lock(lock: Path) -> int:
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | os.O_NONBLOCK
    try:
        lock.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock, flags, 0o666)
    except OSError as e:
        if e.errno == errno.ELOOP or lock.is_symlink():
            raise OutputError(
                lock, "is a symbolic link, not nkmap's lock file; remove it (nkmap makes a new one)"
            ) from None
        raise OutputError(lock, f"cannot create the lock file: {describe_os_error(e)}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OutputError(lock, "is not a plain file, not nkmap's lock file; remove it (nkmap makes a new one)")
    return fd


def _timeout(path: object, lock: Path, timeout: float) -> LockTimeout:
    return LockTimeout(
        f"{shown(path)}: another nkmap process has been updating it for over {timeout:g} s; try again (lock file: {lock})"
    )


@contextlib.contextmanager
def _filelock(path: str | os.PathLike[str], lock: Path, timeout: float) -> Iterator[None]:
    from filelock import FileLock, Timeout

    if lock.is_symlink():
        raise OutputError(lock, "is a symbolic link, not nkmap's lock file; remove it (nkmap makes a new one)")
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(lock, timeout=timeout):
            yield
    except Timeout:
        raise _timeout(path, lock, timeout) from None
