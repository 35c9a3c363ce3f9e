"""Frozen data passed between the pipeline's stages.

No I/O and no third-party imports here: every stage takes these and returns new ones,
so each stage can be used, tested and replaced on its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from enum import StrEnum

# The place kinds, and the groups every stage and output uses (one definition: the web page and
# the static map take their groups from here).
KINDS = ("city", "town", "village", "district", "province", "region", "country", "continent", "feature")
KIND_GROUPS = {  # legend group -> kinds, in legend order
    "settlement": ("city", "town", "village"),
    "region": ("district", "province", "region"),
    "country": ("country", "continent"),
    "feature": ("feature",),
}
WIDE_KINDS = KIND_GROUPS["country"]  # shaded as areas, not drawn as points, not anchors for nearness
AREA_KINDS = KIND_GROUPS["region"]


def kind_group(kind: str) -> str:
    """The legend group of a place kind ("village" -> "settlement"); unknown kinds count as features."""
    return next((g for g, kinds in KIND_GROUPS.items() if kind in kinds), "feature")


@dataclass(frozen=True, slots=True)
class Place:
    """A point a name can resolve to, from the curated gazetteer or GeoNames.

    ``lat``/``lon`` are named on purpose: GeoJSON and shapely want ``[lon, lat]``,
    folium and geopy want ``(lat, lon)``; the conversion happens in one place per format.
    """

    id: str
    name: str
    lat: float
    lon: float
    kind: str = "place"  # city, town, village, region, country, continent, ...
    country: str = ""  # ISO 3166-1 alpha-2, "" where none applies
    population: int | None = None
    geonameid: int | None = None
    aliases: tuple[str, ...] = ()
    source: str = ""  # where the coordinate was read: "geonames:616052", a URL, ...
    origin: str = "gazetteer"  # which source answered: "gazetteer" or "geonames"
    shared_name: bool = False  # the curator says another place may carry the same alias


@dataclass(frozen=True, slots=True)
class Article:
    """One article as read: ``text`` is kept exactly as decoded, offsets index into it."""

    name: str  # file name: the stable key in every output
    path: str
    text: str
    title: str = ""
    outlet: str = ""
    url: str = ""
    date: date | None = None
    date_source: str = ""  # "metadata" (front matter or sidecar), "text", or "" when undated
    dateline: str = ""  # the place the report was filed from, as written ("MOSKOW")
    dateline_at: tuple[int, int] | None = None  # its offsets in text, (-1, -1) for none; None: not looked for
    language: str = ""  # ISO 639-1 code, detected or from metadata; "" when unknown


class Cue(StrEnum):
    """What the text around a candidate name says about it (recognition finds it, resolution weighs it)."""

    NONE = ""  # nothing either way
    PLACE_WORD = "place word"  # a place word before or after it: "kota X", "the village of X", "X Oblast"
    DATELINE = "dateline"  # it opens the report's dateline ("MOSKOW -")
    WEAK_WORD = "weak word"  # a preposition-like word before it: "di X", "in X"
    SENTENCE_OPENER = "sentence opener"  # doubt: it opens a sentence, where every word is capitalised
    IN_NAME = "in a capitalised run"  # doubt: it ends or starts a longer capitalised name (a person, a body)


DOUBTS = frozenset({Cue.SENTENCE_OPENER, Cue.IN_NAME})


@dataclass(frozen=True, slots=True)
class Evidence:
    """The recogniser's evidence for one mention: a :class:`Cue` and the word that gave it, if any."""

    cue: Cue = Cue.NONE
    word: str = ""  # the place or weak word, folded ("kota", "village of", "di"); "" otherwise

    @property
    def doubtful(self) -> bool:
        return self.cue in DOUBTS


NO_EVIDENCE = Evidence()


@dataclass(frozen=True, slots=True)
class Mention:
    """A place name found in an article: ``text[start:end] == surface``."""

    article: str
    start: int
    end: int
    surface: str  # as written: "Moskow", "MOSKOW", "Jenewa"
    sentence: str  # the excerpt shown in the popup
    sentence_start: int = 0  # offset of ``sentence`` in the article text
    evidence: Evidence = NO_EVIDENCE  # what the text around it says (a place word, the dateline, a doubt)

    @property
    def trigger(self) -> str:
        """The word that marks it as a place ("kota", "di", "village of", "dateline"), or ""."""
        return "dateline" if self.evidence.cue is Cue.DATELINE else self.evidence.word


@dataclass(frozen=True, slots=True)
class ResolvedMention:
    """A mention and the place chosen for it; ``place`` None means unresolved, never dropped."""

    mention: Mention
    place: Place | None
    method: str  # why this place: "gazetteer", "context", "geonames", "unresolved"
    confidence: float = 0.0  # in [0, 1]
    role: str = ""  # what the place does in the sentence: "dateline", "speaker", "event", "" (see roles.py)


class Reason(StrEnum):
    """Why a candidate name was not mapped (or was mapped with doubt): shown in review.csv."""

    COMMON_WORD = "common word"
    PERSON = "person name"
    ORGANISATION = "organisation"
    NO_EVIDENCE = "no evidence"
    FOREIGN_NAMESAKE = "foreign namesake"
    SENTENCE_OPENER = "doubtful sentence opener"
    IN_NAME = "inside a longer name"
    BELOW_THRESHOLD = "below threshold"
    NOT_IN_SOURCES = "no source knows it"
    CORRECTION = "not a place (correction)"
    LOW_CONFIDENCE = "low confidence"
    OUTSIDE_CONTAINER = "outside the place the text puts it in"  # "the X area of Y", no X lies in Y
    # The recogniser's own verdicts (recognize/scan.py), on names some source knows:
    STOP_WORD = "stop word"  # "The", "Kecamatan": a word of the lists, not a name
    DEMONYM = "demonym"  # "Sudanese", "Rusia" as a people's word
    ACRONYM = "acronym"  # "BBC", "TNI": capitals only, far more often a body than a place
    TOO_SHORT = "too short"  # fewer than 3 letters


@dataclass(frozen=True, slots=True)
class Dropped:
    """A candidate the pipeline considered and did not map, with the policy's reason.

    ``candidates`` are the best places it weighed, with their scores, best first (may be empty).
    Never silently lost: every Dropped reaches review.csv. ``kept``: the mention also stays in
    ``GeoparseResult.mentions`` as unresolved (``place`` None, listed in review.csv); otherwise
    the policy judged it most likely no place name at all and it is only here.
    """

    mention: Mention
    reason: Reason
    candidates: tuple[tuple[Place, float], ...] = ()
    kept: bool = False


@dataclass(frozen=True, slots=True)
class PlaceSummary:
    """A place with the mentions that name it, in article order: one marker on the map."""

    place: Place
    mentions: tuple[ResolvedMention, ...]

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.mention.article for m in self.mentions))


@dataclass(frozen=True, slots=True)
class GeoparseResult:
    """Everything the outputs are made of: the articles and every mention found in them."""

    articles: tuple[Article, ...]
    mentions: tuple[ResolvedMention, ...]
    places: tuple[PlaceSummary, ...] = field(default=())
    dropped: tuple[Dropped, ...] = field(default=())  # candidates considered and not mapped

    @classmethod
    def of(
        cls, articles: Iterable[Article], mentions: Iterable[ResolvedMention], dropped: Iterable[Dropped] = ()
    ) -> GeoparseResult:
        """The result of these articles and mentions, with its place summaries built here."""
        mentions = tuple(mentions)
        return cls(tuple(articles), mentions, summarise(mentions), tuple(dropped))

    @property
    def resolved(self) -> tuple[ResolvedMention, ...]:
        return tuple(m for m in self.mentions if m.place is not None)

    @property
    def unresolved(self) -> tuple[ResolvedMention, ...]:
        return tuple(m for m in self.mentions if m.place is None)


@dataclass(frozen=True, slots=True)
class BuildCounts:
    """What a build found, counted (the summary the CLI prints): all a streamed build keeps of its result."""

    articles: int
    mentions: int
    places: int
    unresolved: int
    awaiting: int  # review rows awaiting a decision (see nkmap.outputs.review.awaiting_review)


def summarise(mentions: Iterable[ResolvedMention]) -> tuple[PlaceSummary, ...]:
    """One summary per resolved place, most mentioned first (ties by name)."""
    by_place: dict[str, list[ResolvedMention]] = {}
    places = {}
    for rm in mentions:
        if rm.place is not None:
            by_place.setdefault(rm.place.id, []).append(rm)
            places[rm.place.id] = rm.place
    ordered = sorted(by_place, key=lambda pid: (-len(by_place[pid]), places[pid].name))
    return tuple(PlaceSummary(places[pid], tuple(by_place[pid])) for pid in ordered)


def _pickled_as_fields(cls: type) -> None:
    """Make ``cls`` pickle as ``cls(*fields)``: the worker processes send millions of these back.

    A frozen slotted dataclass otherwise pickles through the ``__getstate__``/``__setstate__`` that
    ``dataclasses`` writes in Python (a ``fields()`` call per object): 10 MB of news took 1.1 s to
    pickle and 0.7 s to unpickle that way, 0.6 s and 0.3 s this way. Every field is an ``__init__``
    argument, so ``cls(*fields)`` is the same object again.
    """
    from operator import attrgetter

    values = attrgetter(*(f.name for f in fields(cls)))

    def __reduce__(self: object) -> tuple[type, tuple[object, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[method-assign,assignment]


for _cls in (Place, Article, Evidence, Mention, ResolvedMention, Dropped, PlaceSummary, GeoparseResult):
    _pickled_as_fields(_cls)
