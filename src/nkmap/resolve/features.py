"""The features of a candidate place: what the resolver knows about one namesake of one name.

Features are plain numbers with names, computed once and read by the scorer (which weighs
them) and the policy (which thresholds them). Each is defined here, and only here:

=============== ======================================================================== =========
feature         meaning                                                                  range
=============== ======================================================================== =========
population      ``log10(population + 1) / population_decades``: the size prior            0 … ~1
in_country      1 when the place lies in a country the article's curated names settle     0 or 1
                (in the last pass also the countries of its confidently placed names)
near            ``exp(-km / near_km)`` to the nearest of the article's settled places     0 … 1
                (its curated names; in a last pass also the other weak names placed with
                confidence ≥ ``anchor_confidence``: the article's own geography)
support         how many other names of the article have a candidate within about 1°,     0 … cap
                capped at ``support_cap`` (settled places and other namesakes alike)
primary_name    1 when the name is the place's own GeoNames name, not an alternate one    0 or 1
capital         1 when the place is its country's capital (GeoNames' countries.json)      0 or 1
country_only    1 when the place's only context is a country the article names (not near  0 or 1
                its settled places, no neighbour): a country is too wide to settle a
                namesake, so a village there need not beat a large city elsewhere
contained       where the text puts the name ("the X area of Y", "X, Y", "X in Y", with   -1, 0, 1
                Y a country or region the article resolves): 1 inside Y, -1 outside, 0
                when the text says nothing
=============== ======================================================================== =========

The name's own features (the same for all its namesakes): ``evidence``, the strongest cue
around any of its mentions (``cue_strength`` in ``data/resolve.json``), and ``doubt``, the
recogniser's doubt when every mention is doubtful.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from nkmap.model import WIDE_KINDS, Cue, Mention, Place
from nkmap.names import name_key


@dataclass(frozen=True, slots=True)
class FeatureSettings:
    """How the features are computed (``features`` in ``data/resolve.json``)."""

    population_decades: float = 7.0
    near_km: float = 400.0
    support_cap: int = 3
    top_namesakes: int = 12  # the most populous namesakes considered for a weak name
    region_km: float = 400.0  # a place "in" a region lies in its country and at most this far from its point
    near_context: float = 0.3  # ``near`` above this is context (the policy's threshold of the same name)
    anchor_confidence: float = 2.0  # weak names placed this confidently anchor the others' nearness (>1: never)


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
    capital: float = 0.0
    contained: float = 0.0
    country_only: float = 0.0

    def value(self, name: str) -> float:
        return float(getattr(self, name))


FEATURE_NAMES = (
    "population",
    "in_country",
    "near",
    "support",
    "primary_name",
    "capital",
    "contained",
    "country_only",
)


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

    def __init__(
        self,
        settled: Sequence[Place],
        countries: Iterable[str],
        weak: Mapping[str, Sequence[Place]],
        *,
        cells: Mapping[str, Sequence[tuple[int, int]]] | None = None,
    ) -> None:
        """``cells``: the cells of each weak name's candidates, if known (then ``weak`` is not read)."""
        self.settled = list(settled)
        self.countries = set(countries)
        self._owners: dict[tuple[int, int], set[str]] = {}
        self._around: dict[tuple[int, int], set[str]] = {}  # cell -> the owners of it and its 8 neighbours
        owners = self._owners
        for p in settled:
            owners.setdefault(_cell(p), set()).add("=" + p.id)
        if cells is None:
            cells = {key: [_cell(p) for p in places] for key, places in weak.items()}
        for key, where in cells.items():
            for cell in where:
                owned = owners.get(cell)
                if owned is None:
                    owners[cell] = {key}
                else:
                    owned.add(key)

    def support(self, place: Place, key: str) -> int:
        """How many other names (settled places or namesake candidates) lie within about a cell."""
        return self.support_at(_cell(place), key)

    def supports(
        self, cells: Sequence[tuple[int, int]], blocks: Sequence[Sequence[tuple[int, int]]], key: str, cap: int
    ) -> tuple[int, ...]:
        """``min(support_at(cell, key, block), cap)`` of each cell and its block, in one loop (the resolver asks
        this for every namesake of every weak name: a call per namesake was most of its cost)."""
        around, owners = self._around, self._owners
        out = []
        for cell, block in zip(cells, blocks):
            others = around.get(cell)
            if others is None:
                others = around[cell] = set()
                for near in block:
                    owned = owners.get(near)
                    if owned:
                        others |= owned
            n = len(others) - (key in others)
            out.append(n if n < cap else cap)
        return tuple(out)

    def support_at(self, cell: tuple[int, int], key: str, block: Sequence[tuple[int, int]] | None = None) -> int:
        """:meth:`support` of a place in ``cell`` (``block``: the cell and its 8 neighbours, if known)."""
        others = self._around.get(cell)
        if others is None:  # a name's namesakes and the article's names share cells: each union once
            others = self._around[cell] = set()
            owners = self._owners
            for near in block if block is not None else _block(cell):
                owned = owners.get(near)
                if owned:
                    others |= owned
        return len(others) - (key in others)


def _block(cell: tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """The cell and its 8 neighbours."""
    lat, lon = cell
    return tuple((lat + dlat, lon + dlon) for dlat in (-1, 0, 1) for dlon in (-1, 0, 1))


def candidate_features(place: Place, key: str, *context: Any, **options: Any) -> CandidateFeatures:
    """The features of ``place`` as a namesake for the name ``key`` in an article: the arguments of
    :func:`candidate_values`, as the named fields the policy reads."""
    return CandidateFeatures(*candidate_values(place, key, *context, **options))


def candidate_values(
    place: Place,
    key: str,
    around: Neighbourhood,
    settings: FeatureSettings,
    nearby: Sequence[Place],
    capitals: Mapping[str, str] | None = None,
    containers: Sequence[Place] = (),
    countries: Collection[str] | None = None,
    near_km: float | None = None,
    own: tuple[float, float, int, float] | None = None,
) -> tuple:
    """:func:`candidate_features` as a tuple in the fields' order (the resolver scores every namesake
    but needs the features object of the best one only).

    The features of ``place`` as a namesake for the name ``key`` in an article (``nearby``: the
    places nearness is measured to; ``capitals``: country code → folded capital name;
    ``containers``: the places the text puts this name in; ``countries``: the article's countries, if
    other than ``around``'s; ``near_km``: ``nearest_km(place, nearby)`` if already known, e.g. from
    :class:`Distances`; ``own``: :func:`own_features` of the place and name, if already known)."""
    if own is None:
        own = own_features(place, key, settings, capitals)
    in_country = 1.0 if place.country in (around.countries if countries is None else countries) else 0.0
    if nearby:
        near = math.exp(-(nearest_km(place, nearby) if near_km is None else near_km) / settings.near_km)
    else:
        near = 0.0
    support = min(around.support(place, key), settings.support_cap)
    return (
        own[0],  # population
        in_country,  # in_country
        near,  # near
        support,  # support
        own[1],  # primary_name
        own[2],  # population_count
        own[3],  # capital
        (1.0 if any(inside(place, c, settings) for c in containers) else -1.0) if containers else 0.0,  # contained
        1.0 if in_country and near <= settings.near_context and not support else 0.0,  # country_only
    )


def own_features(
    place: Place, key: str, settings: FeatureSettings, capitals: Mapping[str, str] | None = None
) -> tuple[float, float, int, float]:
    """The features of a namesake that depend on the place and the name alone, the same in every
    article (kept by the resolver across articles): population, primary_name, population_count, capital."""
    return (
        math.log10((place.population or 0) + 1) / settings.population_decades,
        1.0 if name_key(place.name) == key else 0.0,
        place.population or 0,
        1.0 if capitals and capitals.get(place.country) == name_key(place.name) else 0.0,
    )


def inside(place: Place, container: Place, settings: FeatureSettings) -> bool:
    """Whether ``place`` lies in ``container``: its country, or near the point of a region in its country
    (inside the outline of a province placed at its Natural Earth label point)."""
    if container.kind in WIDE_KINDS:
        return bool(container.country) and place.country == container.country
    if container.country and place.country and place.country != container.country:
        return False
    if container.origin == "admin":
        from nkmap.sources.admin import admin1_covers

        covers = admin1_covers(container, place)
        if covers is not None:
            return covers
    return nearest_km(place, [container]) <= settings.region_km


# What may stand between a name and the country or region the text puts it in: "the Tula area of
# South Kordofan", "Tula, Sudan", "Tula in Sudan", "Tula di Sudan", "Tula en Sudán".
CONTAINED_BY = re.compile(
    r"(?:[ \u00a0]+(?:area|region|district|province|state|county|governorate|municipality|oblast|wilayah|daerah|"
    r"kawasan|région|región|provincia|departamento|estado))?"
    r"(?:,[ \u00a0]*|[ \u00a0]+(?:of|in|di|en|de|del|du|dans|im|em|do|da|na)[ \u00a0]+)",
    re.IGNORECASE,
)
LIST_GOES_ON = re.compile(
    r"[ \u00a0]*(?:,[ \u00a0]*)?(?:(?:and|dan|y|et|und|or|atau|e|serta)[ \u00a0]+)?", re.IGNORECASE
)


def container_mentions(text: str, mentions: Sequence[Mention]) -> dict[int, Mention]:
    """For the index of each mention the text puts in another ("X area of Y", "X, Y"), that other one.

    Y must follow X at once, and no third name may follow Y as in a list ("Baku, Ganja and Tartar"
    puts nothing in anything): whether Y is a country or region is for the resolver to say."""
    found: dict[int, Mention] = {}
    for i in range(len(mentions) - 1):
        here, nxt = mentions[i], mentions[i + 1]
        if not CONTAINED_BY.fullmatch(text, here.end, nxt.start):
            continue
        if i + 2 < len(mentions) and LIST_GOES_ON.fullmatch(text, nxt.end, mentions[i + 2].start):
            continue
        if i > 0 and LIST_GOES_ON.fullmatch(text, mentions[i - 1].end, here.start):
            continue  # "Ganja, Tartar, Azerbaijan": X is itself in a list
        found[i] = nxt
    return found


def _cell(place: Place) -> tuple[int, int]:
    return math.floor(place.lat), math.floor(place.lon)


def nearest_km(place: Place, anchors: Sequence[Place]) -> float:
    return min(0.0 if a.id == place.id else km(place.lat, place.lon, a.lat, a.lon) for a in anchors)


_Point = tuple[str, float, float]  # what a distance depends on: the id (same id: 0 km) and the coordinate


def _point(p: Place) -> _Point:
    return (p.id, p.lat, p.lon)


def _in_range(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Whether each coordinate is one :func:`km` takes as it is (geopy would not first normalise it)."""
    return (np.abs(lat) <= 90) & (np.abs(lon) <= 180)


def _km_block(
    rows: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    lat2: np.ndarray,
    lon2: np.ndarray,
    ids2: np.ndarray,
) -> np.ndarray:
    """:func:`km` from every row point to every column point, as one array computation: the floats of
    :class:`Distances`' array path, element by element (each element's float depends on its two points
    only, not on the block it is computed in).

    ``rows``: the row points' sines and cosines of latitude, longitudes in radians, and (in degrees)
    latitudes and longitudes; ``ids2``: a number per column place, the same as the rows' for the same
    place. The same operations in the same order as :func:`km` (``atan2`` taken from ``math``, element by
    element, as NumPy's may differ in the last bit); NumPy squares by multiplying where Python's ``** 2``
    asks libm's ``pow``, which may round the other way in the last bit (rarely: 1 pair in some thousands).
    :func:`km` itself, which asks geopy, for pairs with a coordinate geopy would first normalise (the
    resolver gives an article with one its own :class:`Distances`, computed as it always was)."""
    sin_lat1, cos_lat1, lng1, lat1, lon1 = rows
    rad2 = np.radians(lat2)
    sin_lat2, cos_lat2 = np.sin(rad2)[None, :], np.cos(rad2)[None, :]
    delta_lng = np.radians(lon2)[None, :] - lng1[:, None]
    cos_delta_lng, sin_delta_lng = np.cos(delta_lng), np.sin(delta_lng)
    sin_lat1, cos_lat1 = sin_lat1[:, None], cos_lat1[:, None]
    y = np.sqrt((cos_lat2 * sin_delta_lng) ** 2 + (cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_delta_lng) ** 2)
    x = sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_delta_lng
    d = np.fromiter(map(math.atan2, y.ravel().tolist(), x.ravel().tolist()), np.float64, y.size)
    block = EARTH_RADIUS * d.reshape(y.shape)
    ok1, ok2 = _in_range(lat1, lon1), _in_range(lat2, lon2)
    if not (ok1.all() and ok2.all()):  # the scalar path for those pairs only: km() is per pair
        for i, j in zip(*np.nonzero(~(ok1[:, None] & ok2[None, :]))):
            block[i, j] = km(float(lat1[i]), float(lon1[i]), float(lat2[j]), float(lon2[j]))
    return block


class _Points:
    """Points (id, lat, lon) numbered in order of arrival, with the arrays a :func:`_km_block` reads."""

    def __init__(self) -> None:
        self.index: dict[_Point, int] = {}
        self.lat = np.zeros(0, dtype=np.float64)
        self.lon = np.zeros(0, dtype=np.float64)
        self.ids = np.zeros(0, dtype=np.int64)
        self.sin = self.cos = self.lng = np.zeros(0, dtype=np.float64)

    def __len__(self) -> int:
        return len(self.index)

    def add(self, points: list[_Point], codes: dict[str, int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Number the new ``points``; their latitudes, longitudes and id numbers."""
        for pt in points:
            self.index[pt] = len(self.index)
        lat = np.array([pt[1] for pt in points], dtype=np.float64)
        lon = np.array([pt[2] for pt in points], dtype=np.float64)
        ids = np.array([codes.setdefault(pt[0], len(codes)) for pt in points], dtype=np.int64)
        rad = np.radians(lat)
        self.lat, self.lon, self.ids = (
            np.concatenate([self.lat, lat]),
            np.concatenate([self.lon, lon]),
            np.concatenate([self.ids, ids]),
        )
        self.sin = np.concatenate([self.sin, np.sin(rad)])
        self.cos = np.concatenate([self.cos, np.cos(rad)])
        self.lng = np.concatenate([self.lng, np.radians(lon)])
        return lat, lon, ids

    def arrays(self, lo: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return self.sin[lo:], self.cos[lo:], self.lng[lo:], self.lat[lo:], self.lon[lo:]


@dataclass(frozen=True, slots=True)
class KmRows:
    """Places numbered as rows of a :class:`KmStore` (void once it starts over: ``generation``)."""

    points: tuple[_Point, ...]
    index: np.ndarray
    generation: int


class KmStore:
    """:func:`km` between places, kept across articles: a corpus names the same few hundred namesakes
    and anchors again and again, so each distance is computed once (by :func:`_km_block`, a block of
    new rows or new columns at a time) and an article's tables are read out of the matrix.

    Rows are the places distances are asked from, columns the anchors; the matrix starts over when it
    would hold more than ``max_cells`` distances (the floats are the same either way)."""

    def __init__(self, max_cells: int = 1 << 20) -> None:  # 8 MB of distances (a 10 MB corpus uses 2.5 MB)
        self.max_cells = max_cells
        self._generation = 0
        self._clear()

    def _clear(self) -> None:
        self._codes: dict[str, int] = {}  # place id -> a number, to find the same place as arrays
        self._rows, self._cols = _Points(), _Points()
        self._km = np.zeros((0, 0), dtype=np.float64)  # capacity: at least the rows and columns in use
        self._generation += 1  # row numbers handed out before are void

    def rows(self, places: Sequence[_Point]) -> KmRows:
        """``places`` as rows of the matrix, to ask :meth:`table` for many lists of anchors."""
        points = tuple(places)
        new = [pt for pt in dict.fromkeys(points) if pt not in self._rows.index]
        if new:
            if self._make_room(len(new), 0):
                new = list(dict.fromkeys(points))
            self._grow(new, [])
        index = self._rows.index
        return KmRows(points, np.array([index[pt] for pt in points], dtype=np.intp), self._generation)

    def table(self, places: Sequence[_Point] | KmRows, anchors: Sequence[_Point]) -> np.ndarray:
        """km from each of ``places`` (points as :func:`_point` gives them, or as :meth:`rows`) to each of
        ``anchors``, in order."""
        given = places if isinstance(places, KmRows) and places.generation == self._generation else None
        points = places.points if isinstance(places, KmRows) else tuple(places)
        new_rows = [pt for pt in dict.fromkeys(points) if pt not in self._rows.index] if given is None else []
        new_cols = [pt for pt in dict.fromkeys(anchors) if pt not in self._cols.index]
        if new_rows or new_cols:
            if self._make_room(len(new_rows), len(new_cols)):
                given, new_rows, new_cols = None, list(dict.fromkeys(points)), list(dict.fromkeys(anchors))
            self._grow(new_rows, new_cols)
        rows = self._rows.index
        r = given.index if given is not None else np.array([rows[pt] for pt in points], dtype=np.intp)
        cols = self._cols.index
        return self._km[r[:, None], np.array([cols[pt] for pt in anchors], dtype=np.intp)]

    def _make_room(self, more_rows: int, more_cols: int) -> bool:
        """Start over (True) when the matrix would grow past ``max_cells``, unless it is empty."""
        rows, cols = len(self._rows), len(self._cols)
        if (rows + more_rows) * (cols + more_cols) > self.max_cells and (rows or cols):
            self._clear()
            return True
        return False

    def _grow(self, new_rows: list[_Point], new_cols: list[_Point]) -> None:
        rows, cols = self._rows, self._cols
        n_rows, n_cols = len(rows), len(cols)
        if new_rows:
            rows.add(new_rows, self._codes)
        if new_cols:
            cols.add(new_cols, self._codes)
        need_r, need_c = len(rows), len(cols)
        cap_r, cap_c = self._km.shape
        if need_r > cap_r or need_c > cap_c:
            grown = np.zeros((max(need_r, 2 * cap_r), max(need_c, 2 * cap_c)), dtype=np.float64)
            grown[:n_rows, :n_cols] = self._km[:n_rows, :n_cols]
            self._km = grown
        if new_rows and n_cols:  # the new rows to the old columns
            self._fill(n_rows, need_r, 0, n_cols)
        if new_cols:  # every row to the new columns
            self._fill(0, need_r, n_cols, need_c)

    def _fill(self, r0: int, r1: int, c0: int, c1: int) -> None:
        if r0 == r1 or c0 == c1:
            return
        rows, cols = self._rows, self._cols
        block = _km_block(
            tuple(a[r0:r1] for a in rows.arrays()),  # type: ignore[arg-type]
            cols.lat[c0:c1],
            cols.lon[c0:c1],
            cols.ids[c0:c1],
        )
        block[rows.ids[r0:r1, None] == cols.ids[None, c0:c1]] = 0.0  # the place itself is 0 km away, as in nearest_km
        self._km[r0:r1, c0:c1] = block


class Distances:
    """``nearest_km`` from many places to lists of anchors, as one array computation per article.

    Rows are the places asked about, columns every anchor seen; the matrix grows by a block of
    columns when anchors not seen before are asked for. The floats are :func:`km`'s, bit for bit:
    the same operations in the same order (NumPy's ``sin``, ``cos``, ``radians``, ``sqrt``, products
    and sums round alike; ``atan2`` is taken from ``math``, element by element, as NumPy's may differ
    in the last bit), except that NumPy squares by multiplying where ``km`` asks libm's ``pow``: about
    1 pair in some thousands then differs in the last bit.
    """

    def __init__(self, places: Iterable[Place]) -> None:
        self._rows: dict[_Point, int] = {}
        for p in places:
            self._rows.setdefault(_point(p), len(self._rows))
        points = list(self._rows)
        self._codes: dict[str, int] = {}  # place id -> a number, to find the same place as arrays
        self._ids = np.array([self._codes.setdefault(pt[0], len(self._codes)) for pt in points], dtype=np.int64)
        lat = np.array([pt[1] for pt in points], dtype=np.float64)
        lon = np.array([pt[2] for pt in points], dtype=np.float64)
        self._exact = not points or (np.abs(lat).max() <= 90 and np.abs(lon).max() <= 180)
        self._lat, self._lon = lat, lon
        rad = np.radians(lat)
        self._sin, self._cos, self._lng = np.sin(rad), np.cos(rad), np.radians(lon)
        self._cols: dict[_Point, int] = {}
        self._km = np.zeros((len(points), 0), dtype=np.float64)

    def _add(self, anchors: Iterable[Place]) -> None:
        self._add_points(map(_point, anchors))

    def _add_points(self, anchors: Iterable[_Point]) -> None:
        new = [pt for pt in dict.fromkeys(anchors) if pt not in self._cols]
        if not new:
            return
        for pt in new:
            self._cols[pt] = len(self._cols)
        lat2 = np.array([pt[1] for pt in new], dtype=np.float64)
        lon2 = np.array([pt[2] for pt in new], dtype=np.float64)
        if self._exact and np.abs(lat2).max() <= 90 and np.abs(lon2).max() <= 180:
            rad2 = np.radians(lat2)
            sin_lat2, cos_lat2 = np.sin(rad2)[None, :], np.cos(rad2)[None, :]
            sin_lat1, cos_lat1 = self._sin[:, None], self._cos[:, None]
            delta_lng = np.radians(lon2)[None, :] - self._lng[:, None]
            cos_delta_lng, sin_delta_lng = np.cos(delta_lng), np.sin(delta_lng)
            y = np.sqrt(
                (cos_lat2 * sin_delta_lng) ** 2 + (cos_lat1 * sin_lat2 - sin_lat1 * cos_lat2 * cos_delta_lng) ** 2
            )
            x = sin_lat1 * sin_lat2 + cos_lat1 * cos_lat2 * cos_delta_lng
            d = np.fromiter(map(math.atan2, y.ravel().tolist(), x.ravel().tolist()), np.float64, y.size)
            block = EARTH_RADIUS * d.reshape(y.shape)
        else:  # a coordinate geopy would first normalise: the scalar path, which asks geopy
            block = np.array(
                [
                    [km(a, b, c, d) for c, d in zip(lat2.tolist(), lon2.tolist())]
                    for a, b in zip(self._lat.tolist(), self._lon.tolist())
                ],
                dtype=np.float64,
            ).reshape(len(self._rows), len(new))
        ids2 = np.array([self._codes.get(pt[0], -1) for pt in new], dtype=np.int64)
        block[self._ids[:, None] == ids2[None, :]] = 0.0  # the place itself is 0 km away, as in nearest_km
        self._km = np.hstack([self._km, block])

    def __len__(self) -> int:
        return len(self._rows)

    def rows(self, places: Iterable[Place]) -> list[int]:
        """The row of each place (each one of the places the table was made for)."""
        return [self._rows[_point(p)] for p in places]

    def table(self, anchors: Sequence[Place]) -> np.ndarray:
        """km from every row's place to each anchor, one column per anchor, in order."""
        self._add(anchors)
        return self._km[:, [self._cols[_point(a)] for a in anchors]]

    def points_table(self, points: Sequence[_Point], anchors: Sequence[_Point]) -> np.ndarray:
        """:meth:`table` of ``anchors`` given as points, for rows given as points (each a row's)."""
        self._add_points(anchors)
        return self._km[[self._rows[pt] for pt in points]][:, [self._cols[pt] for pt in anchors]]

    def nearest(self, places: Sequence[Place], anchors: Sequence[Place]) -> list[float]:
        """``[nearest_km(p, anchors) for p in places]`` (anchors not empty)."""
        return self.table(anchors)[self.rows(places)].min(axis=1).tolist()


EARTH_RADIUS = 6371.009  # km, geopy.distance.EARTH_RADIUS (the radius great_circle uses)


@functools.lru_cache(maxsize=1 << 16)
def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; an article's places recur across a corpus, so pairs are cached.

    geopy's ``great_circle`` formula and radius, step for step (the same floats), without its two
    ``Point`` objects per call (they were most of geoparsing's time); geopy itself for coordinates
    it would first normalise.
    """
    if abs(lon1) > 180 or abs(lon2) > 180 or abs(lat1) > 90 or abs(lat2) > 90:
        from geopy.distance import great_circle

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
