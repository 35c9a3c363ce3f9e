"""Find place names in text: word-bounded, longest first, with exact offsets and the sentence.

Knows nothing of coordinates. Candidates are capitalised words (a C-speed regex scan);
each is looked up, together with the words that follow it, in a dict of folded names.
This is an order of magnitude faster than matching every name everywhere, and it keeps
lower-case words ("di", "dan") from ever being taken for places.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from .model import Article, Mention
from .names import name_key

# Upper-case letters of the Basic Multilingual Plane: re has no \p{Lu}, so the class is built once.
_UPPER = "".join(sorted({c for c in map(chr, range(0x10000)) if c.isupper() and c.isalpha()}))
_UPPER_CLASS = re.escape(_UPPER).replace("\\-", "-").replace("-", "\\-")
_CAPITALISED = re.compile(rf"(?<!\w)[{_UPPER_CLASS}]\w*(?:['’]\w+)*")
# The word after a candidate: joined by one space or hyphen, as in "Nagorno Karabakh" / "Nagorno-Karabakh".
_NEXT_WORD = re.compile(r"(?:[ \u00a0]|[-\u2010\u2011])(\w+(?:['’]\w+)*)")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
EXCERPT_LIMIT = 320  # longer sentences are cut to a window around the mention


class NameIndex:
    """The names a recogniser looks for: folded keys, plus exact ones matched case-sensitively."""

    def __init__(self, folded: Iterable[str] = (), exact: Iterable[str] = ()) -> None:
        self.folded = frozenset(folded)
        self.exact = frozenset(exact)
        words = [len(k.split()) for k in self.folded | self.exact]
        self.max_words = max(words, default=1)

    @classmethod
    def from_sources(cls, *sources: object) -> NameIndex:
        """Merge the names of every source that has ``names() -> (folded, exact)``."""
        folded: set[str] = set()
        exact: set[str] = set()
        for source in sources:
            f, e = source.names()  # type: ignore[attr-defined]
            folded.update(f)
            exact.update(e)
        return cls(folded, exact)

    def match(self, surface: str) -> bool:
        return surface in self.exact or name_key(surface) in self.folded


def find_mentions(article: Article, names: NameIndex) -> list[Mention]:
    """Every non-overlapping mention of a known name in ``article``, in text order."""
    text = article.text
    spans: list[tuple[int, int]] = []
    resume = 0
    for m in _CAPITALISED.finditer(text):
        if m.start() < resume:
            continue
        span = _longest_name(text, m.start(), m.end(), names)
        if span:
            spans.append(span)
            resume = span[1]
    if not spans:
        return []
    starts = _sentence_starts(text)
    return [_mention(article.name, text, s, e, starts) for s, e in spans]


def _longest_name(text: str, start: int, end: int, names: NameIndex) -> tuple[int, int] | None:
    ends = [end]
    pos = end
    while len(ends) < names.max_words and (nxt := _NEXT_WORD.match(text, pos)):
        pos = nxt.end()
        ends.append(pos)
    for stop in reversed(ends):
        if names.match(text[start:stop]):
            return start, stop
    # Glued suffixes: "Ermenistan’ın", "Azerbaycan'a" name the part before the apostrophe.
    head = re.match(r"\w+(?=['’])", text[start:end])
    if head and names.match(head.group(0)):
        return start, start + head.end()
    return None


def _sentence_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _SENTENCE_END.finditer(text))]


def _mention(article: str, text: str, start: int, end: int, starts: list[int]) -> Mention:
    i = bisect.bisect_right(starts, start) - 1
    s_start = starts[i]
    s_end = starts[i + 1] if i + 1 < len(starts) else len(text)
    if s_end - s_start > EXCERPT_LIMIT:
        s_start, s_end = _window(text, start, end, s_start, s_end)
    sentence = text[s_start:s_end].rstrip()
    lead = len(sentence) - len(sentence.lstrip())
    return Mention(article=article, start=start, end=end, surface=text[start:end],
                   sentence=sentence.lstrip(), sentence_start=s_start + lead)


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
