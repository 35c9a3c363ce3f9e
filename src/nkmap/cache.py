"""Where nkmap keeps what it builds once and reuses: the GeoNames index, checked gazetteers."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """$NKMAP_CACHE_DIR, else the platform's user cache folder (``~/.cache/nkmap`` on Linux)."""
    if os.environ.get("NKMAP_CACHE_DIR"):
        return Path(os.environ["NKMAP_CACHE_DIR"])
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("nkmap"))
