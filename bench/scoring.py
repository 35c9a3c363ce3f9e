"""Scoring for the dev-set benchmark, as defined in the dev set's README.

Standard library only, importable on its own (``bench/test_scoring.py`` tests it):

* recognition: one-to-one greedy overlap matching per article, optional gold mentions
  ignored (neither TP nor FP), P/R/F1;
* resolution on the TP pairs whose gold point is not ``coord_quality: approx``:
  haversine (R = 6371.0088 km) to the nearest of the gold point and its ``alt`` points,
  Acc@161km, Acc@10km, median error; a matched but unresolved prediction counts as an
  infinite error.

A *prediction* is anything with ``article``, ``start``, ``end``, ``lat``, ``lon`` and
``category`` (``Pred`` below); ``lat``/``lon`` None means unresolved, ``category`` None
means the system does not label its predictions.
"""

from __future__ import annotations

import csv
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

EARTH_RADIUS_KM = 6371.0088
ACC_KM = (161.0, 10.0)
SETTLEMENT_KINDS = frozenset({"city", "town", "village", "settlement"})


@dataclass(frozen=True)
class Gold:
    article: str
    start: int
    end: int
    surface: str
    category: str
    lat: float
    lon: float
    alt: tuple[tuple[float, float], ...] = ()
    approx: bool = False
    optional: bool = False
    name: str = ""

    @property
    def points(self) -> tuple[tuple[float, float], ...]:
        return ((self.lat, self.lon),) + self.alt


@dataclass(frozen=True)
class Pred:
    article: str
    start: int
    end: int
    lat: float | None = None
    lon: float | None = None
    category: str | None = None  # "settlement", "country", ... or None: not labelled
    surface: str = ""

    @property
    def resolved(self) -> bool:
        return self.lat is not None and self.lon is not None


def category_of_kind(kind: str | None) -> str | None:
    """Map an nkmap ``Place.kind`` to a gold category (only "settlement" matters)."""
    if kind is None:
        return None
    if kind in SETTLEMENT_KINDS:
        return "settlement"
    if kind == "country":
        return "country"
    if kind == "feature":
        return "feature"
    return "region"  # district, province, region, continent, ...


def gold_from_dict(d: dict) -> Gold:
    return Gold(
        article=d["article"],
        start=d["start"],
        end=d["end"],
        surface=d.get("surface", ""),
        category=d["category"],
        lat=float(d["lat"]),
        lon=float(d["lon"]),
        alt=tuple((float(a), float(b)) for a, b in d.get("alt", ()) or ()),
        approx=d.get("coord_quality") == "approx",
        optional=bool(d.get("optional", False)),
        name=d.get("name", ""),
    )


def load_gold(path: str | Path) -> list[Gold]:
    with open(path, encoding="utf-8") as f:
        return [gold_from_dict(json.loads(line)) for line in f if line.strip()]


def load_index(path: str | Path) -> dict[str, dict[str, str]]:
    """``index.csv`` as ``{"d01.txt": {"id": "d01", "language": "id", "topic": ...}}``."""
    with open(path, encoding="utf-8", newline="") as f:
        return {row["id"] + ".txt": row for row in csv.DictReader(f)}


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def error_km(gold: Gold, pred: Pred) -> float:
    """Distance to the nearest acceptable gold point; ``inf`` when unresolved."""
    if not pred.resolved:
        return math.inf
    return min(haversine_km(pred.lat, pred.lon, la, lo) for la, lo in gold.points)


def overlaps(g: Gold, p: Pred) -> bool:
    return g.start < p.end and p.start < g.end


def match_article(golds: Sequence[Gold], preds: Sequence[Pred]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs ``(gold index, pred index)`` for one article.

    Candidates are all overlapping pairs, taken longest overlap first, ties by the
    smaller start difference (then by position, for determinism).
    """
    cands = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            if overlaps(g, p):
                ov = min(g.end, p.end) - max(g.start, p.start)
                cands.append((-ov, abs(g.start - p.start), g.start, p.start, gi, pi))
    cands.sort()
    g_taken: set[int] = set()
    p_taken: set[int] = set()
    pairs = []
    for *_, gi, pi in cands:
        if gi in g_taken or pi in p_taken:
            continue
        g_taken.add(gi)
        p_taken.add(pi)
        pairs.append((gi, pi))
    return pairs


@dataclass
class Matching:
    """The outcome of matching, before any filtering into rows."""

    tp: list[tuple[Gold, Pred]] = field(default_factory=list)  # required gold, paired
    fp: list[Pred] = field(default_factory=list)  # unpaired, not overlapping optional gold
    fn: list[Gold] = field(default_factory=list)  # required gold, unpaired
    ignored: list[Pred] = field(default_factory=list)  # paired with / overlapping optional gold


def match(golds: Iterable[Gold], preds: Iterable[Pred]) -> Matching:
    by_art_g: dict[str, list[Gold]] = defaultdict(list)
    by_art_p: dict[str, list[Pred]] = defaultdict(list)
    for g in golds:
        by_art_g[g.article].append(g)
    for p in preds:
        by_art_p[p.article].append(p)
    out = Matching()
    for art in sorted(set(by_art_g) | set(by_art_p)):
        gs, ps = by_art_g.get(art, []), by_art_p.get(art, [])
        pairs = match_article(gs, ps)
        g_paired = {gi for gi, _ in pairs}
        p_paired = {pi for _, pi in pairs}
        for gi, pi in pairs:
            if gs[gi].optional:
                out.ignored.append(ps[pi])
            else:
                out.tp.append((gs[gi], ps[pi]))
        for gi, g in enumerate(gs):
            if gi not in g_paired and not g.optional:
                out.fn.append(g)
        for pi, p in enumerate(ps):
            if pi in p_paired:
                continue
            if any(g.optional and overlaps(g, p) for g in gs):
                out.ignored.append(p)
            else:
                out.fp.append(p)
    return out


@dataclass
class Row:
    """One table row: recognition and resolution figures with their counts."""

    tp: int
    fp: int | None  # None: precision not defined (predictions not labelled)
    fn: int
    errors: list[float]  # one per scored pair (inf = unresolved)

    @property
    def precision(self) -> float | None:
        if self.fp is None or self.tp + self.fp == 0:
            return None  # not labelled, or nothing predicted
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def pairs(self) -> int:
        return len(self.errors)

    @property
    def unresolved(self) -> int:
        return sum(1 for e in self.errors if math.isinf(e))

    def acc(self, km: float) -> float | None:
        if not self.errors:
            return None
        return sum(1 for e in self.errors if e <= km) / len(self.errors)

    @property
    def median_km(self) -> float | None:
        return statistics.median(self.errors) if self.errors else None


def row(m: Matching, category: str | None = None, labelled: bool = True) -> Row:
    """A row over all gold mentions (``category`` None) or one gold category.

    For a category row, recall and resolution use the gold mentions of that category;
    FP counts only unpaired predictions the system itself labels with that category,
    and is None (no precision) when the system does not label (``labelled`` False).
    """

    def keep(g: Gold) -> bool:
        return category is None or g.category == category

    tp_pairs = [(g, p) for g, p in m.tp if keep(g)]
    fn = sum(1 for g in m.fn if keep(g))
    if category is None:
        fp: int | None = len(m.fp)
    elif labelled:
        fp = sum(1 for p in m.fp if p.category == category)
    else:
        fp = None
    errors = [error_km(g, p) for g, p in tp_pairs if not g.approx]
    return Row(tp=len(tp_pairs), fp=fp, fn=fn, errors=errors)


def score(golds: Sequence[Gold], preds: Sequence[Pred], labelled: bool = True) -> dict[str, Row]:
    m = match(golds, preds)
    return {"all": row(m), "settlement": row(m, "settlement", labelled)}
