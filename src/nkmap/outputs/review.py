"""The user's to-do list: names nkmap found but could not place, with GeoNames' best guesses."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable
from pathlib import Path

from nkmap.infra import atomic
from nkmap.model import GeoparseResult, Place
from nkmap.names import name_key

COLUMNS = ("candidate", "count", "articles", "example", "guesses")
GUESSES = 3


def unresolved_rows(
    result: GeoparseResult, lookup: Callable[[str], list[Place]] | None = None
) -> list[dict[str, object]]:
    """One row per unresolved name (folded), most frequent first, with up to three guesses."""
    groups: dict[str, list] = {}
    for rm in result.unresolved:
        groups.setdefault(name_key(rm.mention.surface), []).append(rm.mention)
    rows = []
    for mentions in sorted(groups.values(), key=lambda ms: (-len(ms), ms[0].surface)):
        first = mentions[0]
        guesses = lookup(first.surface)[:GUESSES] if lookup else []
        rows.append(
            {
                "candidate": first.surface,
                "count": len(mentions),
                "articles": ";".join(dict.fromkeys(m.article for m in mentions)),
                "example": first.sentence,
                "guesses": "; ".join(
                    f"{p.name}, {p.country} (population {p.population or 0}; geonames:{p.geonameid};"
                    f" {p.lat:.5f}, {p.lon:.5f})"
                    for p in guesses
                ),
            }
        )
    return rows


def write_unresolved_csv(
    result: GeoparseResult, path: str | os.PathLike[str], lookup: Callable[[str], list[Place]] | None = None
) -> Path:
    """Write ``unresolved.csv`` (UTF-8 with BOM, so spreadsheets read the accents) atomically."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(unresolved_rows(result, lookup))
    atomic.write_text(path, "\ufeff" + buffer.getvalue())
    return Path(path)
