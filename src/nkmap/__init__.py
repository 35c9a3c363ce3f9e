"""nkmap: turn news articles into a map of the places they report.

>>> import nkmap
>>> result = nkmap.geoparse(nkmap.read_articles(["data/articles"]))  # doctest: +SKIP
>>> nkmap.build_map(result)                                            # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from nkmap.errors import InputError, NkmapError
from nkmap.inputs.articles import read_article, read_articles
from nkmap.model import Article, GeoparseResult, Mention, Place, PlaceSummary, ResolvedMention
from nkmap.pipeline import build, geoparse
from nkmap.sources.gazetteer import DEFAULT_GAZETTEER, Gazetteer, load_gazetteer

__all__ = [
    "DEFAULT_GAZETTEER",
    "Article",
    "Gazetteer",
    "GeoparseResult",
    "InputError",
    "Mention",
    "NkmapError",
    "Place",
    "PlaceSummary",
    "ResolvedMention",
    "build",
    "build_map",
    "geoparse",
    "load_gazetteer",
    "read_article",
    "read_articles",
    "to_geodataframes",
    "write_outputs",
]
__version__ = "0.1.0"

_LAZY = {"build_map": "outputs.web.page", "to_geodataframes": "outputs.tables", "write_outputs": "outputs.tables"}


def __getattr__(name: str) -> Any:
    """folium and geopandas load only when the map or the files are asked for."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'nkmap' has no attribute {name!r}")
