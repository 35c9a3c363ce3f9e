"""Find place names in text: word-bounded, longest first, with exact offsets and the sentence.

Knows nothing of coordinates. Candidates are capitalised words (a C-speed regex scan); each
is looked up, with the words that follow it, among the names the sources know. Names from
curated sources are taken as found; names only GeoNames knows must look like a place here
(not a stop word, a title's person, a sentence opener or a word the article also writes in
lower case), and an unknown name after a place word ("desa X", "the village of X") or in the
dateline becomes a candidate to report.
"""

from __future__ import annotations

import bisect
import functools
import json
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass
from importlib import resources

from .metadata import find_dateline
from .model import Article, Mention
from .names import name_key

# Upper-case letters of the Basic Multilingual Plane: re has no \p{Lu}, so the class is built once.
_UPPER = "".join(sorted({c for c in map(chr, range(0x10000)) if c.isupper() and c.isalpha()}))
_UPPER_CLASS = re.escape(_UPPER).replace("-", "\\-")
_CAPITALISED = re.compile(rf"(?<!\w)[{_UPPER_CLASS}]\w*(?:['’]\w+)*")
# The word after a candidate: joined by one space or hyphen, as in "Nagorno Karabakh" / "Nagorno-Karabakh".
_NEXT_WORD = re.compile(r"(?:[ \u00a0]|[-\u2010\u2011])(\w+(?:['’]\w+)*)")
_PREVIOUS_WORDS = re.compile(r"(?:(\w+)[ \u00a0]+)?(\w+)[ \u00a0]+\Z")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
EXCERPT_LIMIT = 320  # longer sentences are cut to a window around the mention
STRONG, WEAK, UNKNOWN = 2, 1, 0


@dataclass(frozen=True, slots=True)
class RecognitionRules:
    """Word lists that tell a place name from other capitalised words (``data/recognition.json``)."""

    place_triggers: frozenset[str]
    place_triggers_after: frozenset[str]
    weak_triggers: frozenset[str]
    stopwords: frozenset[str]
    titles: frozenset[str]
    demonyms: frozenset[str]

    @classmethod
    @functools.cache
    def default(cls) -> RecognitionRules:
        """The lists of every language nkmap knows, merged: articles mix languages freely."""
        data = json.loads((resources.files("nkmap") / "data" / "recognition.json").read_text(encoding="utf-8"))
        merged: dict[str, set[str]] = {f: set() for f in cls.__slots__}
        for language, lists in data.items():
            if language.startswith("_"):
                continue
            for field, words in lists.items():
                merged[field].update(name_key(w) for w in words)
        return cls(**{f: frozenset(v) for f, v in merged.items()})


class NameIndex:
    """The names to look for: curated ones (taken as found) and GeoNames ones (checked first)."""

    def __init__(self, folded: Iterable[str] = (), exact: Iterable[str] = (),
                 weak: Container[str] | None = None, weak_max_words: int = 1) -> None:
        self.folded = frozenset(folded)
        self.exact = frozenset(exact)
        self.weak = weak
        words = [len(k.split()) for k in self.folded | self.exact]
        self.max_words = max([*words, weak_max_words if weak is not None else 1])

    @classmethod
    def from_sources(cls, *sources: object) -> NameIndex:
        """Merge every source's names; a source with ``origin == "geonames"`` gives the weak tier."""
        folded: set[str] = set()
        exact: set[str] = set()
        weak = None
        weak_words = 1
        for source in sources:
            if getattr(source, "origin", "") == "geonames":
                weak = source.keys()  # type: ignore[attr-defined]
                weak_words = getattr(source, "max_words", 3)
                continue
            f, e = source.names()  # type: ignore[attr-defined]
            folded.update(f)
            exact.update(e)
        return cls(folded, exact, weak, weak_words)

    def tier(self, surface: str) -> int:
        if surface in self.exact:
            return STRONG
        key = name_key(surface)
        if key in self.folded:
            return STRONG
        return WEAK if self.weak is not None and key in self.weak else UNKNOWN

    def match(self, surface: str) -> bool:
        return self.tier(surface) != UNKNOWN


class _Scan:
    """The state of one article's scan: its text, dateline and lazily computed word facts."""

    def __init__(self, text: str, rules: RecognitionRules) -> None:
        self.text = text
        self.rules = rules
        _, self.dateline_start, _ = find_dateline(text)
        self._lowercase: dict[str, bool] = {}

    def trigger_before(self, start: int) -> tuple[str, str]:
        """(place-word trigger or weak trigger or "", the previous word as written)."""
        if start == self.dateline_start:
            return "dateline", ""
        m = _PREVIOUS_WORDS.search(self.text, max(0, start - 40), start)
        if not m:
            return "", ""
        one = name_key(m.group(2))
        two = f"{name_key(m.group(1))} {one}" if m.group(1) else ""
        for candidate in (two, one):
            if candidate and candidate in self.rules.place_triggers:
                return candidate, m.group(2)
        if one in self.rules.weak_triggers:
            return one, m.group(2)
        return "", m.group(2)

    def trigger_after(self, end: int) -> str:
        m = _NEXT_WORD.match(self.text, end)
        if m and name_key(m.group(1)) in self.rules.place_triggers_after:
            return name_key(m.group(1))
        return ""

    def written_in_lower_case(self, surface: str) -> bool:
        """Whether the article also writes this word in lower case: then it is a common word."""
        low = surface.lower()
        if low not in self._lowercase:
            self._lowercase[low] = re.search(rf"(?<!\w){re.escape(low)}(?!\w)", self.text) is not None
        return self._lowercase[low]

    def opens_sentence(self, start: int) -> bool:
        before = self.text[max(0, start - 4):start].rstrip(" \t\u00a0\"“'‘(")
        return not before or before[-1] in ".!?…\n|"

    def place_check(self, start: int, end: int, trigger: str, previous: str) -> str | None:
        """Whether a name only GeoNames knows can be a mention here.

        None: it cannot (a stop word, a demonym, a title's person, a word the article also
        writes in lower case). Otherwise the evidence word to record: the trigger, or a doubt
        ("?opener", "?in-name") that leaves it to the resolver to accept the name
        only for a large or well-supported place.
        """
        surface = self.text[start:end]
        words = name_key(surface).split()
        rules = self.rules
        if (words[0] in rules.stopwords or words[-1] in rules.stopwords or len(surface) < 3
                or name_key(surface) in rules.demonyms or name_key(previous) in rules.titles):
            return None
        if trigger in rules.place_triggers or trigger == "dateline":
            return trigger
        if len(words) == 1 and self.written_in_lower_case(surface):
            return None
        if surface.isupper():
            return None  # an acronym (BBC, TNI) far more often than a place; datelines are caught above
        if previous[:1].isupper() and not trigger:
            return "?in-name"  # the end of a longer capitalised name: a person or an organisation
        nxt = _NEXT_WORD.match(self.text, end)
        if nxt and nxt.group(1)[:1].isupper() and self.text[end] != "-":
            return "?in-name"
        if not trigger and self.opens_sentence(start):
            return "?opener"
        return trigger


def find_mentions(article: Article, names: NameIndex, rules: RecognitionRules | None = None) -> list[Mention]:
    """Every non-overlapping place-name mention in ``article``, in text order."""
    text = article.text
    scan = _Scan(text, rules or RecognitionRules.default())
    found: list[tuple[int, int, str]] = []
    resume = 0
    for m in _CAPITALISED.finditer(text):
        if m.start() < resume:
            continue
        span = _longest_name(scan, m.start(), m.end(), names)
        if span:
            found.append(span)
            resume = span[1]
    if not found:
        return []
    starts = _sentence_starts(text)
    return [_mention(article.name, text, s, e, trigger, starts) for s, e, trigger in found]


def _longest_name(scan: _Scan, start: int, end: int, names: NameIndex) -> tuple[int, int, str] | None:
    text = scan.text
    ends = [end]
    pos = end
    while len(ends) < names.max_words and (nxt := _NEXT_WORD.match(text, pos)):
        pos = nxt.end()
        ends.append(pos)
    trigger: tuple[str, str] | None = None
    rejected = False
    for stop in reversed(ends):
        tier = names.tier(text[start:stop])
        if tier == STRONG:
            return start, stop, (trigger or scan.trigger_before(start))[0]
        if tier == WEAK:
            trigger = trigger or scan.trigger_before(start)
            evidence = scan.place_check(start, stop, trigger[0] or scan.trigger_after(stop), trigger[1])
            if evidence is not None:
                return start, stop, evidence
            rejected = True
    # Glued suffixes: "Ermenistan’ın", "Azerbaycan'a" name the part before the apostrophe.
    head = re.match(r"\w+(?=['’])", text[start:end])
    if head and names.tier(head.group(0)) == STRONG:
        return start, start + head.end(), ""
    if rejected:
        return None
    # A name no source knows, where the text says it is a place: a candidate to report.
    # Only a place word written in lower case counts: in a title-case headline every word is capitalised.
    trigger = trigger or scan.trigger_before(start)
    if trigger[0] == "dateline" or (trigger[0] in scan.rules.place_triggers and trigger[1].islower()):
        stop = _capitalised_run(text, end)
        first = name_key(text[start:stop]).split()[0]
        if first not in scan.rules.stopwords and first not in scan.rules.demonyms:
            return start, stop, trigger[0]
    return None


def _capitalised_run(text: str, end: int, limit: int = 3) -> int:
    """The end of up to ``limit`` capitalised words starting with the one that ends at ``end``."""
    for _ in range(limit - 1):
        nxt = _NEXT_WORD.match(text, end)
        if not nxt or not nxt.group(1)[:1].isupper():
            break
        end = nxt.end()
    return end


def _sentence_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text))]


def _mention(article: str, text: str, start: int, end: int, trigger: str, starts: list[int]) -> Mention:
    i = bisect.bisect_right(starts, start) - 1
    s_start = starts[i]
    s_end = starts[i + 1] if i + 1 < len(starts) else len(text)
    if s_end - s_start > EXCERPT_LIMIT:
        s_start, s_end = _window(text, start, end, s_start, s_end)
    sentence = text[s_start:s_end].rstrip()
    lead = len(sentence) - len(sentence.lstrip())
    return Mention(article=article, start=start, end=end, surface=text[start:end],
                   sentence=sentence.lstrip(), sentence_start=s_start + lead, trigger=trigger)


def _window(text: str, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """A word-aligned window of about EXCERPT_LIMIT characters around [start, end)."""
    half = (EXCERPT_LIMIT - (end - start)) // 2
    a = max(lo, start - half)
    b = min(hi, end + half)
    if a > lo:
        space = text.find(" ", a, start)
        a = space + 1 if space != -1 else a
    if b < hi:
        space = text.rfind(" ", end, b)
        b = space if space != -1 else b
    return a, b
