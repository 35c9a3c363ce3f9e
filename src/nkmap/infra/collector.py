"""Python's cyclic garbage collector where nkmap makes millions of objects and almost no cycles.

Reference counting frees nearly everything nkmap lets go of; the cyclic collector's passes only
walk the long-lived objects (the GeoNames index, the names remembered, a result being written)
again and again. Each context here sets the collector for a stretch of such work and gives it
back as it found it, also on error, so a program that calls nkmap keeps its own settings.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def resting() -> Iterator[None]:
    """No cyclic collection inside (building an index, unpickling a result, working on a chunk)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_FREEZER = [False]  # whether a frozen() of nkmap's owns the freeze now (its end unfreezes)


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """What is alive, and what :func:`gc.freeze` sets apart inside, out of the collector's passes till the end
    (a result being written: every object of it outlives the writing). Nothing is frozen when the caller
    froze objects of its own (a server before it forks): unfreezing at the end would let go of them too."""
    if gc.get_freeze_count() or _FREEZER[0]:
        yield  # the caller's freeze, or an outer frozen(), stands
        return
    gc.freeze()
    _FREEZER[0] = True
    try:
        yield
    finally:
        _FREEZER[0] = False
        gc.unfreeze()


def freezing(items: Iterable[T], every: int = 1, full_every: int = 0) -> Iterator[T]:
    """``items``, with what is alive frozen every ``every`` of them (inside :func:`frozen`): the cycles let go
    meanwhile are collected first (the young ones, and all that is not frozen every ``full_every`` freezes),
    then the survivors (the indexes, the names remembered, the results so far) are set apart, so that the
    collector's passes no longer walk them. The caller must not hold an item once it asks for the next one.
    Outside a freeze of nkmap's own (the caller's objects frozen), the items are only given."""
    if not _FREEZER[0]:
        yield from items
        return
    given = freezes = 0
    for item in items:  # not enumerate: its reused result tuple would hold the last item through the freeze
        yield item
        del item  # the item given is the caller's now: not kept alive, nor frozen, here
        given += 1
        if given % every == 0:
            freezes += 1
            gc.collect(2 if full_every and freezes % full_every == 0 else 1)
            gc.freeze()
