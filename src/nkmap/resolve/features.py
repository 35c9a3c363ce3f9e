"""The features of a candidate place: what the resolver knows about one namesake of one name.

Features are plain numbers with names, computed once and read by the scorer (which weighs
them) and the policy (which thresholds them). Each is defined here, and only here:

=============== ======================================================================== =========
feature         meaning                                                                  range
=============== ======================================================================== =========
population      ``log10(population + 1) / population_decades``: the size prior            0 … ~1
in_country      1 when the place lies in a country the article's curated names settle     0 or 1
near            ``exp(-km / near_km)`` to the nearest of the article's settled places     0 … 1
support         how many other names of the article have a candidate within about 1°,     0 … cap
                capped at ``support_cap`` (settled places and other namesakes alike)
primary_name    1 when the name is the place's own GeoNames name, not an alternate one    0 or 1
=============== ======================================================================== =========

The name's own features (the same for all its namesakes): ``evidence``, the strongest cue
around any of its mentions (``cue_strength`` in ``data/resolve.json``), and ``doubt``, the
recogniser's doubt when every mention is doubtful.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geopy.distance import great_circle

from nkmap.model import Cue, Mention, Place
from nkmap.names import name_key


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    """How the features are computed (``features`` in ``data/resolve.json``)."""

    population_decades: float = 7.0
    near_km: float = 400.0
    support_cap: int = 3
    top_namesakes: int = 12  # the most populous namesakes considered for a weak name


@dataclass(frozen=True, slots=True)
class NameFeatures:
    """What every mention of one name says, together."""

    evidence: float  # the strongest cue around any mention: 1 a place word or the dateline, 0.5 a weak word
    doubt: Cue | None  # IN_NAME when every mention is inside a capitalised run, SENTENCE_OPENER when
    # every mention is doubtful in some way, None when one is not


@dataclass(frozen=True, slots=True)
class CandidateFeatures:
    """The features of one namesake (see the module docstring for each)."""

    population: float
    in_country: float
    near: float
    support: int
    primary_name: float
    population_count: int  # the population itself, for the policy's thresholds

    def value(self, name: str) -> float:
        return float(getattr(self, name))


FEATURE_NAMES = ("population", "in_country", "near", "support", "primary_name")


def name_features(mentions: Sequence[Mention], cue_strength: dict[str, float]) -> NameFeatures:
    """The evidence and doubt of a name from all its mentions in one article."""
    cues = [m.evidence.cue for m in mentions]
    if cues and all(c is Cue.IN_NAME for c in cues):
        doubt: Cue | None = Cue.IN_NAME
    elif cues and all(m.evidence.doubtful for m in mentions):
        doubt = Cue.SENTENCE_OPENER
    else:
        doubt = None
    evidence = max((cue_strength[c.value] for c in cues), default=0.0)
    return NameFeatures(evidence, doubt)


class Neighbourhood:
    """The article's geography as the features see it: its settled places and countries, and
    which names have a candidate in each 1° cell (cheap "is another named place near here")."""

    def __init__(self, settled: Sequence[Place], countries: Iterable[str], weak: dict[str, list[Place]]) -> None:
        self.settled = list(settled)
        self.countries = set(countries)
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
        for dlat in (-1, 0, 1):
            for dlon in (-1, 0, 1):
                others |= self._owners.get((lat + dlat, lon + dlon), set())
        others.discard(key)
        return len(others)


def candidate_features(
    place: Place, key: str, around: Neighbourhood, settings: FeatureSettings, nearby: Sequence[Place]
) -> CandidateFeatures:
    """The features of ``place`` as a namesake for the name ``key`` in an article (``nearby``: the
    places nearness is measured to)."""
    return CandidateFeatures(
        population=math.log10((place.population or 0) + 1) / settings.population_decades,
        in_country=1.0 if place.country in around.countries else 0.0,
        near=math.exp(-nearest_km(place, nearby) / settings.near_km) if nearby else 0.0,
        support=min(around.support(place, key), settings.support_cap),
        primary_name=1.0 if name_key(place.name) == key else 0.0,
        population_count=place.population or 0,
    )


def _cell(place: Place) -> tuple[int, int]:
    return math.floor(place.lat), math.floor(place.lon)


def nearest_km(place: Place, anchors: Sequence[Place]) -> float:
    return min(0.0 if a.id == place.id else km(place.lat, place.lon, a.lat, a.lon) for a in anchors)


@functools.lru_cache(maxsize=1 << 16)
def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; an article's places recur across a corpus, so pairs are cached."""
    return great_circle((lat1, lon1), (lat2, lon2)).km
