"""Progress of long work on stderr: a bar on a terminal, a plain line now and then otherwise.

Any stage wraps its loop: ``for article in track(articles, "reading", total=n): ...``.
On a terminal that is a ``tqdm`` bar (redrawn in place, gone when done); when stderr is a
file or a pipe (CI logs, ``2> log``) it is one plain line at most every :data:`INTERVAL`
seconds (``reading: 4,000/10,000 articles (40%), 12.3 s``) and, if any line was printed, a
last one when the loop ends, so short runs print nothing. ``set_quiet(True)`` (``--quiet``)
silences both. ``NKMAP_PROGRESS_INTERVAL`` (seconds) sets the interval of the plain lines.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")
INTERVAL = 10.0  # seconds between plain lines
_quiet = False
_bars = 0  # progress bars on the terminal now


def set_quiet(quiet: bool) -> bool:
    """Silence (True) or allow (False) progress output everywhere; returns the previous setting."""
    global _quiet
    previous, _quiet = _quiet, quiet
    return previous


def track(
    items: Iterable[T],
    what: str,
    *,
    total: int | None = None,
    unit: str = "articles",
    stream: IO[str] | None = None,
) -> Iterator[T]:
    """Yield ``items`` while showing how far the loop got: ``what`` names the work ("reading")."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    stream = stream if stream is not None else sys.stderr
    if _quiet or stream is None:
        yield from items
        return
    if _is_terminal(stream):
        from tqdm import tqdm

        global _bars
        _bars += 1
        try:
            with tqdm(
                items, desc=what, total=total, unit=f" {unit}", file=stream, leave=False, dynamic_ncols=True
            ) as bar:
                yield from bar
        finally:
            _bars -= 1
        return
    yield from _plain(items, what, total, unit, stream)


def _plain(items: Iterable[T], what: str, total: int | None, unit: str, stream: IO[str]) -> Iterator[T]:
    interval = _interval()
    start = last = time.monotonic()
    done = 0
    printed = False
    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if now - last >= interval:
            _line(stream, what, done, total, unit, now - start)
            last, printed = now, True
    if printed:
        _line(stream, what, done, total, unit, time.monotonic() - start, final=True)


def _line(stream: IO[str], what: str, done: int, total: int | None, unit: str, elapsed: float, final=False) -> None:
    count = f"{done:,}/{total:,} {unit} ({100 * done // max(total, 1)}%)" if total else f"{done:,} {unit}"
    try:
        print(f"{what}: {count}, {elapsed:.1f} s{', done' if final else ''}", file=stream, flush=True)
    except (OSError, ValueError):  # a closed or broken stderr must not stop the work
        pass


def _interval() -> float:
    try:
        value = float(os.environ.get("NKMAP_PROGRESS_INTERVAL", INTERVAL))
    except ValueError:
        return INTERVAL
    return value if value >= 0 else INTERVAL


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def echo(line: str, stream: IO[str] | None = None) -> None:
    """Print one line on stderr without breaking a progress bar (the bar is redrawn below it)."""
    stream = stream if stream is not None else sys.stderr
    if _bars:
        from tqdm import tqdm

        tqdm.write(line, file=stream)
    else:
        print(line, file=stream, flush=True)


def note(message: str) -> None:
    """One ``nkmap: MESSAGE`` line on stderr about slow one-off work (building an index on the first
    run), above any bar; silenced by ``set_quiet(True)`` like the bars."""
    if not _quiet:
        echo(f"nkmap: {message}")
