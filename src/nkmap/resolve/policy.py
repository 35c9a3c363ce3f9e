"""Accept, doubt or reject the best namesake of a weak name: a table of rules, each with a reason.

A name only a weak source (GeoNames) knows is a guess among namesakes, so it must earn its
place. The first rule whose case applies decides: the best namesake is accepted when the rule's
test passes; otherwise the mention is rejected with the rule's :class:`~nkmap.model.Reason`,
and either kept as unresolved (reported in review.csv) or dropped as most likely no place
name at all (reported only in ``GeoparseResult.dropped``). Thresholds are ``policy`` in
``data/resolve.json``.

================================ ==================================================== ================ ======
case                             accepted when                                        reason           kept
================================ ==================================================== ================ ======
every mention in a capitalised   ≥ ``support_many`` neighbours and ≥ ``small_town``   IN_NAME          no
run                              people
every mention doubtful           a big city, or context and ≥ ``small_town`` people,  SENTENCE_OPENER  no
                                 or ≥ ``support_many`` neighbours
put in a country or region where never                                                OUTSIDE_CONT...  yes
no namesake lies ("X area of Y")
a namesake abroad                a big city                                           FOREIGN_NAMESAKE yes
any other name                   a big city, a place word or dateline, context, or a  NO_EVIDENCE      yes
                                 weak word and ≥ ``small_town`` people
no source knows it (doubtful)    never                                                NOT_IN_SOURCES   no
no source knows it               never                                                NOT_IN_SOURCES   yes
================================ ==================================================== ================ ======

*Big city*: ≥ ``big_city`` people. *Context*: in a country the article names, ``near`` above
``near_context``, or a neighbour. *Abroad*: the article names countries and this namesake has
no context.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from nkmap.model import Cue, Reason
from nkmap.resolve.features import CandidateFeatures, NameFeatures


@dataclass(frozen=True, slots=True)
class Case:
    """What the policy knows of a name and its best namesake."""

    name: NameFeatures
    best: CandidateFeatures | None  # None: no source knows the name
    names_countries: bool  # the article's curated names settle at least one country
    limits: Mapping[str, float]

    @property
    def population(self) -> int:
        return self.best.population_count if self.best else 0

    @property
    def big(self) -> bool:
        return self.population >= self.limits["big_city"]

    @property
    def context(self) -> bool:
        b = self.best
        return b is not None and (bool(b.in_country) or b.near > self.limits["near_context"] or b.support > 0)

    @property
    def foreign(self) -> bool:
        return self.names_countries and not self.context

    @property
    def support(self) -> int:
        return self.best.support if self.best else 0


@dataclass(frozen=True, slots=True)
class Rule:
    case: str  # when the rule applies, in words
    applies: Callable[[Case], bool]
    accept: Callable[[Case], bool]
    reason: Reason
    kept: bool  # a rejected mention stays as unresolved (True) or is dropped (False)


def _town(c: Case) -> bool:
    return c.population >= c.limits["small_town"]


def _many(c: Case) -> bool:
    return c.support >= c.limits["support_many"]


def _never(c: Case) -> bool:
    return False


RULES: tuple[Rule, ...] = (
    Rule(
        "no source knows it, every mention doubtful",
        lambda c: c.best is None and c.name.doubt is not None,
        _never,
        Reason.NOT_IN_SOURCES,
        kept=False,
    ),
    Rule("no source knows it", lambda c: c.best is None, _never, Reason.NOT_IN_SOURCES, kept=True),
    Rule(
        "every mention inside a capitalised run (a person, an organisation)",
        lambda c: c.name.doubt is Cue.IN_NAME,
        lambda c: _many(c) and _town(c),
        Reason.IN_NAME,
        kept=False,
    ),
    Rule(
        "every mention doubtful (a sentence opener)",
        lambda c: c.name.doubt is not None,
        lambda c: c.big or (c.context and _town(c)) or _many(c),
        Reason.SENTENCE_OPENER,
        kept=False,
    ),
    Rule(
        "the text puts it in a country or region where no namesake lies",
        lambda c: c.best is not None and c.best.contained < 0,
        _never,
        Reason.OUTSIDE_CONTAINER,
        kept=True,
    ),
    Rule("a namesake abroad", lambda c: c.foreign, lambda c: c.big, Reason.FOREIGN_NAMESAKE, kept=True),
    Rule(
        "any other name",
        lambda c: True,
        lambda c: c.big or c.name.evidence >= 1.0 or c.context or (c.name.evidence > 0 and _town(c)),
        Reason.NO_EVIDENCE,
        kept=True,
    ),
)


@dataclass(frozen=True, slots=True)
class Verdict:
    accepted: bool
    rule: Rule

    @property
    def reason(self) -> Reason:
        return self.rule.reason

    @property
    def kept(self) -> bool:
        return self.accepted or self.rule.kept


class Policy:
    """The first rule of ``rules`` that applies decides (see the module docstring)."""

    def __init__(self, limits: Mapping[str, float], rules: tuple[Rule, ...] = RULES) -> None:
        self.limits = dict(limits)
        self.rules = rules
        self._verdicts: dict[tuple[int, bool], Verdict] = {}  # (rule's place, accepted) -> the (frozen) verdict

    def judge(self, name: NameFeatures, best: CandidateFeatures | None, names_countries: bool) -> Verdict:
        if self.rules is RULES:  # the resolver asks this for every weak name: the default table, as plain code
            i, accepted = _default_rule(name, best, names_countries, self.limits)
        else:
            i, accepted = self._first(Case(name, best, names_countries, self.limits))
        rule = self.rules[i]
        verdict = self._verdicts.get((i, accepted))
        if verdict is None or verdict.rule is not rule:
            verdict = self._verdicts[(i, accepted)] = Verdict(accepted, rule)
        return verdict

    def judge_values(self, name: NameFeatures, best: tuple, names_countries: bool) -> Verdict:
        """:meth:`judge` of a best namesake given as its features' tuple (``features.candidate_values``)."""
        if (
            self.rules is RULES
        ):  # the fields' order: population, in_country, near, support, _, population_count, _, contained
            i, accepted = _default_case(name, best[5], best[3], best[1], best[2], best[7], names_countries, self.limits)
            rule = RULES[i]
            verdict = self._verdicts.get((i, accepted))
            if verdict is None or verdict.rule is not rule:
                verdict = self._verdicts[(i, accepted)] = Verdict(accepted, rule)
            return verdict
        return self.judge(name, CandidateFeatures(*best), names_countries)

    def _first(self, case: Case) -> tuple[int, bool]:
        """The place of the first rule that applies to ``case``, and whether it accepts."""
        for i, rule in enumerate(self.rules):
            if rule.applies(case):
                return i, rule.accept(case)
        raise StopIteration("no rule applies")  # as next() over the rules would


def _default_rule(
    name: NameFeatures, best: CandidateFeatures | None, names_countries: bool, limits: Mapping[str, float]
) -> tuple[int, bool]:
    """The place in :data:`RULES` of the first rule that applies, and whether it accepts: each rule's case and
    test, in the table's order, without a :class:`Case` and a call per property (tests check it against RULES)."""
    if best is None:
        return (0 if name.doubt is not None else 1), False
    return _default_case(
        name, best.population_count, best.support, best.in_country, best.near, best.contained, names_countries, limits
    )


def _default_case(
    name: NameFeatures,
    population: int,
    support: int,
    in_country: float,
    near: float,
    contained: float,
    names_countries: bool,
    limits: Mapping[str, float],
) -> tuple[int, bool]:
    """:func:`_default_rule` of a best namesake given as the features the rules read."""
    doubt = name.doubt
    if doubt is Cue.IN_NAME:
        return 2, support >= limits["support_many"] and population >= limits["small_town"]
    big = population >= limits["big_city"]
    context = bool(in_country) or near > limits["near_context"] or support > 0
    if doubt is not None:
        return 3, big or (context and population >= limits["small_town"]) or support >= limits["support_many"]
    if contained < 0:
        return 4, False
    if names_countries and not context:
        return 5, big
    evidence = name.evidence
    return 6, big or evidence >= 1.0 or context or (evidence > 0 and population >= limits["small_town"])
