"""An exclusive lock around read-modify-write of a file, so two updates never lose one another.

Atomic writes keep every reader safe on their own; only writers that read first need this.
The lock is a separate file beside the target (``.NAME.lock``), because the target itself is
replaced by a rename on every save. The operating system releases it when the holder exits,
however it exits (a killed process included); the empty lock file stays behind and is harmless.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from nkmap.errors import NkmapError

LOCK_TIMEOUT = 60.0  # seconds: a gazetteer save takes milliseconds; a minute means something is stuck


class LockTimeout(NkmapError, TimeoutError):
    """Another process held the lock for longer than the timeout."""


def lock_path(path: str | os.PathLike[str]) -> Path:
    """The lock file for ``path``: hidden, beside it."""
    target = Path(path)
    return target.with_name(f".{target.name}.lock")


@contextlib.contextmanager
def locked(path: str | os.PathLike[str], timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock for ``path`` (waiting at most ``timeout`` seconds) inside the block."""
    from filelock import FileLock, Timeout  # only writers need it

    lock = lock_path(path)
    lock.parent.mkdir(parents=True, exist_ok=True)
    try:
        with FileLock(lock, timeout=timeout):
            yield
    except Timeout:
        raise LockTimeout(
            f"{path}: another nkmap process has been updating it for over {timeout:g} s; try again (lock file: {lock})"
        ) from None
