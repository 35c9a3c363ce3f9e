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
import re
import sys
from collections.abc import Container, Iterable
from dataclasses import dataclass

from nkmap.datafiles import packaged_json
from nkmap.inputs.metadata import find_dateline
from nkmap.model import Article, Mention
from nkmap.names import name_key

# Upper-case letters of the Basic Multilingual Plane: re has no \p{Lu}, so the class is built once.
_UPPER = "".join(sorted({c for c in map(chr, range(0x10000)) if c.isupper() and c.isalpha()}))
_UPPER_CLASS = re.escape(_UPPER).replace("-", "\\-")
_CAPITALISED = re.compile(rf"(?<!\w)[{_UPPER_CLASS}]\w*(?:['’]\w+)*")
# The word after a candidate: joined by one space or hyphen, as in "Nagorno Karabakh" / "Nagorno-Karabakh".
_NEXT_WORD = re.compile(r"(?:[ \u00a0]|[-\u2010\u2011])(\w+(?:['’]\w+)*)")
_LOWER_WORD = re.compile(r"(?<!\w)[^\W\d_A-Z][\w'’]*")  # words starting lower case (roughly: not [A-Z])
_HEAD = re.compile(r"\w+(?=['’])")  # the name before a glued suffix: "Ermenistan" of "Ermenistan’ın"
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
EXCERPT_LIMIT = 320  # longer sentences are cut to a window around the mention
RUN_ON = 4 * EXCERPT_LIMIT  # longer "sentences" are run-on text: cut into shared pieces (memory stays bounded)
STRONG, WEAK, UNKNOWN = 2, 1, 0
NAME, LONGER, GLUED = 1, 2, 4  # NameIndex.word_info flags


@dataclass(frozen=True, slots=True)
class RecognitionRules:
    """Word lists that tell a place name from other capitalised words (``data/recognition.json``)."""

    place_triggers: frozenset[str]
    place_triggers_after: frozenset[str]
    weak_triggers: frozenset[str]
    stopwords: frozenset[str]
    titles: frozenset[str]
    demonyms: frozenset[str]

    def place_word_pattern(self) -> re.Pattern[str]:
        return _place_word_pattern(self.place_triggers)

    @classmethod
    @functools.cache
    def default(cls) -> RecognitionRules:
        """The lists of every language nkmap knows, merged: articles mix languages freely."""
        data = packaged_json("recognition.json")
        merged: dict[str, set[str]] = {f: set() for f in cls.__slots__}
        for language, lists in data.items():
            if language.startswith("_"):
                continue
            for field, words in lists.items():
                merged[field].update(name_key(w) for w in words)
        return cls(**{f: frozenset(v) for f, v in merged.items()})


@functools.cache
def _place_word_pattern(words: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(r"[ \u00a0]+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})[ \u00a0]+(?=[{_UPPER_CLASS}])")


class NameIndex:
    """The names to look for: curated ones (taken as found) and GeoNames ones (checked first)."""

    def __init__(
        self,
        folded: Iterable[str] = (),
        exact: Iterable[str] = (),
        weak: Container[str] | None = None,
        weak_max_words: int = 1,
    ) -> None:
        self.folded = frozenset(folded)
        self.exact = frozenset(exact)
        self.weak = weak
        words = [len(k.split()) for k in self.folded | self.exact]
        self.max_words = max([*words, weak_max_words if weak is not None else 1])
        self._first_words = frozenset(k.split()[0] for k in self.folded | self.exact if " " in k)
        self._words: dict[str, int] = {}
        self._tiers: dict[str, int] = {}  # the sources do not change while an index is used

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
        """STRONG (a curated name), WEAK (only GeoNames knows it) or UNKNOWN; remembered per surface."""
        found = self._tiers.get(surface)
        if found is None:
            found = self._tiers[surface] = self._tier(surface)
        return found

    def _tier(self, surface: str) -> int:
        if surface in self.exact:
            return STRONG
        key = name_key(surface)
        if key in self.folded:
            return STRONG
        return WEAK if self.weak is not None and key in self.weak else UNKNOWN

    def word_info(self, word: str) -> int:
        """For one capitalised word, cached: NAME if it is a name alone, LONGER if a longer
        name may start with it, GLUED if the part before an apostrophe is a curated name.
        0 (the common case) lets the scan skip the word at dict-lookup cost."""
        info = self._words.get(word)
        if info is None:
            key = name_key(word)
            info = NAME if self.tier(word) != UNKNOWN else 0
            first = key.split()[0] if key else ""
            if first in self._first_words or (
                self.weak is not None and " " not in key and next(self.weak.iterkeys(key + " "), None)
            ):  # type: ignore[union-attr]
                info |= LONGER
            if " " in key:  # hyphenated: "Nagorno-Karabakh" is one token to the scan
                info |= LONGER
            head = _HEAD.match(word)
            if head and self.tier(head.group(0)) == STRONG:
                info |= GLUED
            self._words[word] = info
        return info


class _Scan:
    """The state of one article's scan: its text, dateline and lazily computed word facts."""

    def __init__(self, text: str, rules: RecognitionRules) -> None:
        self.text = text
        self.rules = rules
        _, self.dateline_start, _ = find_dateline(text)
        self._lowercase: set[str] | None = None
        self._searches = 0

    def after_place_words(self) -> set[int]:
        """Offsets right after a place word written in lower case ("desa ", "village of "), and the dateline."""
        found = {m.end() for m in self.rules.place_word_pattern().finditer(self.text)}
        if self.dateline_start >= 0:
            found.add(self.dateline_start)
        return found

    def trigger_before(self, start: int) -> tuple[str, str]:
        """(place-word trigger or weak trigger or "", the previous word as written)."""
        if start == self.dateline_start:
            return "dateline", ""
        text = self.text
        if start < 2 or text[start - 1] not in " \u00a0" or "\n" in text[start - 3 : start]:
            return "", ""
        words = text[max(0, start - 40) : start].split()
        if not words or not _is_word(words[-1]):
            return "", ""
        one = name_key(words[-1])
        two = f"{name_key(words[-2])} {one}" if len(words) > 1 and _is_word(words[-2]) else ""
        for candidate in (two, one):
            if candidate and candidate in self.rules.place_triggers:
                return candidate, words[-1]
        if one in self.rules.weak_triggers:
            return one, words[-1]
        return "", words[-1]

    def trigger_after(self, end: int) -> str:
        m = _NEXT_WORD.match(self.text, end)
        if m and name_key(m.group(1)) in self.rules.place_triggers_after:
            return name_key(m.group(1))
        return ""

    def written_in_lower_case(self, surface: str) -> bool:
        """Whether the article also writes this word in lower case: then it is a common word.

        That is: ``surface.lower()`` is one of the words ``_LOWER_WORD.findall(text)`` gives. An
        article asks this for a few words only, so each is searched for (a C-speed scan) rather
        than every word of the article collected; the set is built where a search cannot decide.
        """
        lower = surface.lower()
        if self._lowercase is None and self._searches < MAX_SEARCHES:  # past that, one pass over all words is cheaper
            self._searches += 1
            found = _written_as_word(self.text, lower)
            if found is not None:
                return found
        if self._lowercase is None:
            self._lowercase = set(_LOWER_WORD.findall(self.text))
        return lower in self._lowercase

    def opens_sentence(self, start: int) -> bool:
        before = self.text[max(0, start - 4) : start].rstrip(" \t\u00a0\"“'‘(")
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
        if (
            words[0] in rules.stopwords
            or words[-1] in rules.stopwords
            or len(surface) < 3
            or name_key(surface) in rules.demonyms
            or name_key(previous) in rules.titles
        ):
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


_WORD_CHAR = re.compile(r"[\w'’]")
_LETTER = re.compile(r"\w")
_WORD_START = re.compile(r"[^\W\d_A-Z]")  # where a _LOWER_WORD may begin
_SEARCHABLE = re.compile(r"[^\W\d_A-Z][\w'’]*")
MAX_SEARCHES = 64  # words searched for one by one in an article before all its words are collected
COVER_REACH = 200  # characters looked back to tell whether an occurrence lies inside an earlier word


def _written_as_word(text: str, word: str) -> bool | None:
    """Whether ``word`` is among ``_LOWER_WORD.findall(text)``, or None where only that can tell.

    An occurrence bounded like a word is one of those words unless it lies inside an earlier one
    (after an apostrophe, as "armenia" in "l'armenia"), which the few characters before it show.
    """
    if not _SEARCHABLE.fullmatch(word):
        return None  # it could never be one whole word: let the full list decide
    p = -1
    while (p := text.find(word, p + 1)) != -1:  # str.find: C speed, where a regex would test every position
        e = p + len(word)
        if (p > 0 and _LETTER.match(text, p - 1)) or (e < len(text) and _WORD_CHAR.match(text, e)):
            continue  # not bounded like a word
        if p == 0 or text[p - 1] not in "'’":
            return True
        r = p - 1  # the run of word characters and apostrophes that ends before p
        while r > 0 and _WORD_CHAR.match(text, r - 1):
            r -= 1
            if p - r > COVER_REACH:
                return None
        covered = any(
            _WORD_START.match(text, q) and (q == r or text[q - 1] in "'’") for q in range(r, p)
        )  # an earlier word starts in the run and runs on over p
        if not covered:
            return True
    return False


def _is_word(token: str) -> bool:
    return token.replace("'", "").replace("’", "").replace("-", "").isalnum()


def find_mentions(article: Article, names: NameIndex, rules: RecognitionRules | None = None) -> list[Mention]:
    """Every non-overlapping place-name mention in ``article``, in text order."""
    text = article.text
    scan = _Scan(text, rules or RecognitionRules.default())
    after_trigger = scan.after_place_words()
    word_info = names.word_info
    found: list[tuple[int, int, str]] = []
    resume = 0
    for m in _CAPITALISED.finditer(text):
        start = m.start()
        info = word_info(m.group())
        if start < resume or not (info or start in after_trigger):
            continue  # the common case: a capitalised word that is no name and follows no place word
        span = _longest_name(scan, start, m.end(), names, info)
        if span:
            found.append(span)
            resume = span[1]
    if not found:
        return []
    starts = _sentence_starts(text)
    sentences: dict = {}  # mentions of one sentence (or run-on piece) share its excerpt: one string
    return [_mention(article.name, text, s, e, trigger, starts, sentences) for s, e, trigger in found]


def _longest_name(scan: _Scan, start: int, end: int, names: NameIndex, info: int) -> tuple[int, int, str] | None:
    text = scan.text
    ends = [end]
    pos = end
    # Names run on over capitalised words ("Nusa Tenggara Timur") or hyphens ("Rostov-on-Don").
    while (
        info & LONGER
        and len(ends) < names.max_words
        and (nxt := _NEXT_WORD.match(text, pos))
        and (nxt.group(1)[:1].isupper() or text[pos] != " ")
    ):
        pos = nxt.end()
        ends.append(pos)
    trigger: tuple[str, str] | None = None
    rejected = False
    for stop in reversed(ends):
        tier = names.tier(text[start:stop])
        if tier == STRONG:  # curated: no evidence needed, so only the dateline is noted
            return start, stop, "dateline" if start == scan.dateline_start else ""
        if tier == WEAK:
            trigger = trigger or scan.trigger_before(start)
            evidence = scan.place_check(start, stop, trigger[0] or scan.trigger_after(stop), trigger[1])
            if evidence is not None:
                return start, stop, evidence
            rejected = True
    # Glued suffixes: "Ermenistan’ın", "Azerbaycan'a" name the part before the apostrophe.
    head = _HEAD.match(text, start, end)
    if head and names.tier(head.group(0)) == STRONG:
        return start, head.end(), ""
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


def _mention(
    article: str,
    text: str,
    start: int,
    end: int,
    trigger: str,
    starts: list[int],
    sentences: dict | None = None,
) -> Mention:
    i = bisect.bisect_right(starts, start) - 1
    s_start = starts[i]
    s_end = starts[i + 1] if i + 1 < len(starts) else len(text)
    if s_end - s_start > RUN_ON and sentences is not None:
        excerpt = _run_on_piece(text, start, end, i, s_start, s_end, sentences)
    elif s_end - s_start > EXCERPT_LIMIT:
        s_start, s_end = _window(text, start, end, s_start, s_end)
        excerpt = _excerpt(text, s_start, s_end)
    elif sentences is None:
        excerpt = _excerpt(text, s_start, s_end)
    elif (excerpt := sentences.get(i)) is None:  # type: ignore[assignment]
        excerpt = sentences[i] = _excerpt(text, s_start, s_end)
    # Names recur across a corpus: one string per distinct surface, not one per mention.
    return Mention(article, start, end, sys.intern(text[start:end]), excerpt[0], excerpt[1], trigger)


def _run_on_piece(text: str, start: int, end: int, i: int, s_start: int, s_end: int, pieces: dict) -> tuple[str, int]:
    """The excerpt of a mention in a run-on "sentence" (a page with no sentence ends): its fixed piece.

    Such a text is cut into pieces of EXCERPT_LIMIT characters (widened to whole words where a
    space is near), and the mentions of one piece share its excerpt, so memory stays near the
    size of the text instead of one excerpt per mention. A mention across a piece's end gets its
    own window, as in a long sentence.
    """
    k = (start - s_start) // EXCERPT_LIMIT
    piece = pieces.get((i, k))
    if piece is None:
        p0 = s_start + k * EXCERPT_LIMIT
        p1 = min(s_end, p0 + EXCERPT_LIMIT)
        before = text.rfind(" ", max(s_start, p0 - 40), p0) if p0 > s_start else -1
        after = text.find(" ", p1, min(s_end, p1 + 40)) if p1 < s_end else -1
        a, b = (before + 1 if before != -1 else p0), (after if after != -1 else p1)
        piece = pieces[(i, k)] = (*_excerpt(text, a, b), b)
    sentence, sentence_start, b = piece
    if sentence_start <= start and end <= sentence_start + len(sentence):
        return sentence, sentence_start
    return _excerpt(text, *_window(text, start, end, s_start, s_end))


def _excerpt(text: str, s_start: int, s_end: int) -> tuple[str, int]:
    """``text[s_start:s_end]`` stripped, and where the stripped text starts."""
    sentence = text[s_start:s_end].rstrip()
    stripped = sentence.lstrip()
    return stripped, s_start + len(sentence) - len(stripped)


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
