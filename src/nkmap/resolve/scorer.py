"""Weigh a candidate's features into one score: a linear scorer whose weights are data.

The weights live in ``data/resolve.json`` (``score`` ranks namesakes, ``confidence`` says how sure
the chosen one is); ``bench/fit.py`` refits them on the dev set. Anything with the same two
methods can replace :class:`LinearScorer` (``Resolver(scorer=...)``).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Protocol

from nkmap.datafiles import packaged_json
from nkmap.resolve.features import FEATURE_NAMES, CandidateFeatures, FeatureSettings, NameFeatures


class Scorer(Protocol):
    def score(self, features: CandidateFeatures) -> float:
        """Rank namesakes: higher is better."""
        ...

    def confidence(self, features: CandidateFeatures, name: NameFeatures, big: bool, margin: float) -> float:
        """How sure the choice of this namesake is, in [0, 1]."""
        ...


@dataclass(frozen=True, slots=True)
class LinearScorer:
    """``score = Σ weight · feature``; ``confidence = bias + Σ weight · term``, clamped.

    Terms of the confidence: the candidate's features, the name's ``evidence``, ``big`` (a city
    the policy needs no evidence for), ``margin`` (its lead over the runner-up, at most 1) and
    ``doubtful`` (1 when the recogniser doubted every mention).
    """

    weights: tuple[tuple[str, float], ...]
    confidence_weights: tuple[tuple[str, float], ...]
    bias: float
    low: float
    high: float
    _weights: tuple[float, ...] = field(init=False, repr=False, compare=False)
    _values: Callable[[CandidateFeatures], tuple] = field(init=False, repr=False, compare=False)
    _index: tuple[int, ...] | None = field(init=False, repr=False, compare=False)
    _terms: tuple[tuple[float, int], ...] | None = field(init=False, repr=False, compare=False)
    _confidence: tuple[tuple[float, int, int], ...] | None = field(init=False, repr=False, compare=False)

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LinearScorer:
        unknown = set(data["score"]) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"resolve.json: 'score': unknown features {sorted(unknown)}; known: {FEATURE_NAMES}")
        conf = dict(data["confidence"])
        bias, low, high = conf.pop("bias"), conf.pop("min"), conf.pop("max")
        return cls(tuple(data["score"].items()), tuple(conf.items()), bias, low, high)

    def score(self, features: CandidateFeatures) -> float:
        total = 0.0  # the same sum in the same order as ``Σ weight · features.value(name)``, without a call per term
        for weight, value in zip(self._weights, self._values(features)):
            total += weight * float(value)
        return total

    def __post_init__(self) -> None:
        object.__setattr__(self, "_weights", tuple(weight for _, weight in self.weights))
        object.__setattr__(self, "_values", _values(tuple(name for name, _ in self.weights)))
        order = [f.name for f in fields(CandidateFeatures)]
        names = [name for name, _ in self.weights]
        object.__setattr__(self, "_index", tuple(map(order.index, names)) if set(names) <= set(order) else None)
        object.__setattr__(self, "_terms", tuple(zip(self._weights, self._index)) if self._index is not None else None)
        # each confidence weight with the place of its term among the name's (confidence_values) or else its field's
        name_terms = ("evidence", "big", "margin", "doubtful")
        conf = [
            (w, name_terms.index(t) if t in name_terms else -1, order.index(t) if t in order else -1)
            for t, w in self.confidence_weights
        ]
        known = all(term >= 0 or field_index >= 0 for _, term, field_index in conf)
        object.__setattr__(self, "_confidence", tuple(conf) if known else None)

    def score_values(self, values: tuple) -> float:
        """:meth:`score` of the features given as a tuple in the fields' order (``features.candidate_values``):
        the same sum in the same order, without a features object per namesake."""
        if self._index is None:
            return self.score(CandidateFeatures(*values))
        total = 0.0
        for weight, i in zip(self._weights, self._index):
            total += weight * float(values[i])
        return total

    def terms(self) -> tuple[tuple[float, int], ...] | None:
        """(weight, index in the features' order) of each term of :meth:`score_values`, in its order (None
        when a weighed name is no field: then only :meth:`score` knows the sum)."""
        return self._terms

    def confidence_values(self, values: tuple, name: NameFeatures, big: bool, margin: float) -> float:
        """:meth:`confidence` of the features given as a tuple in the fields' order: the same sum in the same
        order, without a features object."""
        if self._confidence is None:
            return self.confidence(CandidateFeatures(*values), name, big, margin)
        terms = (name.evidence, float(big), min(margin, 1.0), 1.0 if name.doubt is not None else 0.0)
        total = self.bias
        for weight, term, field_index in self._confidence:
            total += weight * (terms[term] if term >= 0 else float(values[field_index]))
        return round(min(max(total, self.low), self.high), 3)

    def confidence(self, features: CandidateFeatures, name: NameFeatures, big: bool, margin: float) -> float:
        terms = {
            "evidence": name.evidence,
            "big": float(big),
            "margin": min(margin, 1.0),
            "doubtful": 1.0 if name.doubt is not None else 0.0,
        }
        total = self.bias
        for term, weight in self.confidence_weights:
            total += weight * (terms[term] if term in terms else features.value(term))
        return round(min(max(total, self.low), self.high), 3)


@functools.cache
def _values(names: tuple[str, ...]) -> Callable[[CandidateFeatures], tuple]:
    """The features ``names`` of a candidate, as a tuple, in one C-speed call."""
    get = operator.attrgetter(*names) if names else (lambda _: ())
    return get if len(names) != 1 else (lambda f: (get(f),))


@dataclass(frozen=True, slots=True)
class ResolveSettings:
    """Everything in ``data/resolve.json``, parsed once."""

    features: FeatureSettings
    scorer: LinearScorer
    cue_strength: dict[str, float]
    curated: dict[str, float]
    policy: dict[str, float]

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> ResolveSettings:
        features = FeatureSettings(**data["features"])
        return cls(
            features=features,
            scorer=LinearScorer.from_data(data),
            cue_strength=dict(data["cue_strength"]),
            curated=dict(data["curated"]),
            policy={**data["policy"], "near_context": features.near_context},  # one definition, in "features"
        )

    @classmethod
    @functools.cache
    def default(cls) -> ResolveSettings:
        return cls.from_data(packaged_json("resolve.json"))
