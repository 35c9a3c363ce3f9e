"""What a place does in its sentence: the report's dateline, a state that speaks or acts, or where something happened.

A map reader filters on this: "where did things happen" is a different map from "who said what".
Each role comes from a small rule that looks at the few words around the mention, with the word
lists kept as data (``data/roles.json``, Indonesian and English). A rule answers only where it can
tell with good precision; every other mention keeps the empty role. ``bench/roles/measure.py``
measures the rules against hand labels.

* ``dateline``: the mention lies in the article's dateline ("MOSKOW -", "BAKU, Azerbaijan -").
* ``speaker``: the name opens a clause and a speech or action verb follows, perhaps after an
  auxiliary or a day ("Baku mengumumkan", "Rusia pada Sabtu mengatakan", "Kremlin urges",
  "Armenia dan Azerbaijan sepakat"), or it is the agent of a passive ("diduduki oleh Armenia").
  "Presiden Rusia mengatakan" is not: there the president speaks.
* ``event``: a locative preposition or an event verb comes before the name, perhaps across a place
  noun ("di Stepanakert", "menghantam kota Shushi", "in the village of Charektar"), unless the
  phrase only says where a place lies ("district in Azerbaijan") or the place is a continent
  ("Kerja Sama di Eropa" is a name, and a continent is no point on the map of what happened).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import NamedTuple

from nkmap.datafiles import packaged_json
from nkmap.inputs.metadata import find_dateline
from nkmap.model import Article, ResolvedMention

ROLES = ("dateline", "speaker", "event")
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
_OPENING_PUNCTUATION = frozenset(",;:(“\"‘'—–-")
MAX_PLACE_NOUNS = 4  # "di [ibu kota] X", "in [the village of] X"
MAX_SKIPPED = 4  # "Rusia [pada hari Sabtu] mengatakan"
# Characters looked at before and after a name: the rules read a handful of words on each side
# (at most a 3-word phrase and 4 place nouns before; 4 skipped words or a "(31/10/2020)" after).
WINDOW_BEFORE, WINDOW_AFTER = 60, 80
DATELINE_REACH = 80  # characters from the dateline place to the dash that ends the dateline


@dataclass(frozen=True, slots=True)
class RoleWords:
    """The word lists the rules use, as loaded from ``data/roles.json``."""

    speaker_verbs: frozenset[str]
    speaker_skip: frozenset[str]
    clause_openers: frozenset[str]
    agent_markers: frozenset[str]
    event_triggers: frozenset[tuple[str, ...]]
    place_nouns: frozenset[str]
    event_excluded_kinds: frozenset[str] = frozenset()  # too coarse to be where something happened

    @classmethod
    def from_json(cls, data: dict) -> RoleWords:
        words = {
            k: frozenset(w.lower() for w in data[k])
            for k in (
                "speaker_verbs",
                "speaker_skip",
                "clause_openers",
                "agent_markers",
                "place_nouns",
                "event_excluded_kinds",
            )
        }
        triggers = frozenset(tuple(p.lower().split()) for p in data["event_triggers"])
        return cls(event_triggers=triggers, **words)


@lru_cache(maxsize=1)
def default_words() -> RoleWords:
    """The packaged word lists, read once."""
    return RoleWords.from_json(packaged_json("roles.json"))


class _Token(NamedTuple):  # a tuple: made ~270k times per MB of news
    text: str  # lower case
    start: int
    end: int
    place: bool  # inside another place mention


def tag_roles(
    article: Article, mentions: Sequence[ResolvedMention], words: RoleWords | None = None
) -> list[ResolvedMention]:
    """New mentions with ``role`` set where a rule can tell, in the same order.

    Parameters
    ----------
    article : the article the mentions were found in (their offsets index its text).
    mentions : the article's resolved mentions, unresolved ones included.
    words : the word lists; default the packaged ``data/roles.json``.
    """
    words = words or default_words()
    text = article.text
    spans = sorted((rm.mention.start, rm.mention.end) for rm in mentions)
    dateline = _dateline_span(text)
    out = []
    for rm in mentions:
        m = rm.mention
        if dateline[0] <= m.start < dateline[1]:
            role = "dateline"
        else:
            sentence_end = m.sentence_start + len(m.sentence) if m.sentence else len(text)
            before = _tokens(text, max(m.sentence_start, m.start - WINDOW_BEFORE), m.start, spans, (m.start, m.end))
            after = _tokens(text, m.end, min(max(sentence_end, m.end), m.end + WINDOW_AFTER), spans, (m.start, m.end))
            coarse = rm.place is not None and rm.place.kind in words.event_excluded_kinds
            role = (
                "speaker"
                if _is_speaker(before, after, words)
                else "event"
                if not coarse and _is_event(before, words)
                else ""
            )
        out.append(replace(rm, role=role))
    return out


def _dateline_span(text: str) -> tuple[int, int]:
    """From the dateline place to the dash that ends the dateline ("MOSKOW, RUSIA (x.com) -"), or empty."""
    _, start, end = find_dateline(text)
    if start < 0:
        return (-1, -1)
    dash = re.compile(r"\s[-–—]+\s").search(text, end, min(len(text), start + DATELINE_REACH))
    return (start, dash.start() if dash else end)


def _tokens(text: str, start: int, end: int, spans: list[tuple[int, int]], own: tuple[int, int]) -> list[_Token]:
    """The tokens of ``text[start:end]``, each marked when it lies inside another mention (``spans`` sorted)."""
    found = []
    for t in _TOKEN.finditer(text, start, end):
        k = bisect.bisect_right(spans, (t.start(), len(text))) - 1
        inside = k >= 0 and spans[k][0] <= t.start() < spans[k][1] and spans[k] != own
        found.append(_Token(t.group().lower(), t.start(), t.end(), inside))
    return found


def _opens_clause(before: list[_Token], words: RoleWords) -> bool:
    """Nothing but an opener, a punctuation mark, or another coordinated place comes before the name."""
    i = len(before) - 1
    while i >= 0 and before[i].text in ("“", '"', "‘", "'", "the"):  # "The Kremlin urges"
        i -= 1
    if i < 0:
        return True
    prev = before[i]
    if prev.text in words.clause_openers and prev.text not in ("dan", "and"):
        return True
    if prev.text in _OPENING_PUNCTUATION:
        return True
    if prev.text in ("dan", "and", "serta"):
        j = i - 1
        if j < 0 or not before[j].place:
            return True  # "..., dan Rusia mengatakan"
        while j >= 0 and before[j].place:  # "Armenia dan Azerbaijan sepakat": the first place must open it
            j -= 1
        return _opens_clause(before[: j + 1], words)
    return False


def _is_speaker(before: list[_Token], after: list[_Token], words: RoleWords) -> bool:
    if _agent_of_passive(before, words):
        return True
    if not _opens_clause(before, words):
        return False
    i, skipped = 0, 0
    while i < len(after):
        tok = after[i]
        if tok.text in words.speaker_verbs:
            return True
        if tok.text in ("dan", "and", "serta") and i + 1 < len(after) and after[i + 1].place:
            i += 1
            while i < len(after) and after[i].place:
                i += 1
            continue
        if tok.text in words.speaker_skip and skipped < MAX_SKIPPED:
            skipped += 1
            i += 1
            continue
        if tok.text == "(" and skipped < MAX_SKIPPED:  # "pada Sabtu (31/10/2020) mengatakan"
            close = next((k for k in range(i, len(after)) if after[k].text == ")"), None)
            if close is None or close - i > 8:
                return False
            skipped += 1
            i = close + 1
            continue
        return False
    return False


def _agent_of_passive(before: list[_Token], words: RoleWords) -> bool:
    """ "diduduki oleh Armenia", "led by Saudi Arabia": the marker follows a passive verb."""
    if len(before) < 2 or before[-1].text not in words.agent_markers:
        return False
    verb = before[-2].text
    return (verb.startswith("di") and len(verb) > 4) if before[-1].text == "oleh" else verb.endswith("ed")


def _is_event(before: list[_Token], words: RoleWords) -> bool:
    texts = tuple(t.text for t in before)
    i = len(texts)
    lengths = _phrase_lengths(words.event_triggers)
    for _ in range(MAX_PLACE_NOUNS + 1):
        for n in lengths:  # longest phrase first: "ibu kota di" before "di"
            if n <= i and texts[i - n : i] in words.event_triggers:
                return not _describes_where(before[: i - n], words)
        if i == 0 or before[i - 1].text not in words.place_nouns:
            return False
        i -= 1
    return False


@lru_cache(maxsize=4)
def _phrase_lengths(phrases: frozenset[tuple[str, ...]]) -> tuple[int, ...]:
    return tuple(sorted({len(p) for p in phrases}, reverse=True))


def _describes_where(before: list[_Token], words: RoleWords) -> bool:
    """ "district in Azerbaijan", "Stepanakert di Nagorno-Karabakh": where a place lies, not an event."""
    if not before:
        return False
    prev = before[-1]
    return prev.place or (prev.text in words.place_nouns and prev.text not in ("the", "of", "seluruh"))
