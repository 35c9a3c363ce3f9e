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

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nkmap.model import Article, Dropped, Mention, Place, ResolvedMention
from nkmap.names import name_key
from nkmap.resolve.features import (
    Neighbourhood,
    candidate_features,
    name_features,
    nearest_km,
)
from nkmap.resolve.policy import Policy
from nkmap.resolve.scorer import ResolveSettings, Scorer
from nkmap.sources.base import NameSource, is_strong

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
    ) -> None:
        self.sources = tuple(sources)
        self.settings = settings or ResolveSettings.default()
        self.scorer: Scorer = scorer or self.settings.scorer
        self.policy = policy or Policy(self.settings.policy)

    def __call__(self, article: Article | None, mentions: Sequence[Mention]) -> Resolution:
        """Resolve the mentions of one article; the same name always gets the same place in it."""
        by_surface: dict[str, list[Mention]] = {}
        for m in mentions:
            by_surface.setdefault(name_key(m.surface), []).append(m)
        found = {key: _candidates(group[0].surface, self.sources) for key, group in by_surface.items()}
        strong = {k: places for k, (places, taken) in found.items() if places and taken}
        anchors = [places[0] for places in strong.values() if len(places) == 1]
        chosen: dict[str, Choice] = {key: self._choose_curated(places, anchors) for key, places in strong.items()}
        countries = {p.country for p, _, _ in chosen.values() if p is not None and p.country}
        settled = [p for p, _, _ in chosen.values() if p is not None and p.kind not in ("country", "continent")]
        top = self.settings.features.top_namesakes
        weak = {k: places[:top] for k, (places, _) in found.items() if k not in chosen}
        around = Neighbourhood(settled, countries, weak)
        rejected: dict[str, Dropped] = {}  # key -> the verdict, on the name's first mention
        for key, places in weak.items():
            chosen[key], why = self._choose_weak(key, places, by_surface[key], around, settled or anchors)
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
        self, key: str, places: list[Place], mentions: list[Mention], around: Neighbourhood, nearby: list[Place]
    ) -> tuple[Choice, Dropped | None]:
        """The best namesake by the scorer, if the policy accepts it; else why not."""
        name = name_features(mentions, self.settings.cue_strength)
        scored = []
        for p in places:
            features = candidate_features(p, key, around, self.settings.features, nearby)
            scored.append((self.scorer.score(features), p, features))
        scored.sort(key=lambda s: -s[0])
        best = scored[0][2] if scored else None
        verdict = self.policy.judge(name, best, bool(around.countries))
        if not verdict.accepted:
            candidates = tuple((p, round(score, 3)) for score, p, _ in scored[:CANDIDATES_KEPT])
            return (None, "unresolved", 0.0), Dropped(mentions[0], verdict.reason, candidates, verdict.kept)
        score, place, features = scored[0]
        margin = score - scored[1][0] if len(scored) > 1 else 1.0
        big = features.population_count >= self.policy.limits["big_city"]
        return (place, "geonames", self.scorer.confidence(features, name, big, margin)), None


def _candidates(surface: str, sources: Iterable[NameSource]) -> tuple[list[Place], bool]:
    """The places of the first source that knows ``surface``, and whether its tier is taken as found."""
    for source in sources:
        found = source.lookup(surface)
        if found:
            return found, is_strong(source.tier)
    return [], False


def resolve_mentions(mentions: Sequence[Mention], sources: Sequence[NameSource]) -> list[ResolvedMention]:
    """The kept mentions of :class:`Resolver` with the default settings (for scripts and tests)."""
    return list(Resolver(sources)(None, mentions).mentions)
