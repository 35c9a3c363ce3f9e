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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nkmap.datafiles import packaged_json
from nkmap.inputs.metadata import dateline_of
from nkmap.model import Article, ResolvedMention

ROLES = ("dateline", "speaker", "event")
_TOKEN = re.compile(r"\w+(?:['’-]\w+)*|[^\w\s]")
_DATELINE_DASH = re.compile(r"\s[-–—]+\s")
MAX_PLACE_NOUNS = 4  # "di [ibu kota] X", "in [the village of] X"
MAX_SKIPPED = 4  # "Rusia [pada hari Sabtu] mengatakan"
MAX_BRACKETED = 8  # tokens a skipped "(31/10/2020)" may hold
# Characters looked at before and after a name: the rules read a handful of words on each side
# (at most a 3-word phrase and 4 place nouns before; 4 skipped words or a "(31/10/2020)" after).
WINDOW_BEFORE, WINDOW_AFTER = 60, 80
DATELINE_REACH = 80  # characters from the dateline place to the dash that ends the dateline

Flags = Callable[[], list[bool]]  # per token: inside another mention (computed only when a rule asks)


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
    coordinators: frozenset[str] = frozenset()  # "Armenia dan Azerbaijan"
    clause_lead_ins: frozenset[str] = frozenset()  # may stand between an opener and the name: "The Kremlin"
    opening_punctuation: frozenset[str] = frozenset()  # a mark before the name opens a clause
    passive_forms: tuple[tuple[str, str, str, int], ...] = ()  # (marker, verb prefix, verb suffix, min length)
    skip_brackets: tuple[str, str] = ("(", ")")
    place_nouns_not_describing: frozenset[str] = frozenset()  # articles and "of": no "district in X" reading

    @classmethod
    def from_json(cls, data: dict) -> RoleWords:
        words = {
            k: frozenset(w.lower() for w in data.get(k, ()))
            for k in (
                "speaker_verbs",
                "speaker_skip",
                "clause_openers",
                "place_nouns",
                "event_excluded_kinds",
                "coordinators",
                "clause_lead_ins",
                "opening_punctuation",
                "place_nouns_not_describing",
            )
        }
        triggers = frozenset(tuple(p.lower().split()) for p in data["event_triggers"])
        agents = data["agent_markers"]
        if not isinstance(agents, dict):  # a plain list: any verb before the marker
            agents = {a: {} for a in agents}
        forms = tuple(
            (m.lower(), f.get("prefix", ""), f.get("suffix", ""), int(f.get("min_length", 0)))
            for m, f in agents.items()
        )
        brackets = tuple(data.get("skip_brackets", ("(", ")")))
        return cls(
            event_triggers=triggers,
            agent_markers=frozenset(m for m, *_ in forms),
            passive_forms=forms,
            skip_brackets=(brackets[0], brackets[1]),
            **words,
        )


@lru_cache(maxsize=1)
def default_words() -> RoleWords:
    """The packaged word lists, read once."""
    return RoleWords.from_json(packaged_json("roles.json"))


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
    d_start, d_end = _dateline_span(article)
    excluded = words.event_excluded_kinds
    telling = _telling(words)
    findall = _TOKEN.findall
    out = []
    for rm in mentions:
        m = rm.mention
        start, end = m.start, m.end
        if d_start <= start < d_end:
            role = "dateline"
        else:
            # Tokens as lower-case strings (one C-speed findall per side; "\n" never occurs inside a
            # token, so one lower() over the joined tokens equals lowering each one). Whether a token
            # lies inside another mention is worked out only when a rule asks.
            lo = max(m.sentence_start, start - WINDOW_BEFORE)
            role = ""
            if telling is None or _last_token(text, lo, start) in telling:  # else no rule applies: no role
                before = "\n".join(findall(text, lo, start)).lower().split("\n") if lo < start else []
                if before == [""]:
                    before = []
                place = _flagger(text, lo, start, spans, (start, end), len(before))
                if _is_speaker(before, place, text, m, spans, words):
                    role = "speaker"
                elif not (rm.place is not None and rm.place.kind in excluded) and _is_event(before, place, words):
                    role = "event"
        # a frozen value: the mention itself when its role stays (most keep the empty one), a new one else
        out.append(rm if role == rm.role else ResolvedMention(m, rm.place, rm.method, rm.confidence, role))
    return out


def _dateline_span(article: Article) -> tuple[int, int]:
    """From the dateline place to the dash that ends the dateline ("MOSKOW, RUSIA (x.com) -"), or empty."""
    text = article.text
    _, start, end = dateline_of(article)
    if start < 0:
        return (-1, -1)
    dash = _DATELINE_DASH.search(text, end, min(len(text), start + DATELINE_REACH))
    return (start, dash.start() if dash else end)


@lru_cache(maxsize=4)
def _telling(words: RoleWords) -> frozenset[str] | None:
    """The tokens a rule may read as the last one before a name: after any other, no rule applies.

    The passive's agent marker, a clause lead-in, coordinator, opener or opening mark (speaker), the
    last word of an event trigger or a place noun (event); an empty window ("") opens a clause too.
    None when an empty trigger makes every token one."""
    if () in words.event_triggers:
        return None
    return (
        frozenset({""})  # no token before the name at all
        | words.agent_markers
        | words.clause_lead_ins
        | words.coordinators
        | words.clause_openers
        | words.opening_punctuation
        | words.place_nouns
        | {phrase[-1] for phrase in words.event_triggers if phrase}
    )


def _last_token(text: str, start: int, end: int) -> str:
    """The last of the tokens ``_TOKEN.findall(text, start, end)`` gives, lower-cased ("" when none), without
    tokenising the rest: tokens never hold whitespace, so the last whitespace-free chunk of the window
    (which begins after whitespace, or at ``start``) is tokenised as the whole window's end is."""
    chunk = text[start:end].rsplit(None, 1)
    if not chunk:
        return ""
    last = chunk[-1]
    return (last if last.isalnum() else _TOKEN.findall(last)[-1]).lower()


def _flagger(
    text: str, start: int, end: int, spans: list[tuple[int, int]], own: tuple[int, int], count: int | None = None
) -> Flags:
    """Per token of ``text[start:end]``, lazily: whether it lies inside another mention (``spans`` sorted;
    ``count``: how many tokens there are, if known)."""

    def flags() -> list[bool]:
        # Mentions do not overlap, so the one a token may lie in is the last starting at or before it:
        # only the few spans around the window can be that one.
        lo = max(bisect.bisect_right(spans, (start, len(text))) - 1, 0)
        hi = bisect.bisect_left(spans, (end, -1))
        near = spans[lo:hi]
        if near and len(near) == 1 and (near[0][1] <= start or near[0] == own):
            near = []  # the one span ends before the window or is the name's own: no token is in another
        if not near:
            return [False] * (len(_TOKEN.findall(text, start, end)) if count is None else count)
        found = []
        k = -1
        for t in _TOKEN.finditer(text, start, end):
            pos = t.start()
            while k + 1 < len(near) and near[k + 1][0] <= pos:
                k += 1
            found.append(k >= 0 and near[k][0] <= pos < near[k][1] and near[k] != own)
        return found

    cached: list[list[bool]] = []

    def once() -> list[bool]:
        if not cached:
            cached.append(flags())
        return cached[0]

    return once


def _after(text: str, m, spans: list[tuple[int, int]]) -> tuple[list[str], Flags]:
    end = m.end
    sentence_end = m.sentence_start + len(m.sentence) if m.sentence else len(text)
    hi = min(max(sentence_end, end), end + WINDOW_AFTER)
    toks = [t.lower() for t in _TOKEN.findall(text, end, hi)]
    return toks, _flagger(text, end, hi, spans, (m.start, end), len(toks))


def _opens_clause(before: list[str], place: Flags, words: RoleWords) -> bool:
    """Nothing but an opener, a punctuation mark, or another coordinated place comes before the name."""
    i = len(before) - 1
    while i >= 0 and before[i] in words.clause_lead_ins:  # "The Kremlin urges"
        i -= 1
    if i < 0:
        return True
    prev = before[i]
    if prev in words.coordinators:
        j = i - 1
        if j < 0 or not place()[j]:
            return True  # "..., dan Rusia mengatakan"
        flags = place()
        while j >= 0 and flags[j]:  # "Armenia dan Azerbaijan sepakat": the first place must open it
            j -= 1
        return _opens_clause(before[: j + 1], place, words)
    return prev in words.clause_openers or prev in words.opening_punctuation


def _is_speaker(before: list[str], place: Flags, text: str, m, spans: list[tuple[int, int]], words: RoleWords) -> bool:
    if _agent_of_passive(before, words):
        return True
    if not _opens_clause(before, place, words):
        return False
    after, after_place = _after(text, m, spans)
    opening, closing = words.skip_brackets
    i, skipped = 0, 0
    while i < len(after):
        tok = after[i]
        if tok in words.speaker_verbs:
            return True
        if tok in words.coordinators and i + 1 < len(after) and after_place()[i + 1]:
            flags = after_place()
            i += 1
            while i < len(after) and flags[i]:
                i += 1
            continue
        if tok in words.speaker_skip and skipped < MAX_SKIPPED:
            skipped += 1
            i += 1
            continue
        if tok == opening and skipped < MAX_SKIPPED:  # "pada Sabtu (31/10/2020) mengatakan"
            close = next((k for k in range(i, len(after)) if after[k] == closing), None)
            if close is None or close - i > MAX_BRACKETED:
                return False
            skipped += 1
            i = close + 1
            continue
        return False
    return False


def _agent_of_passive(before: list[str], words: RoleWords) -> bool:
    """ "diduduki oleh Armenia", "led by Saudi Arabia": the marker follows a passive verb."""
    if len(before) < 2 or before[-1] not in words.agent_markers:
        return False
    verb = before[-2]
    for marker, prefix, suffix, min_length in words.passive_forms:
        if marker == before[-1]:
            return verb.startswith(prefix) and verb.endswith(suffix) and len(verb) >= min_length
    return False


def _is_event(before: list[str], place: Flags, words: RoleWords) -> bool:
    texts = tuple(before)
    i = len(texts)
    lengths = _phrase_lengths(words.event_triggers)
    triggers = words.event_triggers
    for _ in range(MAX_PLACE_NOUNS + 1):
        for n in lengths:  # longest phrase first: "ibu kota di" before "di"
            if n <= i and texts[i - n : i] in triggers:
                return not _describes_where(before[: i - n], place, words)
        if i == 0 or before[i - 1] not in words.place_nouns:
            return False
        i -= 1
    return False


@lru_cache(maxsize=4)
def _phrase_lengths(phrases: frozenset[tuple[str, ...]]) -> tuple[int, ...]:
    return tuple(sorted({len(p) for p in phrases}, reverse=True))


def _describes_where(before: list[str], place: Flags, words: RoleWords) -> bool:
    """ "district in Azerbaijan", "Stepanakert di Nagorno-Karabakh": where a place lies, not an event."""
    if not before:
        return False
    prev = before[-1]
    return place()[len(before) - 1] or (prev in words.place_nouns and prev not in words.place_nouns_not_describing)
