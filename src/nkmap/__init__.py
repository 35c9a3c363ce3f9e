"""nkmap: turn news articles into a map of the places they report.

>>> import nkmap
>>> result = nkmap.geoparse(nkmap.read_articles(["data/articles"]))  # doctest: +SKIP
>>> nkmap.build_map(result)                                            # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nkmap.errors import InputError, NkmapError
    from nkmap.inputs.articles import read_article, read_articles
    from nkmap.model import Article, GeoparseResult, Mention, Place, PlaceSummary, ResolvedMention
    from nkmap.outputs.tables import to_geodataframes, write_outputs
    from nkmap.outputs.web.page import build_map
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

# Each public name is imported from its module when first asked for: ``import nkmap.sources.geonames``
# (or ``python -m nkmap --version``) then loads no pipeline, and folium and geopandas load only
# when the map or the files are asked for.
_LAZY = {
    "InputError": "errors",
    "NkmapError": "errors",
    "read_article": "inputs.articles",
    "read_articles": "inputs.articles",
    "Article": "model",
    "GeoparseResult": "model",
    "Mention": "model",
    "Place": "model",
    "PlaceSummary": "model",
    "ResolvedMention": "model",
    "build": "pipeline",
    "geoparse": "pipeline",
    "DEFAULT_GAZETTEER": "sources.gazetteer",
    "Gazetteer": "sources.gazetteer",
    "load_gazetteer": "sources.gazetteer",
    "build_map": "outputs.web.page",
    "to_geodataframes": "outputs.tables",
    "write_outputs": "outputs.tables",
}


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use, and keep it here."""
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'nkmap' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
