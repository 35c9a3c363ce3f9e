"""The map page's review panel: its data element and its script (``static/review.js``).

The panel is closed by default; its button lists the names awaiting review (``review.csv``'s
rows) and the low-confidence places, and every popup gets "not a place" and "wrong place"
actions. What the user decides is collected in the page (no server, works offline) and exported
as a corrections file (download or text to copy) that ``nkmap build --corrections`` reads. The
data enters the page as escaped JSON and reaches the screen through text nodes only, like the
rest of the page (see :mod:`nkmap.outputs.web.page`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from importlib import resources
from typing import Any

from nkmap.model import GeoparseResult
from nkmap.outputs.review import LOW_CONFIDENCE, Row, review_rows
from nkmap.sources.corrections import FILE_NAME

ROWS_SHOWN = 500  # the panel lists this many names; review.csv has them all


def review_payload(result: GeoparseResult, corrections: Any = None, limit: int = ROWS_SHOWN) -> dict[str, Any]:
    """What the panel shows and edits: the rows awaiting review, the low-confidence places, the
    names each place is written as, and the corrections already applied (exported again)."""
    rows = review_rows(result)
    surfaces: dict[str, list[str]] = {}
    best: dict[str, float] = {}
    for summary in result.places:
        pid = summary.place.id
        surfaces[pid] = list(dict.fromkeys(rm.mention.surface for rm in summary.mentions))
        best[pid] = max(rm.confidence for rm in summary.mentions)
    return panel_payload(rows, surfaces, best, corrections, limit)


def panel_payload(
    rows: Sequence[Row],
    surfaces: dict[str, list[str]],
    best: dict[str, float],
    corrections: Any = None,
    limit: int = ROWS_SHOWN,
) -> dict[str, Any]:
    """:func:`review_payload` from its parts: the review rows, and each place's names as written
    and best confidence (what a streamed build keeps instead of the mentions)."""
    awaiting = [r for r in rows if r.awaiting]
    existing = corrections.corrections.entries if corrections is not None else ()
    return {
        "threshold": LOW_CONFIDENCE,
        "file": FILE_NAME,
        "awaiting": len(awaiting),
        "corrected": len(rows) - len(awaiting),
        "rows": [
            {
                "status": r.status,
                "name": r.candidate,
                "reason": r.reason,
                "count": r.count,
                "articles": list(r.articles[:5]),
                "more_articles": max(0, len(r.articles) - 5),
                "example": r.example,
                "place": r.place.id if r.place else None,
                "confidence": r.confidence,
                "candidates": [
                    {"name": p.name, "country": p.country, "id": p.id, "geonames": p.geonameid, "score": round(s, 3)}
                    for p, s in r.candidates
                ],
            }
            for r in awaiting[:limit]
        ],
        "low": sorted(pid for pid, score in best.items() if score < LOW_CONFIDENCE),
        "surfaces": surfaces,
        "corrections": [c.to_json() for c in existing],
    }


@functools.cache
def review_assets() -> str:
    """The panel's stylesheet and script, for the page's header."""
    static = resources.files("nkmap.outputs.web") / "static"
    css = (static / "review.css").read_text(encoding="utf-8")
    js = (static / "review.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    return f"<style>{css}</style><script>{js}</script>"


def __getattr__(name: str) -> Any:
    if name == "ReviewPanel":  # the folium element, for a folium Map (nkmap.outputs.web.foliumpage)
        from nkmap.outputs.web.foliumpage import ReviewPanel

        return ReviewPanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
