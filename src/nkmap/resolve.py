"""Pick one place per mention from name sources in priority order.

Sources answer ``lookup(name) -> list[Place]`` (the curated gazetteer first, GeoNames after).
A name several places share is settled by the article's other places (geodesic distance),
then by population; a name no source knows stays explicitly unresolved.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

from geopy.distance import great_circle

from .model import Mention, Place, ResolvedMention


class NameSource(Protocol):
    origin: str

    def lookup(self, name: str) -> list[Place]: ...


def resolve_mentions(mentions: Sequence[Mention], sources: Sequence[NameSource]) -> list[ResolvedMention]:
    """Resolve the mentions of one article; the same name always gets the same place in it."""
    candidates = {m.surface: _candidates(m.surface, sources) for m in mentions}
    anchors = [places[0] for places in candidates.values() if len(places) == 1]
    chosen = {surface: _choose(places, anchors) for surface, places in candidates.items()}
    return [ResolvedMention(m, *chosen[m.surface]) for m in mentions]


def _candidates(surface: str, sources: Iterable[NameSource]) -> list[Place]:
    for source in sources:
        found = source.lookup(surface)
        if found:
            return found
    return []


def _choose(places: list[Place], anchors: list[Place]) -> tuple[Place | None, str, float]:
    if not places:
        return None, "unresolved", 0.0
    if len(places) == 1:
        return places[0], places[0].origin, 1.0
    if anchors:
        # Closest to what else the article names; ties fall back to the larger place.
        ranked = sorted(places, key=lambda p: (_nearest_km(p, anchors), -(p.population or 0)))
        best, runner_up = _nearest_km(ranked[0], anchors), _nearest_km(ranked[1], anchors)
        margin = 1.0 - best / runner_up if runner_up else 0.0
        return ranked[0], "context", round(0.5 + 0.5 * margin, 3)
    ranked = sorted(places, key=lambda p: -(p.population or 0))
    return ranked[0], "population", 0.5


def _nearest_km(place: Place, anchors: list[Place]) -> float:
    return min(0.0 if a.id == place.id else great_circle((place.lat, place.lon), (a.lat, a.lon)).km for a in anchors)
