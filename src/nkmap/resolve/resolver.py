"""Pick one place per mention from name sources in priority order.

Sources answer ``lookup(name) -> list[Place]``; the first that knows a name answers it, and
its tier (:mod:`nkmap.sources.base`) says how far to trust the answer. A name a strong source
(curated gazetteer, CLDR countries) knows is taken; if several curated places share it, the
article's other places settle it. A name only a weak source (GeoNames) knows is a guess among
namesakes: :mod:`~nkmap.resolve.features` describes each namesake, the
:mod:`~nkmap.resolve.scorer` ranks them, and the :mod:`~nkmap.resolve.policy` accepts the best
or rejects it with a reason. Rejected mentions become :class:`~nkmap.model.Dropped`, kept as
unresolved or dropped as the policy says.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from nkmap.model import AREA_KINDS, WIDE_KINDS, Article, Cue, Dropped, Mention, Place, Reason, ResolvedMention
from nkmap.names import name_key
from nkmap.resolve.features import (
    CandidateFeatures,
    Distances,
    FeatureSettings,
    KmRows,
    KmStore,
    NameFeatures,
    Neighbourhood,
    _block,
    _cell,
    _point,
    candidate_features,
    candidate_values,
    container_mentions,
    inside,
    name_features,
    nearest_km,
    own_features,
)
from nkmap.resolve.policy import Policy
from nkmap.resolve.scorer import LinearScorer, ResolveSettings, Scorer
from nkmap.sources.base import NameSource, Tier, is_strong

CANDIDATES_KEPT = 3  # namesakes a Dropped reports, best first
NAMES_KEPT = 10_000  # names whose candidates a resolver remembers (then it starts over; a build keeps one resolver:
# at 50 MB peak RSS 396 MB with 100,000 of each, 344 with 10,000, the same CPU time)
DECISIONS_KEPT = 10_000  # weak names' choices remembered by what they depend on (then it starts over)

Choice = tuple[Place | None, str, float]


@dataclass(frozen=True, slots=True)
class Resolution:
    """What resolving one article's mentions gives: the mentions kept, and the candidates dropped."""

    mentions: tuple[ResolvedMention, ...]
    dropped: tuple[Dropped, ...] = ()


class Resolver:
    """The default resolver: ``Resolver(sources)(article, mentions) -> Resolution``.

    ``scorer`` and ``policy`` replace the ones ``data/resolve.json`` describes; ``settings`` the
    whole file's contents (:class:`~nkmap.resolve.scorer.ResolveSettings`).
    """

    def __init__(
        self,
        sources: Sequence[NameSource],
        *,
        scorer: Scorer | None = None,
        policy: Policy | None = None,
        settings: ResolveSettings | None = None,
        capitals: Mapping[str, str] | None = None,
    ) -> None:
        self.sources = tuple(sources)
        self.settings = settings or ResolveSettings.default()
        self.scorer: Scorer = scorer or self.settings.scorer
        self.policy = policy or Policy(self.settings.policy)
        self._capitals = capitals
        # Each name's candidates, kept across articles: names recur across a corpus, and a source's
        # answer for a name is the same in every article, except the user's corrections, which may
        # be scoped to one article (their tier is never cached).
        self._found: dict[str, tuple[tuple[Place, ...], bool]] = {}
        self._own: dict[str, list[tuple[float, float, int, float]]] = {}  # surface -> own_features of its places
        self._per_article = any(s.tier >= Tier.CORRECTION for s in self.sources)
        self._knowns: dict[str, _Known] = {}  # surface -> its candidates and their features that never change
        self._decided: dict[tuple, tuple] = {}  # what a weak name's choice depends on -> the choice (_choose_known)
        self._km = KmStore()  # distances between namesakes and anchors, kept across articles
        self._names: dict[frozenset[Cue], NameFeatures] = {}  # the cues of a name's mentions -> its features

    @property
    def capitals(self) -> Mapping[str, str]:
        """Country code → folded capital name (default: GeoNames' countries.json)."""
        if self._capitals is None:
            from nkmap.sources.countries import capitals

            self._capitals = capitals()
        return self._capitals

    def __call__(self, article: Article | None, mentions: Sequence[Mention]) -> Resolution:
        """Resolve the mentions of one article; the same name always gets the same place in it."""
        keys = [name_key(m.surface) for m in mentions]  # name_key remembers the names it folded
        by_surface: dict[str, list[Mention]] = {}
        for key, m in zip(keys, mentions):
            group = by_surface.get(key)
            if group is None:
                by_surface[key] = [m]
            else:
                group.append(m)
        found = {key: self._known(group[0].surface) for key, group in by_surface.items()}
        strong = {k: known.places for k, known in found.items() if known.places and known.taken}
        anchors = [places[0] for places in strong.values() if len(places) == 1]
        chosen: dict[str, Choice] = {key: self._choose_curated(places, anchors) for key, places in strong.items()}
        countries = {p.country for p, _, _ in chosen.values() if p is not None and p.country}
        settled = [p for p, _, _ in chosen.values() if p is not None and p.kind not in ("country", "continent")]
        weak = {k: known for k, known in found.items() if k not in chosen}
        around = Neighbourhood(settled, countries, {}, cells={k: known.cells for k, known in weak.items()})
        # Nearness to the article's places, for every namesake at once: one array over the namesakes of all
        # the weak names, one after the other (``span``: where each name's lie), read from the distances
        # kept across articles; each name's own features are the same in every pass.
        span: dict[str, tuple[int, int]] = {}
        points: list[tuple[str, float, float]] = []
        for k, known in weak.items():
            span[k] = (len(points), len(points) + len(known.points))
            points.extend(known.points)
        names: dict[str, NameFeatures] = {}
        last: dict[str, tuple] = {}  # key -> what its last choice depended on (nearness, containers, countries)
        base = settled or anchors
        if all(known.in_range for known in weak.values()) and all(map(_in_range, base)):
            rows: KmRows | Distances = self._km.rows(points)
        else:  # a coordinate geopy would first normalise: the article's own table, computed as it always was
            rows = Distances(p for known in weak.values() for p in known.places)
        base_km = self._table(rows, points, [_point(p) for p in base]).min(axis=1) if base and points else None
        base_list = base_km.tolist() if base_km is not None else None
        base_near = {  # each name's namesakes' km to the nearest settled place (or anchor), or None
            k: tuple(base_list[lo:hi]) if base_list is not None and hi > lo else None for k, (lo, hi) in span.items()
        }
        # "the X area of Y", "X, Y": the countries and regions the text puts each weak name in.
        inside: dict[str, set[str]] = {}
        if article is not None:
            for i, container in container_mentions(article.text, mentions).items():
                key = keys[i]
                if key in weak:
                    inside.setdefault(key, set()).add(name_key(container.surface))
        rejected: dict[
            str, tuple[Reason, tuple[tuple[Place, float], ...], bool]
        ] = {}  # key -> reason, candidates, kept
        confident = self.settings.features.anchor_confidence
        fast = type(self.scorer) is LinearScorer and type(self.policy) is Policy
        remember = fast and not self._per_article  # a per-article source may give a surface other candidates
        decisions = self._decided
        fixed: dict[str, tuple[tuple[float, ...], tuple[int, ...]]] = {}  # key -> in_country, support (_fixed)
        for _pass in range(3):
            others: dict[str, tuple[float, ...]] = {}
            if _pass == 0:
                todo = weak
            elif _pass == 1:  # a container only a weak source knows was settled in the first pass
                todo = {k: weak[k] for k in inside if any(c in weak for c in inside[k])}
            else:  # the article's own geography: its confidently placed names anchor the rest
                sure: dict[str, Place] = {}
                for k in weak:
                    p, _, confidence = chosen[k]
                    if p is not None and confidence >= confident:
                        sure[k] = p
                todo = weak if sure else {}
                if sure:
                    nearer, others = self._nearer(rows, points, span, base_km if settled else None, sure)
                sure_countries = Counter(p.country for p in sure.values() if p.country)
                all_named = around.countries | set(sure_countries)
            for key, known in todo.items():
                containers: tuple[Place, ...] = (
                    tuple(
                        p
                        for c in inside[key]
                        if (p := chosen.get(c, (None,))[0]) is not None and p.kind in (*WIDE_KINDS, *AREA_KINDS)
                    )
                    if key in inside
                    else ()
                )
                nearby = base
                named = around.countries
                near = base_near[key]
                if _pass == 2:
                    # nearness to the settled places and every other confident name: to the nearest of
                    # them, the settled places' and the others' nearest, whichever is nearer
                    closer = others.get(key)
                    if closer is not None:
                        nearby, near = nearer, closer
                    own = sure.get(key)  # the countries of the other confident names, and the article's
                    c = own.country if own is not None else ""
                    gone = c and sure_countries[c] == 1 and c not in around.countries
                    named = all_named - {c} if gone else all_named
                state = (near, containers, bool(named))
                if last.get(key) == state:
                    continue  # what the choice depends on is as it was in the name's last pass: so is the choice
                last[key] = state
                group = by_surface[key]
                name = names.get(key)
                if name is None:
                    name = names[key] = self._name_features(group)
                if not fast:
                    chosen[key], why = self._choose_weak(
                        key,
                        list(known.places),
                        group,
                        around,
                        nearby,
                        containers,
                        named,
                        near,
                        name,
                        self._owns(key, list(known.places), group[0].surface),
                    )
                    if why is None:
                        rejected.pop(key, None)
                    else:
                        rejected[key] = (why.reason, why.candidates, why.kept)
                    continue
                # The default scorer and policy: the choice _choose_weak makes, remembered across articles
                # by what it depends on alone (names meet the same context in article after article): the
                # name (its candidates), its features, the nearness and containers of ``state``, the
                # namesakes' in_country and support (the same in every pass over the article), whether
                # nearness is measured at all and the countries named.
                static = fixed.get(key)
                if static is None:
                    static = fixed[key] = self._fixed(key, known, around)
                memo = (
                    (
                        known.surface if known.places else None,
                        name.evidence,
                        name.doubt,
                        state,
                        static,
                        bool(nearby),
                        tuple([c in named for c in known.countries]) if _pass == 2 else None,
                    )
                    if remember and (near is not None or not nearby)
                    else None
                )
                decided = decisions.get(memo) if memo is not None else None
                if decided is None:
                    decided = self._choose_known(key, known, static, nearby, containers, named, near, name)
                    if memo is not None:
                        if len(decisions) >= DECISIONS_KEPT:
                            decisions.clear()
                        decisions[memo] = decided
                chosen[key], why_not = decided
                if why_not is None:
                    rejected.pop(key, None)
                else:
                    rejected[key] = why_not
        kept: list[ResolvedMention] = []
        dropped: list[Dropped] = []
        for key, m in zip(keys, mentions):
            why_not = rejected.get(key)
            if why_not is not None:
                dropped.append(Dropped(m, *why_not))
                if not why_not[2]:
                    continue
            kept.append(ResolvedMention(m, *chosen[key]))
        return Resolution(tuple(kept), tuple(dropped))

    def _table(
        self,
        rows: KmRows | Distances,
        points: Sequence[tuple[str, float, float]],
        anchors: Sequence[tuple[str, float, float]],
    ) -> np.ndarray:
        """km from each of ``points`` (numbered as ``rows``) to each of ``anchors``."""
        if isinstance(rows, KmRows):
            return self._km.table(rows, anchors)
        return rows.points_table(points, anchors)

    def _nearer(
        self,
        rows: KmRows | Distances,
        points: Sequence[tuple[str, float, float]],
        span: Mapping[str, tuple[int, int]],
        settled: np.ndarray | None,
        sure: Mapping[str, Place],
    ) -> tuple[list[Place], dict[str, tuple[float, ...]]]:
        """The last pass's nearness: to the settled places (``settled``: each namesake's km to the nearest,
        if any) and the confidently placed names other than the name's own, for each weak name's namesakes
        (``points``, each name's at its ``span``), or None where no other confident name counts (nearness
        is then the earlier passes').

        The smallest and second smallest distance per namesake, so leaving one name out costs nothing."""
        listed = [(k, p) for k, p in sure.items() if p.kind not in WIDE_KINDS]
        places = [p for _, p in listed]
        out: dict[str, tuple[float, ...]] = {}
        if not listed or not points:
            return places, out
        table = self._table(rows, points, [_point(p) for p in places])
        first = table.argmin(axis=1)
        each = np.arange(len(table))
        smallest = table[each, first]
        rest = table.copy()
        rest[each, first] = np.inf
        second = rest.min(axis=1)
        own = np.full(len(table), -1, dtype=np.int64)  # the column of each namesake's own name, if listed
        for j, (k, _) in enumerate(listed):
            lo, hi = span[k]
            own[lo:hi] = j
        near = np.where(first == own, second, smallest)
        if settled is not None:
            near = np.minimum(settled, near)
        column = {k for k, _ in listed}
        every = near.tolist()
        for k, (lo, hi) in span.items():
            if hi > lo and len(places) - (k in column) > 0:
                out[k] = tuple(every[lo:hi])
        return places, out

    def _fixed(self, key: str, known: _Known, around: Neighbourhood) -> tuple[tuple[float, ...], tuple[int, ...]]:
        """The ``in_country`` and ``support`` of each of ``known``'s places as the namesakes of ``key`` in
        the article ``around`` describes (the same in each of its passes)."""
        countries = around.countries
        return (
            tuple([1.0 if c in countries else 0.0 for c in known.countries]),
            around.supports(known.cells, known.blocks, key, self.settings.features.support_cap),
        )

    def _choose_known(
        self,
        key: str,
        known: _Known,
        fixed: tuple[tuple[float, ...], tuple[int, ...]],
        nearby: Sequence[Place],
        containers: Sequence[Place],
        named: set[str],
        near: Sequence[float] | None,
        name: NameFeatures,
    ) -> tuple[Choice, tuple[Reason, tuple[tuple[Place, float], ...], bool] | None]:
        """:meth:`_choose_weak` for the default scorer and policy, the same choice (or why not: reason,
        candidates, kept): each namesake's features as a tuple (:func:`~nkmap.resolve.features.candidate_values`,
        from the features ``fixed`` for the article and those kept with the name) and its score, summed as
        ``score_values`` sums (the same terms in the same order, in one loop with the features)."""
        settings = self.settings.features
        near_km, near_context = settings.near_km, settings.near_context
        in_country, supported = fixed
        places = known.places
        scorer: LinearScorer = self.scorer  # type: ignore[assignment]
        terms = scorer.terms()
        values = []
        scores = []
        exp = math.exp
        for i, own in enumerate(known.owns(key, settings, self.capitals)):
            if nearby:
                close = exp(-(near[i] if near is not None else nearest_km(places[i], nearby)) / near_km)
            else:
                close = 0.0
            if containers:
                place = places[i]
                contained = 1.0 if any(inside(place, c, settings) for c in containers) else -1.0
            else:
                contained = 0.0
            ic, sup = in_country[i], supported[i]
            v = (
                own[0],
                ic,
                close,
                sup,
                own[1],
                own[2],
                own[3],
                contained,
                1.0 if ic and close <= near_context and not sup else 0.0,
            )
            values.append(v)
            if terms is None:
                scores.append(scorer.score_values(v))
            else:  # score_values, inlined: the same sum in the same order (float() of an int or float: the same product)
                total = 0.0
                for weight, j in terms:
                    total += weight * v[j]
                scores.append(total)
        n = len(values)
        if n == 0:
            verdict = self.policy.judge(name, None, bool(named))
            return (None, "unresolved", 0.0), (verdict.reason, (), verdict.kept)
        # best first, ties in namesake order: sorted by -score, as _choose_weak does (reverse sorting is stable too)
        if n == 1:
            order = [0]
        elif n == 2:
            order = [0, 1] if scores[0] >= scores[1] else [1, 0]
        else:
            order = sorted(range(n), key=scores.__getitem__, reverse=True)
        first = order[0]
        v = values[first]
        best = v
        if not v[1] and known.countries[first] in named:
            best = (v[0], 1.0, *v[2:])  # replace(best, in_country=1.0), as in _choose_weak
        verdict = self.policy.judge_values(name, best, bool(named))
        if not verdict.accepted:
            top = tuple([(places[i], round(scores[i], 3)) for i in order[:CANDIDATES_KEPT]])
            return (None, "unresolved", 0.0), (verdict.reason, top, verdict.kept)
        margin = scores[first] - scores[order[1]] if n > 1 else 1.0
        big = v[5] >= self.policy.limits["big_city"]
        place = places[first]
        return (place, place.origin, scorer.confidence_values(v, name, big, margin)), None

    def _name_features(self, mentions: Sequence[Mention]) -> NameFeatures:
        """:func:`~nkmap.resolve.features.name_features` of ``mentions``, remembered by the set of their cues
        (all it depends on)."""
        cues = frozenset([m.evidence.cue for m in mentions])
        name = self._names.get(cues)
        if name is None:
            name = self._names[cues] = name_features(mentions, self.settings.cue_strength)
        return name

    def _known(self, surface: str) -> _Known:
        """What the sources know of ``surface`` (:func:`_candidates`) and what follows from it alone,
        remembered across articles (unless a source answers per article)."""
        if self._per_article:
            return _Known(surface, *_candidates(surface, self.sources, self.settings.features.top_namesakes))
        known = self._knowns.get(surface)
        if known is None:
            if len(self._knowns) >= NAMES_KEPT:
                self._knowns.clear()
            places, taken = self.candidates(surface)
            known = self._knowns[surface] = _Known(surface, places, taken)
        return known

    def candidates(self, surface: str) -> tuple[list[Place], bool]:
        """:func:`_candidates` of ``surface`` over this resolver's sources, remembered across articles
        (unless a source answers per article)."""
        if self._per_article:
            return _candidates(surface, self.sources, self.settings.features.top_namesakes)
        hit = self._found.get(surface)
        if hit is None:
            places, taken = _candidates(surface, self.sources, self.settings.features.top_namesakes)
            hit = self._found[surface] = (tuple(places), taken)
        return list(hit[0]), hit[1]

    def _owns(self, key: str, places: list[Place], surface: str) -> list[tuple[float, float, int, float]]:
        """:func:`~nkmap.resolve.features.own_features` of each of ``places`` (the candidates of ``surface``),
        remembered with the candidates: they depend on the place and the name alone."""
        if self._per_article:
            return [own_features(p, key, self.settings.features, self.capitals) for p in places]
        owns = self._own.get(surface)
        if owns is None:
            owns = self._own[surface] = [own_features(p, key, self.settings.features, self.capitals) for p in places]
        return owns

    def _choose_curated(self, places: Sequence[Place], anchors: list[Place]) -> Choice:
        c = self.settings.curated
        if len(places) == 1:
            return places[0], places[0].origin, c["single"]
        if anchors:
            # Closest to what else the article names; ties fall back to the larger place.
            ranked = sorted(places, key=lambda p: (nearest_km(p, anchors), -(p.population or 0)))
            best, runner_up = nearest_km(ranked[0], anchors), nearest_km(ranked[1], anchors)
            margin = 1.0 - best / runner_up if runner_up else 0.0
            return ranked[0], "context", round(c["by_context_base"] + c["by_context_margin"] * margin, 3)
        ranked = sorted(places, key=lambda p: -(p.population or 0))
        return ranked[0], "population", c["by_population"]

    def _choose_weak(
        self,
        key: str,
        places: list[Place],
        mentions: list[Mention],
        around: Neighbourhood,
        nearby: list[Place],
        containers: Sequence[Place] = (),
        countries: set[str] | None = None,
        near: Sequence[float] | None = None,
        name: NameFeatures | None = None,
        owns: Sequence[tuple[float, float, int, float]] | None = None,
    ) -> tuple[Choice, Dropped | None]:
        """The best namesake by the scorer, if the policy accepts it; else why not (``near``: each
        place's ``nearest_km`` to ``nearby``, if known; ``name``: the name's features, if known; ``owns``:
        each place's ``own_features``, if known)."""
        if name is None:
            name = name_features(mentions, self.settings.cue_strength)
        scored: list[tuple[float, Place, CandidateFeatures | tuple]] = []
        settings, capitals = self.settings.features, self.capitals
        linear = type(self.scorer) is LinearScorer  # scored from plain tuples: one features object, the best's
        for i, p in enumerate(places):
            km = near[i] if near is not None else None
            own = owns[i] if owns is not None else None
            if linear:
                values = candidate_values(p, key, around, settings, nearby, capitals, containers, None, km, own)
                scored.append((self.scorer.score_values(values), p, values))  # type: ignore[attr-defined]
            else:
                features = candidate_features(p, key, around, settings, nearby, capitals, containers, None, km, own)
                scored.append((self.scorer.score(features), p, features))
        scored.sort(key=lambda s: -s[0])
        if linear and scored:
            scored[0] = (scored[0][0], scored[0][1], CandidateFeatures(*scored[0][2]))  # type: ignore[misc]
        best: CandidateFeatures | None = scored[0][2] if scored else None  # type: ignore[assignment]
        named = around.countries if countries is None else countries
        if best is not None and not best.in_country and scored[0][1].country in named:
            # the last pass counts the countries of the article's confident names as named (for the
            # policy only: scores and confidences stay as they were): a place in one is not abroad
            best = replace(best, in_country=1.0)
        verdict = self.policy.judge(name, best, bool(named))
        if not verdict.accepted:
            candidates = tuple((p, round(score, 3)) for score, p, _ in scored[:CANDIDATES_KEPT])
            return (None, "unresolved", 0.0), Dropped(mentions[0], verdict.reason, candidates, verdict.kept)
        score, place, features = scored[0]  # type: ignore[assignment]
        margin = score - scored[1][0] if len(scored) > 1 else 1.0
        big = features.population_count >= self.policy.limits["big_city"]
        return (place, place.origin, self.scorer.confidence(features, name, big, margin)), None


class _Known:
    """A name's candidates (``taken``: from a strong source, as found) and what the features read of each
    that depends on the place alone: its 1° cell, country and point, and :func:`own_features` (on demand)."""

    __slots__ = ("surface", "places", "taken", "cells", "blocks", "countries", "points", "in_range", "_owns")

    def __init__(self, surface: str, places: Sequence[Place], taken: bool) -> None:
        self.surface, self.places, self.taken = surface, tuple(places), taken
        self.cells = [_cell(p) for p in self.places]
        self.blocks = [_block(cell) for cell in self.cells]  # each cell and its neighbours: support's reach
        self.countries = [p.country for p in self.places]
        self.points = [_point(p) for p in self.places]
        self.in_range = all(map(_in_range, self.places))  # every coordinate one km() takes as it is
        self._owns: list[tuple[float, float, int, float]] | None = None

    def owns(
        self, key: str, settings: FeatureSettings, capitals: Mapping[str, str]
    ) -> list[tuple[float, float, int, float]]:
        """:func:`own_features` of each place, for the name ``key`` (this surface's)."""
        if self._owns is None:
            self._owns = [own_features(p, key, settings, capitals) for p in self.places]
        return self._owns


def _in_range(p: Place) -> bool:
    return abs(p.lat) <= 90 and abs(p.lon) <= 180


def _candidates(surface: str, sources: Iterable[NameSource], top: int) -> tuple[list[Place], bool]:
    """The places of the first strong source that knows ``surface`` (taken as found: True), or else the
    ``top`` first namesakes of every weak source, pooled in source order (False): GeoNames' village and
    an administrative area of the same name are weighed against each other, not shadowed by source order."""
    pooled: list[Place] = []
    seen: set[str] = set()
    for source in sources:
        strong = is_strong(source.tier)
        if strong and pooled:
            continue  # a weaker source answered first: strong answers only ever come first
        found = source.lookup(surface)
        if found and strong:
            return found, True
        for p in found[:top]:
            if p.id not in seen:
                seen.add(p.id)
                pooled.append(p)
    return pooled, False


def resolve_mentions(mentions: Sequence[Mention], sources: Sequence[NameSource]) -> list[ResolvedMention]:
    """The kept mentions of :class:`Resolver` with the default settings (for scripts and tests)."""
    return list(Resolver(sources)(None, mentions).mentions)
