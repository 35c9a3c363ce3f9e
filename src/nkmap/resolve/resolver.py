"""Pick one place per mention from name sources in priority order.

Sources answer ``lookup(name) -> list[Place]``: the curated gazetteer first, CLDR country
names next, GeoNames last. A name several curated places share is settled by the article's
other places. A GeoNames name is a guess among namesakes, so it must also earn its place:
a large population, a place word before it ("kota", "village of", the dateline), the
article's countries, or nearness to its other places; what lacks such evidence stays
unresolved, reported rather than plotted.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from typing import Protocol

from nkmap.model import Mention, Place, ResolvedMention
from nkmap.names import name_key

STRONG_ORIGINS = ("gazetteer", "cldr")
EARTH_RADIUS = 6371.009  # km, geopy.distance.EARTH_RADIUS (the radius great_circle uses)
BIG_CITY = 100_000  # a namesake this large needs no other evidence
NEAR_KM = 400.0  # "near the article's other places"
TOP_NAMESAKES = 12  # the most populous namesakes considered for a GeoNames name


class NameSource(Protocol):
    origin: str

    def lookup(self, name: str) -> list[Place]: ...


def resolve_mentions(
    mentions: Sequence[Mention], sources: Sequence[NameSource], weak_triggers: Iterable[str] = ()
) -> list[ResolvedMention]:
    """Resolve the mentions of one article; the same name always gets the same place in it.

    A GeoNames-only name recognised with a doubt ("?opener", "?in-name") that
    finds no large or well-supported place is dropped: it was most likely not a place name.
    """
    weak = frozenset(weak_triggers)
    by_surface: dict[str, list[Mention]] = {}
    for m in mentions:
        by_surface.setdefault(name_key(m.surface), []).append(m)
    candidates = {key: _candidates(group[0].surface, sources) for key, group in by_surface.items()}
    strong = {k: c for k, c in candidates.items() if c and c[0].origin in STRONG_ORIGINS}
    anchors = [places[0] for places in strong.values() if len(places) == 1]
    chosen: dict[str, tuple[Place | None, str, float]] = {}
    for key, places in strong.items():
        chosen[key] = _choose_curated(places, anchors)
    named_countries = {p.country for p, _, _ in chosen.values() if p is not None and p.country}
    settled = [p for p, _, _ in chosen.values() if p is not None and p.kind not in ("country", "continent")]
    weak_keys = {k: c[:TOP_NAMESAKES] for k, c in candidates.items() if k not in chosen}
    cells = _Cells(settled, weak_keys)
    dropped = set()
    for key, places in weak_keys.items():
        triggers = [m.trigger for m in by_surface[key]]
        doubtful = "?in-name" if all(t == "?in-name" for t in triggers) else all(t.startswith("?") for t in triggers)
        evidence = max((_trigger_strength(t, weak) for t in triggers), default=0.0)
        choice = _choose_geonames(key, places, evidence, doubtful, named_countries, settled or anchors, cells)
        if choice is None:
            dropped.add(key)
        else:
            chosen[key] = choice
    return [ResolvedMention(m, *chosen[name_key(m.surface)]) for m in mentions if name_key(m.surface) not in dropped]


class _Cells:
    """Which names have a candidate in each 1° cell: cheap "is another named place near here"."""

    def __init__(self, settled: list[Place], weak: dict[str, list[Place]]) -> None:
        self._owners: dict[tuple[int, int], set[str]] = {}
        for p in settled:
            self._owners.setdefault(_cell(p), set()).add("=" + p.id)
        for key, places in weak.items():
            for p in places:
                self._owners.setdefault(_cell(p), set()).add(key)

    def support(self, place: Place, key: str) -> int:
        """How many other names (settled places or namesake candidates) lie within about a cell."""
        lat, lon = _cell(place)
        others: set[str] = set()
        get = self._owners.get
        for dlat in (-1, 0, 1):
            for dlon in (-1, 0, 1):
                if owners := get((lat + dlat, lon + dlon)):
                    others |= owners
        others.discard(key)
        return len(others)


def _cell(place: Place) -> tuple[int, int]:
    return math.floor(place.lat), math.floor(place.lon)


def _candidates(surface: str, sources: Iterable[NameSource]) -> list[Place]:
    for source in sources:
        found = source.lookup(surface)
        if found:
            return found
    return []


def _trigger_strength(trigger: str, weak: frozenset[str]) -> float:
    """1 for a place word or the dateline, 0.5 for a preposition-like word, 0 for none or a doubt."""
    if not trigger or trigger.startswith("?"):
        return 0.0
    return 0.5 if trigger in weak else 1.0


def _choose_curated(places: list[Place], anchors: list[Place]) -> tuple[Place | None, str, float]:
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


def _choose_geonames(
    key: str,
    places: list[Place],
    evidence: float,
    doubtful: bool | str,
    countries: set[str],
    nearby: list[Place],
    cells: _Cells,
) -> tuple[Place | None, str, float] | None:
    """The best namesake by population, the article's countries, neighbours and name.

    Returns ``(None, "unresolved", 0)`` for a place-like name without enough evidence (to be
    reported), and None for a doubtful one that is probably not a place name at all.
    """
    if not places:
        return None if doubtful else (None, "unresolved", 0.0)
    scored = []
    for p in places:
        pop = math.log10((p.population or 0) + 1) / 7  # 0 … ~1
        in_country = 1.0 if p.country in countries else 0.0
        near = math.exp(-_nearest_km(p, nearby) / NEAR_KM) if nearby else 0.0
        support = min(cells.support(p, key), 3)
        primary = 0.3 if name_key(p.name) == key else 0.0
        scored.append((pop + 0.8 * in_country + 0.8 * near + 0.4 * support + primary, p, in_country, near, support))
    scored.sort(key=lambda s: -s[0])
    score, best, in_country, near, support = scored[0]
    population = best.population or 0
    big = population >= BIG_CITY
    context = bool(in_country) or near > 0.3 or support > 0
    foreign = bool(countries) and not context  # the article names countries, and this is in none of them
    if doubtful == "?in-name":  # inside a run of capitalised words: most likely a person or an organisation
        accepted = support >= 2 and population >= 1000
    elif doubtful:
        accepted = big or (context and population >= 1000) or support >= 2
    elif foreign:
        accepted = big
    else:
        accepted = big or evidence >= 1.0 or context or (evidence > 0 and population >= 1000)
    if not accepted:
        return None if doubtful else (None, "unresolved", 0.0)
    margin = score - scored[1][0] if len(scored) > 1 else 1.0
    confidence = (
        0.35
        + 0.2 * evidence
        + 0.1 * in_country
        + 0.1 * near
        + 0.05 * support
        + 0.1 * big
        + 0.1 * min(margin, 1.0)
        - (0.1 if doubtful else 0.0)
    )
    return best, "geonames", round(min(max(confidence, 0.05), 0.95), 3)


def _nearest_km(place: Place, anchors: list[Place]) -> float:
    pid, lat, lon = place.id, place.lat, place.lon
    return min(0.0 if a.id == pid else _km(lat, lon, a.lat, a.lon) for a in anchors)


@functools.lru_cache(maxsize=1 << 16)
def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; an article's places recur across a corpus, so pairs are cached.

    geopy's ``great_circle`` formula and radius, step for step (the same floats), without its
    two ``Point`` objects per call; geopy itself for coordinates it would first normalise.
    """
    if abs(lon1) > 180 or abs(lon2) > 180 or abs(lat1) > 90 or abs(lat2) > 90:
        from geopy.distance import great_circle  # imported only here: 0.16 s of start-up otherwise

        return great_circle((lat1, lon1), (lat2, lon2)).km
    lat1, lng1, lat2, lng2 = math.radians(lat1), math.radians(lon1), math.radians(lat2), math.radians(lon2)
    sin_lat1, cos_lat1 = math.sin(lat1), math.cos(lat1)
    sin_lat2, cos_lat2 = math.sin(lat2), math.cos(lat2)
    delta_lng = lng2 - lng1
    cos_delta_lng, sin_delta_lng = math.cos(delta_lng), math.sin(delta_lng)
    d = math.atan2(
        math.sqrt((cos_lat2 * sin_delta_lng) ** 2 + (cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_delta_lng) ** 2),
        sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_delta_lng,
    )
    return EARTH_RADIUS * d
