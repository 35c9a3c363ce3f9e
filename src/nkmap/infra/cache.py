"""Where nkmap keeps what it builds once and reuses: the GeoNames index, checked gazetteers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def cache_dir() -> Path:
    """$NKMAP_CACHE_DIR, else the platform's user cache folder (``~/.cache/nkmap`` on Linux)."""
    if os.environ.get("NKMAP_CACHE_DIR"):
        return Path(os.environ["NKMAP_CACHE_DIR"])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nkmap"))


def remembered(folder: str, key: str, compute: Callable[[], str]) -> str:
    """``compute()``'s text, kept in the cache under ``folder/key`` and read back next time.

    For work that is slow but depends only on files that rarely change (the key names their
    versions). A cache that cannot be written only costs time.
    """
    import hashlib

    from nkmap.infra import atomic

    memo = cache_dir() / folder / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    try:
        return memo.read_text(encoding="utf-8")
    except OSError:
        pass
    text = compute()
    try:
        atomic.write_text(memo, text)
    except OSError:
        pass
    return text
