"""Python's cyclic garbage collector where nkmap makes millions of objects and almost no cycles.

Reference counting frees nearly everything nkmap lets go of; the cyclic collector's passes only
walk the long-lived objects (the GeoNames index, the names remembered, a result being written)
again and again. Each context here sets the collector for a stretch of such work and gives it
back as it found it, also on error, so a program that calls nkmap keeps its own settings.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


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


@contextlib.contextmanager
def frozen() -> Iterator[None]:
    """What is alive, and what :func:`gc.freeze` sets apart inside, out of the collector's passes till the end
    (a result being written: every object of it outlives the writing)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
