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

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from nkmap.model import AREA_KINDS, WIDE_KINDS, Article, Dropped, Mention, Place, ResolvedMention
from nkmap.names import name_key
from nkmap.resolve.features import (
    CandidateFeatures,
    Distances,
    NameFeatures,
    Neighbourhood,
    candidate_features,
    candidate_values,
    container_mentions,
    name_features,
    nearest_km,
    own_features,
)
from nkmap.resolve.policy import Policy
from nkmap.resolve.scorer import LinearScorer, ResolveSettings, Scorer
from nkmap.sources.base import NameSource, Tier, is_strong

CANDIDATES_KEPT = 3  # namesakes a Dropped reports, best first

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

    @property
    def capitals(self) -> Mapping[str, str]:
        """Country code → folded capital name (default: GeoNames' countries.json)."""
        if self._capitals is None:
            from nkmap.sources.countries import capitals

            self._capitals = capitals()
        return self._capitals

    def __call__(self, article: Article | None, mentions: Sequence[Mention]) -> Resolution:
        """Resolve the mentions of one article; the same name always gets the same place in it."""
        by_surface: dict[str, list[Mention]] = {}
        for m in mentions:
            by_surface.setdefault(name_key(m.surface), []).append(m)
        found = {key: self.candidates(group[0].surface) for key, group in by_surface.items()}
        strong = {k: places for k, (places, taken) in found.items() if places and taken}
        anchors = [places[0] for places in strong.values() if len(places) == 1]
        chosen: dict[str, Choice] = {key: self._choose_curated(places, anchors) for key, places in strong.items()}
        countries = {p.country for p, _, _ in chosen.values() if p is not None and p.country}
        settled = [p for p, _, _ in chosen.values() if p is not None and p.kind not in ("country", "continent")]
        weak = {k: places for k, (places, _) in found.items() if k not in chosen}
        around = Neighbourhood(settled, countries, weak)
        # Nearness to the article's places, for every namesake at once (one array per pass, not a
        # Python loop per namesake and place), and each name's own features, the same in every pass.
        distances = Distances(p for places in weak.values() for p in places)
        rows = {k: distances.rows(places) for k, places in weak.items()}
        names: dict[str, NameFeatures] = {}
        last: dict[str, tuple] = {}  # key -> what its last choice depended on (nearness, containers, countries)
        base = settled or anchors
        base_km = distances.table(base).min(axis=1) if base and len(distances) else None
        # "the X area of Y", "X, Y": the countries and regions the text puts each weak name in.
        inside: dict[str, set[str]] = {}
        if article is not None:
            for i, container in container_mentions(article.text, mentions).items():
                key = name_key(mentions[i].surface)
                if key in weak:
                    inside.setdefault(key, set()).add(name_key(container.surface))
        rejected: dict[str, Dropped] = {}  # key -> the verdict, on the name's first mention
        confident = self.settings.features.anchor_confidence
        for _pass in range(3):
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
                nearer = _Nearer(distances, settled, sure) if sure else None
                sure_countries = Counter(p.country for p in sure.values() if p.country)
                all_named = around.countries | set(sure_countries)
            for key, places in todo.items():
                containers = [
                    p
                    for c in inside.get(key, ())
                    if (p := chosen.get(c, (None,))[0]) is not None and p.kind in (*WIDE_KINDS, *AREA_KINDS)
                ]
                nearby = base
                named = around.countries
                near = base_km[rows[key]].tolist() if base_km is not None and places else None
                if _pass == 2:
                    # nearness to the settled places and every other confident name: to the nearest of
                    # them, the settled places' and the others' nearest, whichever is nearer
                    others = nearer.others(key, rows[key])  # type: ignore[union-attr]
                    if others is not None:
                        nearby, near = nearer.places, others.tolist()  # type: ignore[union-attr]  # others: non-empty
                    own = sure.get(key)  # the countries of the other confident names, and the article's
                    c = own.country if own is not None else ""
                    gone = c and sure_countries[c] == 1 and c not in around.countries
                    named = all_named - {c} if gone else all_named
                state = (tuple(near) if near is not None else None, tuple(containers), bool(named))
                if last.get(key) == state:
                    continue  # what the choice depends on is as it was in the name's last pass: so is the choice
                last[key] = state
                name = names.get(key) or names.setdefault(
                    key, name_features(by_surface[key], self.settings.cue_strength)
                )
                chosen[key], why = self._choose_weak(
                    key,
                    places,
                    by_surface[key],
                    around,
                    nearby,
                    containers,
                    named,
                    near,
                    name,
                    self._owns(key, places, by_surface[key][0].surface),
                )
                rejected.pop(key, None)
                if why is not None:
                    rejected[key] = why
        kept: list[ResolvedMention] = []
        dropped: list[Dropped] = []
        for m in mentions:
            key = name_key(m.surface)
            why = rejected.get(key)
            if why is not None:
                dropped.append(Dropped(m, why.reason, why.candidates, why.kept))
            if why is None or why.kept:
                kept.append(ResolvedMention(m, *chosen[key]))
        return Resolution(tuple(kept), tuple(dropped))

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

    def _choose_curated(self, places: list[Place], anchors: list[Place]) -> Choice:
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


class _Nearer:
    """The last pass's nearness: to the settled places and the confidently placed names other than
    the name's own (the smallest and second smallest distance per namesake, so leaving one name out
    costs nothing)."""

    def __init__(self, distances: Distances, settled: Sequence[Place], sure: Mapping[str, Place]) -> None:
        listed = [(k, p) for k, p in sure.items() if p.kind not in WIDE_KINDS]
        self.places = [p for _, p in listed]
        self._column = {k: j for j, (k, _) in enumerate(listed)}
        self._settled = distances.table(settled).min(axis=1) if settled else None
        table = distances.table(self.places) if listed else None
        if table is not None and len(distances):
            self._first = table.argmin(axis=1)
            self._min = table[np.arange(len(table)), self._first]
            rest = table.copy()
            rest[np.arange(len(table)), self._first] = np.inf
            self._second = rest.min(axis=1)

    def others(self, key: str, rows: list[int]) -> np.ndarray | None:
        """km from each namesake (of ``rows``) to the nearest settled place or other confident name,
        or None when no other confident name counts (nearness is then the earlier passes')."""
        j = self._column.get(key)
        if len(self.places) - (j is not None) == 0 or not rows:
            return None
        first = self._first[rows]
        near = self._min[rows] if j is None else np.where(first == j, self._second[rows], self._min[rows])
        return near if self._settled is None else np.minimum(self._settled[rows], near)


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
