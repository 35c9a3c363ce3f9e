"""Where the files nkmap ships live: one definition for every packaged data file.

In a checkout, ``nkmap/data/gazetteer.geojson``, ``basemap/``, ``admin1/`` and ``articles/`` are links to
the user-facing copies in the repository's ``data/`` folder (one copy in the tree); a wheel
carries the files themselves. Paths are resolved, so messages name the file a user edits.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any


def packaged(*parts: str) -> Path:
    """The path of a file under ``nkmap/data``, links resolved."""
    return Path(str(resources.files("nkmap").joinpath("data", *parts))).resolve()


def packaged_json(name: str) -> Any:
    """A JSON data file of nkmap's own (rules and word lists), parsed."""
    return json.loads(packaged(name).read_text(encoding="utf-8"))


DEFAULT_GAZETTEER = packaged("gazetteer.geojson")
DEFAULT_BASEMAP = packaged("basemap", "countries.geojson")
SAMPLE_ARTICLES = packaged("articles")
DEFAULT_ADMIN1 = packaged("admin1", "admin1.geojson")
