"""``review.csv``: every name nkmap doubted or did not map, so nothing disappears silently.

One row per name and reason (names folded: "Tula" and "TULA" are one row), with its count, the
articles, an example sentence, and the best places the pipeline weighed with their scores:

| status | what |
|---|---|
| ``dropped`` | a candidate the policy rejected as most likely no place name (``reason``: common word, person name, ...) |
| ``unresolved`` | a place-like name kept on the record but not placed (``reason``: no evidence, no source knows it, ...) |
| ``low confidence`` | mapped, but with confidence below :data:`LOW_CONFIDENCE`: check the place |
| ``corrected`` | dropped because your corrections say it is not a place: already reviewed |

The first three are the names *awaiting review* (:func:`awaiting_review`, also in the build summary
and the map's review panel). The rows come only from what the pipeline already decided (the
result's ``dropped`` and its mentions): writing them never loads a name source.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nkmap.infra import atomic
from nkmap.model import Dropped, GeoparseResult, Mention, Place, Reason, ResolvedMention
from nkmap.names import name_key

NO_EVIDENCE = str(Reason.NO_EVIDENCE)

FILE_NAME = "review.csv"
COLUMNS = ("status", "candidate", "reason", "count", "articles", "example", "candidates", "place_id", "confidence")
LOW_CONFIDENCE = 0.6  # a mapped name below this is listed for review and drawn differently on the map
CANDIDATES = 3  # best places shown per row
STATUSES = ("dropped", "unresolved", "low confidence", "corrected")  # in the order rows are listed
AWAITING = frozenset(STATUSES[:3])


@dataclass(frozen=True, slots=True)
class ReviewRow:
    """One name (folded) with one status and reason, and everything needed to decide about it."""

    status: str
    candidate: str  # as first written
    reason: str
    mentions: tuple[Mention, ...]
    candidates: tuple[tuple[Place, float], ...] = ()
    place: Place | None = None  # the mapped place (low confidence rows)
    confidence: float | None = None

    @property
    def count(self) -> int:
        return len(self.mentions)

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.article for m in self.mentions))

    @property
    def example(self) -> str:
        return self.mentions[0].sentence

    @property
    def awaiting(self) -> bool:
        return self.status in AWAITING


@dataclass(frozen=True, slots=True)
class ReviewTally:
    """A :class:`ReviewRow` as a streamed build keeps it (:class:`ReviewTallies`): its count, its
    articles and its first mention's sentence instead of every mention. Written the same way."""

    status: str
    candidate: str
    reason: str
    count: int
    articles: tuple[str, ...]
    example: str
    candidates: tuple[tuple[Place, float], ...] = ()
    place: Place | None = None
    confidence: float | None = None

    @property
    def awaiting(self) -> bool:
        return self.status in AWAITING


Row = ReviewRow | ReviewTally


def add_article_once(articles: list[str], row: object, article: str, met: set[tuple[object, str]]) -> None:
    """``article`` appended to a row's ``articles`` unless it is there. An article's mentions all come in
    one batch, so ``met``, the (row, article) pairs of the batch (emptied with each), is all that needs
    asking; most mentions name the article the row was last met in, and ask nothing."""
    if articles and articles[-1] == article:
        return
    pair = (row, article)
    if pair not in met:
        met.add(pair)
        articles.append(article)


class _Group:
    """What a streamed build keeps of one review row while the articles come."""

    __slots__ = ("first", "count", "articles", "best", "place", "confidence")

    def __init__(self, first: Mention) -> None:
        self.first = first
        self.count = 0
        self.articles: list[str] = []  # in the order first met, each once (a list: ~10 bytes a name, not ~60)
        self.best: dict[str, tuple[Place, float]] = {}
        self.place: Place | None = None
        self.confidence: float = 0.0


class ReviewTallies:
    """The rows of :func:`review_rows`, gathered a batch of articles at a time (the streamed build):
    per row its count, articles, first mention and best places, not every mention.

    :meth:`rows` gives the rows ``review_rows`` gives for the whole result, in the same order, as
    long as each article's drops come in the same batch as its mentions (as geoparsing gives them).
    """

    def __init__(self, low_confidence: float = LOW_CONFIDENCE) -> None:
        self.low_confidence = low_confidence
        self._dropped: dict[tuple[str, str, str], _Group] = {}  # the rows that drops start, in their order
        self._mentions: dict[tuple[str, str, str], _Group] = {}  # ... and the mentions, after them
        self._reasons: dict[object, str] = {}  # a drop's reason -> its text
        self._fresh: set[tuple[object, str]] = set()  # (group, article) met in this batch (its articles' only one)

    def add(self, mentions: Iterable[ResolvedMention], dropped: Iterable[Dropped]) -> None:
        self._fresh.clear()
        seen: set[tuple[str, int, int]] = set()
        reasons = self._reasons
        for d in dropped:
            m = d.mention
            status = "corrected" if d.reason == Reason.CORRECTION else "unresolved" if d.kept else "dropped"
            reason = reasons.get(d.reason)
            if reason is None:
                reason = reasons[d.reason] = str(d.reason)
            group = self._group(self._dropped, (status, name_key(m.surface), reason), m)
            best = group.best
            for place, score in d.candidates:
                if place.id not in best or score > best[place.id][1]:
                    best[place.id] = (place, score)
            seen.add((m.article, m.start, m.end))
        low = self.low_confidence
        for rm in mentions:
            m = rm.mention
            if rm.place is None:
                if (m.article, m.start, m.end) not in seen:
                    self._group(self._mentions, ("unresolved", name_key(m.surface), NO_EVIDENCE), m)
            elif rm.confidence < low:
                group = self._group(self._mentions, ("low confidence", name_key(m.surface), rm.place.id), m)
                if group.place is None:
                    group.place, group.confidence = rm.place, rm.confidence
                else:
                    group.confidence = max(group.confidence, rm.confidence)

    def _group(self, groups: dict[tuple[str, str, str], _Group], key: tuple[str, str, str], m: Mention) -> _Group:
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(m)
        group.count += 1
        add_article_once(group.articles, id(group), m.article, self._fresh)
        return group

    def rows(self) -> list[ReviewTally]:
        rows = []
        for key in [*self._dropped, *(k for k in self._mentions if k not in self._dropped)]:
            status, _, reason = key
            parts = [g for g in (self._dropped.get(key), self._mentions.get(key)) if g is not None]
            first = parts[0].first
            count = sum(g.count for g in parts)
            articles = tuple(dict.fromkeys(a for g in parts for a in g.articles))
            if status == "low confidence":
                group = parts[0]
                best = ((group.place, group.confidence),)
                rows.append(
                    ReviewTally(
                        status,
                        first.surface,
                        str(Reason.LOW_CONFIDENCE),
                        count,
                        articles,
                        first.sentence,
                        best,  # type: ignore[arg-type]
                        group.place,
                        group.confidence,
                    )
                )
            else:
                best_of = sorted(parts[0].best.values(), key=lambda ps: (-ps[1], ps[0].name))[:CANDIDATES]
                rows.append(ReviewTally(status, first.surface, reason, count, articles, first.sentence, tuple(best_of)))
        rows.sort(key=lambda r: (STATUSES.index(r.status), -r.count, name_key(r.candidate), r.reason))
        return rows


_last: tuple[GeoparseResult, float, tuple[ReviewRow, ...]] | None = None  # the rows of the last result asked for


def review_rows(result: GeoparseResult, low_confidence: float = LOW_CONFIDENCE) -> list[ReviewRow]:
    """Every candidate ``result`` did not map, and every mapped name below ``low_confidence``.

    A build asks three times for the same result (``review.csv``, the map's review panel, the
    summary line): the rows of the last result are kept (results and rows are frozen) and
    given again.

    Candidates come from ``result.dropped`` (with the reason and the places the pipeline weighed;
    ``kept`` ones are ``unresolved``, the others ``dropped``); a mention left unresolved (``place``
    None) that is not also in ``dropped`` is listed with reason "no evidence". Rows are grouped by status, folded name and reason (low-confidence
    rows by folded name and place), most frequent first.
    """
    global _last
    if _last is not None and _last[0] is result and _last[1] == low_confidence:
        return list(_last[2])
    rows = _review_rows(result, low_confidence)
    _last = (result, low_confidence, tuple(rows))
    return rows


def _review_rows(result: GeoparseResult, low_confidence: float) -> list[ReviewRow]:
    groups: dict[tuple[str, str, str], list] = {}
    seen: set[tuple[str, int, int]] = set()
    for d in result.dropped:
        status = "corrected" if d.reason == Reason.CORRECTION else "unresolved" if d.kept else "dropped"
        groups.setdefault((status, name_key(d.mention.surface), str(d.reason)), []).append((d.mention, d.candidates))
        seen.add((d.mention.article, d.mention.start, d.mention.end))
    for rm in result.mentions:
        m = rm.mention
        if rm.place is None:
            if (m.article, m.start, m.end) not in seen:
                groups.setdefault(("unresolved", name_key(m.surface), str(Reason.NO_EVIDENCE)), []).append((m, ()))
        elif rm.confidence < low_confidence:
            key = ("low confidence", name_key(m.surface), rm.place.id)
            groups.setdefault(key, []).append((m, ((rm.place, rm.confidence),)))
    rows = []
    for (status, _, reason), items in groups.items():
        mentions = tuple(m for m, _ in items)
        if status == "low confidence":
            place = items[0][1][0][0]
            confidence = max(score for _, ((_, score),) in items)
            rows.append(
                ReviewRow(
                    status,
                    mentions[0].surface,
                    str(Reason.LOW_CONFIDENCE),
                    mentions,
                    ((place, confidence),),
                    place,
                    confidence,
                )
            )
        else:
            rows.append(ReviewRow(status, mentions[0].surface, reason, mentions, _best(c for _, c in items)))
    rows.sort(key=lambda r: (STATUSES.index(r.status), -r.count, name_key(r.candidate), r.reason))
    return rows


def _best(weighed: Iterable[tuple[tuple[Place, float], ...]]) -> tuple[tuple[Place, float], ...]:
    """The best places over a name's mentions: each place once, at its highest score."""
    best: dict[str, tuple[Place, float]] = {}
    for candidates in weighed:
        for place, score in candidates:
            if place.id not in best or score > best[place.id][1]:
                best[place.id] = (place, score)
    return tuple(sorted(best.values(), key=lambda ps: (-ps[1], ps[0].name))[:CANDIDATES])


def awaiting_review(rows: Iterable[Row]) -> int:
    """How many names wait for a decision (every row but the ones corrections settled)."""
    return sum(1 for r in rows if r.awaiting)


def describe(place: Place, score: float) -> str:
    """``Tula, RU (city; geonames:480562; 54.19609, 37.61822) 0.42``"""
    where = place.source or place.id
    country = f", {place.country}" if place.country else ""
    return f"{place.name}{country} ({place.kind}; {where}; {place.lat:.5f}, {place.lon:.5f}) {score:.2f}"


def row_cells(row: Row) -> dict[str, object]:
    return {
        "status": row.status,
        "candidate": row.candidate,
        "reason": row.reason,
        "count": row.count,
        "articles": "; ".join(row.articles),
        "example": row.example,
        "candidates": "; ".join(describe(p, s) for p, s in row.candidates),
        "place_id": row.place.id if row.place else "",
        "confidence": f"{row.confidence:.3f}" if row.confidence is not None else "",
    }


def inert(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula (``= + - @``, tab, CR) gets a leading ``'``."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def review_csv(rows: Iterable[Row]) -> str:
    """The text of ``review.csv``: UTF-8 with a byte-order mark, CRLF, formula-like cells defused,
    like nkmap's other CSV files."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: inert(v) for k, v in row_cells(row).items()})
    return "\ufeff" + buffer.getvalue()


def write_review_csv(result: GeoparseResult, path: str | os.PathLike[str]) -> Path:
    """Write ``review.csv`` for ``result`` atomically and return its path."""
    atomic.write_text(path, review_csv(review_rows(result)))
    return Path(path)
