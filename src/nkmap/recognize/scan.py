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
import itertools
import operator
import re
import sys
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nkmap.datafiles import packaged_json
from nkmap.inputs.metadata import dateline_of
from nkmap.model import NO_EVIDENCE, Article, Cue, Dropped, Evidence, Mention, Reason
from nkmap.names import UPPER_CLASS, name_key
from nkmap.recognize.language import article_language, home_countries, zipf
from nkmap.sources.base import Derived, Hierarchy, KeySet, NameSource, Tier, is_strong

if TYPE_CHECKING:
    from nkmap.sources.admin import AdminAreas

_UPPER_CLASS = UPPER_CLASS
# A lower-case Arabic article joined by a hyphen starts a name as written: "al-Mawasi", "el-Fasher", "az-Zanna".
# The articles: al|el|ad|adh|an|ar|as|ash|at|ath|az|ed|ez|es|ul|ud, factored by first letter in the same
# order in _CAPITALISED (see _word_led): one branch is tried, not 16.
# A word character, combining marks included: decomposed (NFD) text ("Ag\u0306dam") is read like composed text.
_MARKS = (
    "\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u064b-\u065f\u0670\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
)
_W = rf"[\w{_MARKS}]"
# (?<!W)(?:ARTICLE)?[UPPER]W*(?:['’]W+)*, led by the class of its possible first characters and the
# look-behind after it (see _word_led): re skips every other character of the text in C.
_CAPITALISED = re.compile(
    rf"[aeu{_UPPER_CLASS}](?<!{_W}.)"
    rf"(?:(?<=a)(?:l|d|dh|n|r|s|sh|t|th|z)[-\u2010\u2011][{_UPPER_CLASS}]|(?<=e)(?:l|d|z|s)[-\u2010\u2011][{_UPPER_CLASS}]"
    rf"|(?<=u)(?:l|d)[-\u2010\u2011][{_UPPER_CLASS}]|(?<=[{_UPPER_CLASS}])){_W}*(?:['’]{_W}+)*"
)
_UPPER_AT = re.compile(f"[{_UPPER_CLASS}]")  # a capital, as the patterns below read one
_GLUED_HEAD = re.compile(rf"{_W}+(?=['’]\w)")  # "Kastamonu" in "Kastamonu’nun", "Ankara" in "Ankara'ya"
# The word after a candidate: joined by one space or hyphen, as in "Nagorno Karabakh" / "Nagorno-Karabakh".
_NEXT_WORD = re.compile(rf"(?:[ \u00a0]|[-\u2010\u2011])({_W}+(?:['’]{_W}+)*)")
# The characters a match of _NEXT_WORD starts with ("" is in it too: the text's end). Each use asks first whether
# the character at the offset is one: a name is often followed by punctuation, and then no match is tried.
_JOINERS = " \u00a0-\u2010\u2011"
_LOWER_WORD = re.compile(rf"(?<!{_W})[^\W\d_A-Z][\w'’{_MARKS}]*")  # words starting lower case (roughly: not [A-Z])
_WORD_GOES_ON = re.compile(rf"[\w'’{_MARKS}]")  # a character _LOWER_WORD's words go on over
LOWER_LOOKS = 32  # occurrences of a word read one by one before the article's lower-case words are found at once
# A sentence ends after [.!?…], closing quotes or brackets and white space, or at line breaks: the ends of
# (?<=[.!?…])[\"”’)\]]*\s+|\n+ matches, found with the punctuation consumed instead of looked behind at, so
# that re skips every character but [.!?…\n] in C instead of entering the matcher at each one (a pattern led by
# a look-behind gets no such skip). The ends are the same: no match of either contains one of [.!?…].
# Written as one class and then the branch it picks: re's skip needs a class first (an alternation whose
# branches start with a class gets none); the branches are those of ``[.!?…][\"”’)\]]*\s+|\n+``.
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])[\"”’)\]]*\s+|(?<=\n)\n*)")
EXCERPT_LIMIT = 320  # longer sentences are cut to a window around the mention
RUN_ON = 4 * EXCERPT_LIMIT  # longer "sentences" are run-on text: cut into shared pieces (memory stays bounded)
STRONG, WEAK, UNKNOWN = 2, 1, 0
NAME, LONGER, GLUED = 1, 2, 4  # NameIndex.word_info flags
ADMIN_START, COUNTRY_START = 1, 2  # NameIndex.start_flags
# and what they are made of: the word alone is an area's name, an area's longer name starts with it; the same
# for the country names
ADMIN_NAME, ADMIN_LONGER, COUNTRY_NAME, COUNTRY_LONGER = 4, 8, 16, 32
CACHE_LIMIT = 1 << 18  # entries of a per-name cache before it starts afresh (bounded memory)
BIG_PLACE = 100_000  # a place this large keeps its name even when the name is also a common word
# An age after a name: "Lourdes, 34 years old", "Ahmad (34)", "Budi, 12 tahun", "María, de 40 años".
_AGE = re.compile(
    r"(?:,\s*|\s*\()(?:de\s+|aged\s+)?\d{1,3}(?:\)|\s*(?:-?years?[- ]old|tahun|thn|años|ans|anni|yaşında|лет|jahre)\b)",
    re.IGNORECASE,
)
_NUMERAL = re.compile(r"^(?:[ivxlcdm]+|\d+)$")  # "Dusun V", "RT 03": numbers, not names
TAIL_LIMIT = 32  # characters of the word before an offset compared with the place words' last words
BACK_LIMIT = 256  # characters read back from an offset for the place word before it (more: the text is scanned)
_LAST_WORD = re.compile(r"\.?(\w+)")  # the word before an offset (and a dot after it), on the reversed text
ORGANISATION_REACH = 4  # words after a name read for an organisation word ("People's Liberation Movement")
_SPACE = re.compile(r"\s")
_WEB = re.compile(r"www\.|https?:|@|\.(?:com|co|id|net|org|tv|news)\b")


@dataclass(frozen=True, slots=True)
class RecognitionRules:
    """Word lists that tell a place name from other capitalised words (``data/recognition.json``)."""

    place_triggers: frozenset[str]
    place_triggers_after: frozenset[str]
    weak_triggers: frozenset[str]
    stopwords: frozenset[str]
    titles: frozenset[str]
    demonyms: frozenset[str]
    particles: frozenset[str] = frozenset()
    glue_languages: frozenset[str] = frozenset()
    common_word_zipf: float = 99.0
    admin_before: frozenset[str] = frozenset()  # "kabupaten", "kecamatan", "state of": an administrative area follows
    admin_after: frozenset[str] = frozenset()  # "oblast", "province", "ilçesi": the name before is one
    admin_common_word_zipf: float = 99.0  # a village or district known only from the hierarchy must be rarer
    organisation_after: frozenset[str] = frozenset()  # "Movement", "Party", "Times": a body's name goes on
    organisation_before: frozenset[str] = frozenset()  # "Universitas", "BBC", "PR": an outlet's or a body's name
    speech_after: frozenset[str] = frozenset()  # "said", "told": the name before is a person's
    speech_before: frozenset[str] = frozenset()  # "kata", "ujar", "dijo": the name after is a person's
    feature_before: frozenset[str] = frozenset()  # "Gunung", "Sungai", "Wadi", "Lake": a named feature follows
    feature_after: frozenset[str] = frozenset()  # "River", "Barrage", "ravine", "Çayı": the name before is one

    def place_word_pattern(self) -> re.Pattern[str]:
        return _place_word_pattern(self.place_triggers)

    @classmethod
    @functools.cache
    def default(cls) -> RecognitionRules:
        """The lists of every language nkmap knows, merged: articles mix languages freely."""
        data = packaged_json("recognition.json")
        merged: dict[str, set[str]] = {f: set() for f in cls.__slots__}  # type: ignore[attr-defined]
        settings = data.get("_settings", {})
        for language, lists in data.items():
            if language.startswith("_"):
                continue
            for field, words in lists.items():
                merged[field].update(name_key(w) for w in words)
                if field.startswith("feature_"):  # matched in the text by a pattern too: keep them as written
                    merged[field].update(w.casefold() for w in words)
        for number in ("common_word_zipf", "admin_common_word_zipf"):
            merged.pop(number)
        merged["glue_languages"] = set(settings.get("glue_languages", ()))
        return cls(
            **{f: frozenset(v) for f, v in merged.items()},  # type: ignore[arg-type]
            common_word_zipf=float(settings.get("common_word_zipf", 99.0)),
            admin_common_word_zipf=float(settings.get("admin_common_word_zipf", 99.0)),
        )


def _place_word_pieces(words: frozenset[str]) -> list[str]:
    return [r"[ \u00a0]+".join(map(re.escape, w.split())) for w in sorted(words, key=len, reverse=True)]


@functools.cache
def _place_word_pattern(words: frozenset[str]) -> re.Pattern[str]:
    led = _word_led(_place_word_pieces(words), False, r"\w")
    return re.compile(rf"{led}[ \u00a0]+(?=[{_UPPER_CLASS}])")


@functools.cache
def _place_word_ends(words: frozenset[str]) -> _WordEnds:
    return _WordEnds(_place_word_pattern(words), _place_word_pieces(words), words, False, r"\w")


class _WordEnds:
    """The ends of a word-led pattern's matches (``PIECE[ ]+(?=[UPPER])``, see :func:`_word_led`) over a text,
    found with a pattern led by the character before the word instead (:meth:`ends`), or asked for one offset
    without scanning the text (:meth:`ends_at`). Both give what the word-led pattern's own scan gives.

    :meth:`ends`: led by ``[kdp...]`` and a look-behind, re enters its matcher at every letter of the class,
    most of them inside words; led by ``[^\\w]`` (the character before a word start, consumed), only at the
    characters between words. The last space before the capital is left unconsumed, so that a match may start
    right where the last one ended (a place word after a place word: "Danau Gunung X", case-insensitive), as it
    may in the word-led pattern's scan; each end is then one further on. A text whose first word starts a match
    (no character before it) is scanned with the word-led pattern itself.
    """

    def __init__(
        self, led: re.Pattern[str], pieces: list[str], words: Collection[str], ignorecase: bool, not_after: str
    ) -> None:
        self.led = led
        flags = "i" if ignorecase else ""
        alternatives = _by_first_character(pieces, ignorecase)
        self.before = re.compile(rf"[^{not_after}](?{flags}:{alternatives})[ \u00a0]*(?=[ \u00a0][{_UPPER_CLASS}])")
        self._local_rules(words, ignorecase)

    def ends(self, text: str) -> Iterable[int]:
        if self.led.match(text):
            return map(re.Match.end, self.led.finditer(text))
        return [m.end() + 1 for m in self.before.finditer(text)]

    def _local_rules(self, words: Collection[str], ignorecase: bool) -> None:
        """What :meth:`ends_at` needs, and whether these words allow it (``self.local``; else it scans).

        A match is the place word's words (letters, a space or spaces between them, an optional dot after a
        word of one or two letters), the spaces after it and a capital; it starts where no word character is
        before it. So a match ending at ``c`` has the last word before ``c``'s spaces as its last word, and
        starts at one of the last ``max_words`` words. Whether the text's own scan would find it (re skips
        every offset inside its last match) is read off a scan from that word on, when either
        - every word is in lower case (case-sensitive): no match holds a capital, so two matches that overlap
          end at the same capital, and which of them the scan finds does not matter; or
        - (case-insensitive) no word of a place word after its first can start a place word: a match then
          holds no offset where another may start, and the scan skips none.
        """
        split = [w.split() for w in words]
        self.max_words = max((len(w) for w in split), default=1)
        table: dict[int, int] = {}  # every character a word's letter accepts -> that letter (ignorecase)
        self.local = bool(split) and all(part.isalpha() for w in split for part in w)
        for letter in {c for w in words for c in w if c != " "} if ignorecase else ():
            for variant in _accepted(re.escape(letter)):
                if table.setdefault(ord(variant), ord(letter)) != ord(letter):
                    self.local = False  # a character two letters accept: no one form to compare by
        self._table = table if ignorecase else None
        if ignorecase:
            inner = {self.form(part) for w in split for part in w[1:]}
            self.local = self.local and not inner & {self.form(w[0]) for w in split}
        else:
            self.local = self.local and not any(_UPPER_AT.match(c) or c.isupper() for w in words for c in w)
        self.last_words = frozenset(self.form(w[-1]) for w in split)
        self.local = self.local and all(len(part) < TAIL_LIMIT for w in split for part in w)
        # the last max_words words before an offset, read backwards (on the reversed text)
        self._block = re.compile(rf"\.?\w+(?:[ \u00a0]+\w+){{0,{self.max_words - 1}}}")

    def form(self, word: str) -> str:
        """The form words are compared by: case variants folded to the letter of the place words (ignorecase)."""
        return word.translate(self._table) if self._table is not None else word

    def ends_at(self, text: str, c: int, back: str, q: int, found: dict[_WordEnds, set[int]]) -> bool:
        """Whether ``c`` is in :meth:`ends` of ``text``; ``back`` is the text before ``q`` (the offset before
        ``c``'s spaces), reversed, ``found`` the sets of the texts scanned whole (where it cannot be read locally)."""
        if self.local:
            block = self._block.match(back)
            if block is None:
                return False
            if block.end() < len(back) or len(back) == q:  # the window holds the last words whole
                lo = q - block.end()
                return any(m.end() == c for m in self.led.finditer(text, lo, c + 1))
        ends = found.get(self)
        if ends is None:
            ends = found[self] = set(self.ends(text))
        return c in ends


# Every character of the Basic Multilingual Plane (surrogates left out): what a case-insensitive literal
# accepts is read off it with re itself. No character outside the BMP is a case variant of one inside it.
@functools.cache
def _bmp() -> str:
    return "".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xE000, 0x10000)))


@functools.cache
def _accepted(literal: str) -> frozenset[str]:
    """The characters the escaped character ``literal`` matches case-insensitively, read off re itself."""
    return frozenset(re.findall(f"(?i:{literal})", _bmp()))


def _first_characters(pieces: list[str], ignorecase: bool) -> list[tuple[str, frozenset[str], list[str]]] | None:
    """The regex ``pieces`` (each starting with one escaped literal character) grouped by that character,
    in order of first appearance: (the character escaped, the characters it accepts, the rests in order).

    None when two groups could match the same character (with ``ignorecase``, checked with re itself).
    """
    groups: dict[str, tuple[str, frozenset[str], list[str]]] = {}
    for piece in pieces:
        first = re.match(r"\\?.", piece, re.DOTALL)
        assert first is not None
        head = first.group()
        accepted = _accepted(head) if ignorecase else frozenset(head[-1])
        head = next((h for h, (_, a, _) in groups.items() if a == accepted), head)
        groups.setdefault(head, (head, accepted, []))[2].append(piece[first.end() :])
    sets = [a for _, a, _ in groups.values()]
    if sum(map(len, sets)) != len(frozenset[str]().union(*sets)):
        return None
    return list(groups.values())


def _by_first_character(pieces: list[str], ignorecase: bool) -> str:
    """The alternation ``a|b|...`` of the regex ``pieces`` (each starting with one escaped literal
    character), factored by that character: ``k(?:ota|abupaten)|d(?:esa|usun)``.

    re tries every branch of a flat alternation at every word start (case-insensitive branches have no
    first-character shortcut), so the scans of every article for place words cost a branch per word of
    the lists. Factored, one branch is tried. The matches are the same: branches with different first
    characters never match at the same place (checked here, with re itself, for ``ignorecase``: each
    group's character accepts a set of characters disjoint from the others'; else the flat alternation
    is returned), and within a group the branches keep their order, so the branch re picks is the same.
    """
    if not pieces:
        return "(?!)"
    groups = _first_characters(pieces, ignorecase)
    if groups is None:
        return "|".join(pieces)  # two groups could match one character: keep re's own order
    return "|".join(f"{head}(?:{'|'.join(rests)})" for head, _, rests in groups)


def _word_led(pieces: list[str], ignorecase: bool, not_after: str) -> str:
    """``(?<!not_after)(?:a|b|...)`` for the regex ``pieces`` (see :func:`_by_first_character`), written to
    start with a class of every first character the branches accept:
    ``[kKdD](?<!\\w.)(?:(?<=[kK])(?:ota|abupaten)|(?<=[dD])(?:esa|usun))``.

    A pattern that starts with a character class lets re skip, in C, every position of the text whose
    character no branch can start with, instead of entering the matcher at each one (a case-insensitive
    pattern or one that starts with a look-behind gets no such skip). The matches are the same: the
    look-behind over two characters checks the one before the first, and the one-character look-behinds
    pick the group of the first character, as the factored alternation does.
    """
    flags = "i" if ignorecase else ""
    groups = _first_characters(pieces, ignorecase) if pieces else None
    if groups is None:
        return rf"(?<!{not_after})(?{flags}:{'|'.join(pieces) or '(?!)'})"

    def chars(accepted: frozenset[str]) -> str:
        return "".join(map(re.escape, sorted(accepted)))

    everything = chars(frozenset[str]().union(*(a for _, a, _ in groups)))
    branches = "|".join(f"(?<=[{chars(a)}])(?{flags}:{'|'.join(rests)})" for _, a, rests in groups)
    return rf"[{everything}](?<!{not_after}.)(?:{branches})"


class NameIndex:
    """The names to look for: curated ones (taken as found) and GeoNames ones (checked first)."""

    def __init__(
        self,
        folded: Iterable[str] = (),
        exact: Iterable[str] = (),
        weak: KeySet | None = None,
        weak_max_words: int = 1,
        admin: AdminAreas | None = None,
    ) -> None:
        self.folded = frozenset(folded)
        self.exact = frozenset(exact)
        self.weak = weak
        self.admin = admin  # administrative areas: names recognised with the hierarchy's evidence
        self.weak_sources: tuple[NameSource, ...] = ()  # GeoNames tier: answer lookup(name) for the weak names
        self.country_source: NameSource | None = None  # country names: which countries an article names
        words = [len(k.split()) for k in self.folded | self.exact]
        self.max_words = max([*words, weak_max_words if weak is not None else 1, admin.max_words if admin else 1])
        self._first_words = frozenset(k.split()[0] for k in self.folded | self.exact if " " in k)
        self._words: dict[str, int] = {}
        self._tiers: dict[str, int] = {}
        self._starts: dict[str, int] = {}
        self._admin_keys: dict[str, bool] = {}  # folded name -> an administrative area's name (asked per word)
        self._admin_units: dict[str, tuple[int, ...]] = {}
        self._admin_levels: dict[str, tuple[tuple[int, str, str], ...]] = {}
        self._admin_top: dict[str, bool] = {}
        self._admin_parts: dict[str, tuple[frozenset[int], frozenset[int], tuple[tuple[int, str], ...]]] = {}
        self._spans: dict[str, tuple[int, str, bool]] = {}  # surface -> (tier, key, an area's name)
        self._country_codes: dict[str, tuple[str, ...]] = {}  # name -> the countries the country source gives
        self._country_codes_of: NameSource | None = None
        self._admin_longer: dict[str, bool] = {}
        self._largest: dict[str, int] = {}  # surface -> largest_population (common words are asked in every article)
        self._largest_of: tuple[NameSource, ...] | None = None
        self._country_prefixes: frozenset[str] | None = None

    @classmethod
    def from_sources(cls, *sources: NameSource) -> NameIndex:
        """Merge every source's names: strong tiers are taken as found, the others give the weak
        tier, whose names must look like a place here (see :data:`nkmap.sources.base.TIER_RULES`).

        An administrative-area source (``Tier.ADMIN`` with a hierarchy, :class:`nkmap.sources.admin.AdminAreas`)
        is recognised with the hierarchy's evidence instead (see ``_Scan.admin_evidence``).
        """
        folded: set[str] = set()
        exact: set[str] = set()
        weak: list[KeySet] = []
        weak_words = 1
        weak_sources: list[NameSource] = []
        admin: AdminAreas | None = None
        index_countries: NameSource | None = None
        for source in sources:
            if source.tier == Tier.ADMIN and isinstance(source, Hierarchy):
                admin = source  # type: ignore[assignment]
                continue
            names = source.names()
            if source.tier == Tier.COUNTRY and index_countries is None:
                index_countries = source
            if is_strong(source.tier):
                folded.update(names.folded)
                exact.update(names.exact)
                continue
            weak.append(names.folded)
            words = names.max_words or max((len(k.split()) for k in names.folded), default=1)
            weak_words = max(weak_words, words)
            if source.tier == Tier.GEONAMES:
                weak_sources.append(source)
        index = cls(
            folded,
            exact,
            weak[0] if len(weak) == 1 else _AnyOf(weak) if weak else None,
            weak_words,
            admin,
        )
        index.weak_sources = tuple(weak_sources)
        index.country_source = index_countries
        return index

    def largest_population(self, surface: str) -> int | None:
        """The population of the largest GeoNames place whose own name is ``surface`` (None: unknown).

        Alternate names do not count: "Maka" is an alternate name of Makkah but an ordinary word.
        """
        if not self.weak_sources:
            return None
        if self._largest_of is not self.weak_sources:  # remembered per surface, for these sources
            self._largest, self._largest_of = {}, self.weak_sources
        largest = self._largest.get(surface)
        if largest is None:
            if len(self._largest) >= CACHE_LIMIT:
                self._largest.clear()
            largest = self._largest[surface] = self._largest_population(surface)
        return largest

    def _largest_population(self, surface: str) -> int:
        key = name_key(surface)
        for source in self.weak_sources:
            places = source.lookup(surface)
            if places:
                if not isinstance(source, Derived):  # a source that answers for other forms ("Москве")
                    places = [p for p in places if name_key(p.name) == key]
                return max((p.population or 0 for p in places), default=0)
        return 0

    def tier(self, surface: str) -> int:
        """STRONG, WEAK or UNKNOWN for a name as written, remembered: names recur across a corpus, and
        the weak tier asks several key sets (GeoNames, case forms, variants, near misses) each time."""
        tier = self._tiers.get(surface)
        if tier is None:
            if len(self._tiers) >= CACHE_LIMIT:
                self._tiers.clear()  # bounded memory on a huge corpus
            tier = self._tiers[surface] = self._tier(surface)
        return tier

    def _tier(self, surface: str) -> int:
        if surface in self.exact:
            return STRONG
        key = name_key(surface)
        if key in self.folded:
            return STRONG
        return WEAK if self.weak is not None and key in self.weak else UNKNOWN

    def is_admin(self, key: str) -> bool:
        """Whether ``key`` (a folded name) is an administrative area's name, remembered: the scan asks it
        for every run of capitalised words, and each answer is a trie lookup."""
        known = self._admin_keys.get(key)
        if known is None:
            if self.admin is None:
                return False
            if len(self._admin_keys) >= CACHE_LIMIT:
                self._admin_keys.clear()
            known = self._admin_keys[key] = key in self.admin
        return known

    def admin_longer(self, word: str) -> bool:
        """Whether an administrative area's name of several words starts with ``word`` (as written), remembered.

        A run of words folds to the first word's key, a space and the rest's (see :meth:`start_flags`), so
        when no area's name starts with that key and a space, the run is no area's name beyond the word.
        """
        known = self._admin_longer.get(word)
        if known is None:
            if len(self._admin_longer) >= CACHE_LIMIT:
                self._admin_longer.clear()
            key = name_key(word)
            known = self._admin_longer[word] = bool(key) and self.admin is not None and self.admin.starts_longer(key)
        return known

    def admin_named(self, key: str) -> tuple[int, ...]:
        """``admin.named(key)``, remembered (the areas an article names recur across a corpus)."""
        units = self._admin_units.get(key)
        if units is None:
            if len(self._admin_units) >= CACHE_LIMIT:
                self._admin_units.clear()
            units = self._admin_units[key] = tuple(self.admin.named(key))  # type: ignore[union-attr]
        return units

    def span(self, surface: str) -> tuple[int, str, bool]:
        """(:meth:`tier`, the key, :meth:`is_admin` of the key) of a run of words as written, remembered: the
        scan asks all three for every candidate, and the same runs recur across a corpus."""
        facts = self._spans.get(surface)
        if facts is None:
            if len(self._spans) >= CACHE_LIMIT:
                self._spans.clear()
            key = name_key(surface)
            facts = self._spans[surface] = (self.tier(surface), key, self.is_admin(key))
        return facts

    def admin_levels(self, key: str) -> tuple[tuple[int, str, str], ...]:
        """(unit, level, country) of each unit :meth:`admin_named` gives, remembered."""
        levels = self._admin_levels.get(key)
        if levels is None:
            if len(self._admin_levels) >= CACHE_LIMIT:
                self._admin_levels.clear()
            unit = self.admin.unit  # type: ignore[union-attr]
            levels = self._admin_levels[key] = tuple((u, unit(u).level, unit(u).country) for u in self.admin_named(key))
        return levels

    def admin_top(self, key: str) -> bool:
        """Whether a province or a regency is among the units :meth:`admin_levels` gives, remembered."""
        top = self._admin_top.get(key)
        if top is None:
            if len(self._admin_top) >= CACHE_LIMIT:
                self._admin_top.clear()
            top = self._admin_top[key] = any(level in ("province", "regency") for _, level, _ in self.admin_levels(key))
        return top

    def admin_parts(self, key: str) -> tuple[frozenset[int], frozenset[int], tuple[tuple[int, str], ...]]:
        """(the units :meth:`admin_named` gives, the provinces and regencies among them, those with their
        country), remembered: an article's areas are tallied in sets per name, not unit by unit."""
        parts = self._admin_parts.get(key)
        if parts is None:
            if len(self._admin_parts) >= CACHE_LIMIT:
                self._admin_parts.clear()
            tops = tuple(
                (u, country) for u, level, country in self.admin_levels(key) if level in ("province", "regency")
            )
            units = frozenset(self.admin_named(key))
            parts = self._admin_parts[key] = (units, frozenset(u for u, _ in tops), tops)
        return parts

    def country_codes(self, name: str) -> tuple[str, ...]:
        """The countries of the country source's places called ``name``, remembered (per source)."""
        source = self.country_source
        if self._country_codes_of is not source:
            self._country_codes, self._country_codes_of = {}, source
        codes = self._country_codes.get(name)
        if codes is None:
            if len(self._country_codes) >= CACHE_LIMIT:
                self._country_codes.clear()
            codes = self._country_codes[name] = tuple(p.country for p in source.lookup(name) if p.country)  # type: ignore[union-attr]
        return codes

    def word_infos(self, words: list[str]) -> list[int]:
        """:meth:`word_info` of each word: the cached ones read in one C loop."""
        infos = list(map(self._words.get, words))
        if None in infos:
            word_info = self.word_info
            for i in _missing(infos):  # only the words not cached are visited in Python
                infos[i] = word_info(words[i])
        return infos  # type: ignore[return-value]

    def word_info(self, word: str) -> int:
        """For one capitalised word, cached: NAME if it is a name alone, LONGER if a longer
        name may start with it, GLUED if the part before an apostrophe is a curated name.
        0 (the common case) lets the scan skip the word at dict-lookup cost."""
        info = self._words.get(word)
        if info is None:
            key = name_key(word)
            info = NAME if self.tier(word) != UNKNOWN or self.is_admin(key) else 0
            first = key.split()[0] if key else ""
            if (
                first in self._first_words
                or (self.weak is not None and " " not in key and next(self.weak.iterkeys(key + " "), None))  # type: ignore[union-attr]
                or (self.admin is not None and first and self.admin.starts_longer(first))
            ):
                info |= LONGER
            if " " in key:  # hyphenated: "Nagorno-Karabakh" is one token to the scan
                info |= LONGER
            head = _GLUED_HEAD.match(word)
            if head and self.tier(head.group(0)) != UNKNOWN:
                info |= GLUED
            if len(self._words) >= CACHE_LIMIT:
                self._words.clear()
            self._words[word] = info
        return info

    def start_flags(self, words: list[str]) -> list[int]:
        """For each capitalised word, cached: ADMIN_START if an administrative area's name is the word or
        begins with it, COUNTRY_START if a country's name (of the country source) does.

        A run of words folds to the first word's key, a space and the rest's, so a word that neither is
        a name nor begins one starts no name: the whole-text scans for areas and countries skip it.
        """
        cache = self._starts
        flags = list(map(cache.get, words))
        if None in flags:
            if len(cache) >= CACHE_LIMIT:
                cache.clear()
            for i in _missing(flags):  # only the words not cached are visited in Python
                word = words[i]
                flags[i] = cache.get(word)
                if flags[i] is None:
                    flags[i] = cache[word] = self._start_flags(word)
        return flags  # type: ignore[return-value]

    def _start_flags(self, word: str) -> int:
        key = name_key(word)
        if not key:
            return 0
        admin, flags = self.admin, 0
        if admin is not None:
            flags |= (ADMIN_START | ADMIN_NAME if key in admin else 0) | (
                ADMIN_START | ADMIN_LONGER if admin.starts_longer(key) else 0
            )
        if self.country_source is not None:
            if self._country_prefixes is None:
                prefixes: set[str] = set()
                for k in self.country_source.names().folded:
                    words = k.split(" ")
                    prefixes.update(" ".join(words[:n]) for n in range(1, len(words)))
                self._country_prefixes = frozenset(prefixes)
            if key in self.country_source.names().folded:
                flags |= COUNTRY_START | COUNTRY_NAME
            if key in self._country_prefixes:
                flags |= COUNTRY_START | COUNTRY_LONGER
        return flags


def _missing(values: list[int | None]) -> Iterator[int]:
    """The indexes of the Nones in ``values``, found in C (most words of an article are cached)."""
    return itertools.compress(itertools.count(), map(operator.is_, values, itertools.repeat(None)))


class _AnyOf:
    """Several weak key sets searched as one."""

    def __init__(self, parts: list[KeySet]) -> None:
        self.parts = parts

    def __contains__(self, key: object) -> bool:
        return any(key in part for part in self.parts)

    def iterkeys(self, prefix: str = "") -> Iterator[str]:
        return itertools.chain.from_iterable(part.iterkeys(prefix) for part in self.parts)

    def __iter__(self) -> Iterator[str]:
        return itertools.chain.from_iterable(self.parts)


class _Scan:
    """The state of one article's scan: its text, dateline and lazily computed word facts."""

    def __init__(
        self,
        text: str,
        rules: RecognitionRules,
        language: str = "",
        names: NameIndex | None = None,
        dateline_start: int = -1,
    ) -> None:
        self.text = text
        self.rules = rules
        self.language = language
        self.names = names
        self._admin_anchored: set[int] | None = None
        self._countries: set[str] | None = None
        self.dateline_start = dateline_start
        self._lowercase: set[str] | None = None
        self._lower_answers: dict[str, bool] = {}  # written_in_lower_case's answers read at the occurrences
        self._caps: list[re.Match[str]] | None = None  # every capitalised word, found once per article
        self._words: list[str] | None = None  # their text
        self._starting: dict[int, list[re.Match[str]]] = {}  # start flag -> the words with it
        self._starting_flags: dict[int, list[int]] = {}  # start flag -> those words' flags
        self._features: dict[int, re.Match[str]] | None = None  # start -> _feature_after_pattern's match there
        self._in_feature: set[int] = set()  # the offsets inside those matches (after their first character)
        self._admin_words: dict[tuple[int, int], str] = {}  # span -> admin_word_near
        # offset -> _name_word_after there (None: the name ends): the runs of names and of areas' names read once
        self.steps: dict[int, int | None] = {}
        self._word_ends: dict[_WordEnds, set[int]] = {}  # the texts _WordEnds.ends_at scanned whole
        self._triggers = _rules_memo(rules, "triggers")
        self._verdicts = _rules_memo(rules, "verdicts")
        self._admin_verdicts = _rules_memo(rules, "admin verdicts")
        self._befores = _rules_memo(rules, "befores")
        self._word_ends_of = (_place_word_ends(rules.place_triggers), _feature_before_ends(rules.feature_before))
        # Why the last check said no (place_check, admin_evidence): set only where a rule rejects, read
        # only when the whole candidate is rejected, so the common path pays nothing for it.
        self.why: Reason = Reason.NO_EVIDENCE
        self.rejected: tuple[int, int, Reason] | None = None  # the candidate _longest_name last turned down

    def capitalised(self) -> list[re.Match[str]]:
        """Every capitalised word of the text (one scan per article, shared by the scans below)."""
        if self._caps is None:
            self._caps = list(_CAPITALISED.finditer(self.text))
        return self._caps

    def words(self) -> list[str]:
        """The capitalised words as written (one string each, shared by the scans below)."""
        if self._words is None:
            self._words = list(map(re.Match.group, self.capitalised()))
        return self._words

    def starting(self, flag: int) -> list[re.Match[str]]:
        """The capitalised words that may start an area's (ADMIN_START) or a country's (COUNTRY_START) name."""
        if not self._starting:
            caps = self.capitalised()
            flags = self.names.start_flags(self.words())  # type: ignore[union-attr]
            for f in (ADMIN_START, COUNTRY_START):
                chosen = list(map(operator.and_, flags, itertools.repeat(f)))
                self._starting[f] = list(itertools.compress(caps, chosen))
                self._starting_flags[f] = list(itertools.compress(flags, chosen))
        return self._starting[flag]

    def after_place_words(self) -> set[int]:
        """Offsets right after a place word written in lower case ("desa ", "village of "), the dateline,
        and the starts of names a feature word introduces or follows ("Gunung Semeru", "Turia River")."""
        # map(re.Match.end, ...): the offsets in C, without a Python frame per match
        found = set(_place_word_ends(self.rules.place_triggers).ends(self.text))
        if self.dateline_start >= 0:
            found.add(self.dateline_start)
        found.update(_feature_before_ends(self.rules.feature_before).ends(self.text))
        found.update(self.features())
        return found

    def features(self) -> dict[int, re.Match[str]]:
        """The matches of _feature_after_pattern's scan of the text, by start (found once per article)."""
        if self._features is None:
            self._features = {
                m.start(): m for m in _feature_after_pattern(self.rules.feature_after).finditer(self.text)
            }
            for m in self._features.values():
                self._in_feature.update(range(m.start() + 1, m.end()))
        return self._features

    def after_place_word(self, start: int) -> bool:
        """Whether ``start`` is in :meth:`after_place_words`, read around ``start`` instead of scanning the
        whole text for place words (see :meth:`_WordEnds.ends_at`): only the words that no source knows ask,
        and few of them follow a word that ends a place word."""
        features = self._features if self._features is not None else self.features()
        if start == self.dateline_start or start in features:
            return True
        text = self.text
        if not start or text[start - 1] not in " \u00a0" or not _UPPER_AT.match(text, start):
            return False  # each match ends in spaces before a capital
        q = start - 1
        while q and text[q - 1] in " \u00a0":
            q -= 1
        # the word before (its last TAIL_LIMIT characters: a longer word ends no place word)
        last = _LAST_WORD.match(text[max(0, q - TAIL_LIMIT) : q][::-1])
        if last is None:
            return False
        word = last.group(1)[::-1]
        place, feature = self._word_ends_of
        known = self._befores.get(word)  # (the same few words come before capitals everywhere)
        if known is None:
            if len(self._befores) >= CACHE_LIMIT:
                self._befores.clear()
            known = self._befores[word] = (
                not place.local or place.form(word) in place.last_words,
                not feature.local or feature.form(word) in feature.last_words,
            )
        in_place, in_feature = known
        if not (in_place or in_feature):
            return False
        back = text[max(0, q - BACK_LIMIT) : q][::-1]
        return (in_place and place.ends_at(text, start, back, q, self._word_ends)) or (
            in_feature and feature.ends_at(text, start, back, q, self._word_ends)
        )

    def feature_after(self, start: int) -> re.Match[str] | None:
        """``_feature_after_pattern``'s match at ``start``: the scan of :meth:`after_place_words` found each one
        that starts where no other match of its is (re tries every offset its last match did not cover), so
        only an offset inside one of those is matched here again."""
        m = self.features().get(start)
        if m is None and start in self._in_feature:
            return _feature_after_pattern(self.rules.feature_after).match(self.text, start)
        return m

    def feature_evidence(self, start: int, end: int) -> tuple[int, str] | None:
        """(the end of the feature's name, the feature word) when a feature word names the run at
        ``start``: "Gunung Semeru" (the name only), "Turia River", "Ezine Çayı" (the word is part of the name)."""
        m = self.feature_after(start)
        if m:
            return m.end(), name_key(m.group(1))
        # (the last words only: rsplit gives the last ones split() would, without splitting the rest)
        if self.text[start - 1 : start] in (" ", "\u00a0") and (
            words := self.text[max(0, start - 30) : start].rsplit(None, 1)
        ):
            word = name_key(words[-1].rstrip("."))
            if word in self.rules.feature_before and (len(word) <= 2 or not words[-1].endswith(".")):
                return self.unknown_run(end), word
        return None

    def unknown_run(self, end: int, limit: int = 3) -> int:
        """Like ``_capitalised_run``, but it stops before a word that is a name of its own or a stop
        word: "Sungai Ampal" in "Sungai Ampal Balikpapan", "Rante" in "Gunung Rante Kecamatan Talawi"."""
        names = self.names
        for _ in range(limit - 1):
            nxt = _NEXT_WORD.match(self.text, end) if self.text[end : end + 1] in _JOINERS else None
            if nxt is None:
                break
            word = nxt.group(1)
            if (
                not word[:1].isupper()
                or name_key(word) in self.rules.stopwords  # "Kecamatan", "Desa": the next name's place word
                or (names is not None and names.word_info(word))
            ):
                break
            end = nxt.end()
        return end

    def trigger_before(self, start: int) -> tuple[str, str]:
        """(place-word trigger or weak trigger or "", the previous word as written)."""
        if start == self.dateline_start:
            return "dateline", ""
        text = self.text
        if start < 2 or text[start - 1] not in " \u00a0" or "\n" in text[start - 3 : start]:
            return "", ""
        words = text[max(0, start - 40) : start].rsplit(None, 2)  # the last two of split()'s words (and one more)
        if not words:
            return "", ""
        # what the last two words say is remembered (per rules): the same words precede names everywhere
        pair = (words[-2] if len(words) > 1 else None, words[-1])
        found = self._triggers.get(pair)
        if found is None:
            if len(self._triggers) >= CACHE_LIMIT:
                self._triggers.clear()
            found = self._triggers[pair] = self._trigger_of(words[-2:])
        return found

    def _trigger_of(self, words: list[str]) -> tuple[str, str]:
        """:meth:`trigger_before` for the last (one or two) words before the name."""
        if not _is_word(words[-1]):
            return "", ""
        one = name_key(words[-1])
        two = f"{name_key(words[-2])} {one}" if len(words) > 1 and _is_word(words[-2]) else ""
        if two in self.rules.titles:  # "Wali kota Philippe Godin": a two-word title, not the place word "kota"
            return "", f"{words[-2]} {words[-1]}"
        for candidate in (two, one):
            if candidate and candidate in self.rules.place_triggers:
                return candidate, words[-1]
        if one in self.rules.weak_triggers:
            return one, words[-1]
        return "", words[-1]

    def trigger_after(self, end: int) -> str:
        m = _NEXT_WORD.match(self.text, end) if self.text[end : end + 1] in _JOINERS else None
        if m and name_key(m.group(1)) in self.rules.place_triggers_after:
            return name_key(m.group(1))
        return ""

    def written_in_lower_case(self, surface: str) -> bool:
        """Whether the article also writes this word in lower case: then it is a common word."""
        lower = surface.lower()
        if self._lowercase is not None:
            return lower in self._lowercase
        known = self._lower_answers.get(lower)  # a name recurs in its article: its occurrences are read once
        if known is None:
            known = self._lower_answers[lower] = self._written_in_lower_case(lower)
        return known

    def _written_in_lower_case(self, lower: str) -> bool:
        # Whether one of the words _LOWER_WORD finds in the text is ``lower``, read at its occurrences (found in
        # C) instead of finding every word: an occurrence is such a word when the pattern matches exactly it
        # and no word character or apostrophe follows. After an apostrophe it may be the tail of a word found
        # before ("l'armée"): then, or after many occurrences, the words are found as the pattern finds them.
        text = self.text
        at = text.find(lower) if lower else 0
        looked = 0
        while at != -1:
            if not lower or (at and text[at - 1] in "'’") or looked == LOWER_LOOKS:
                self._lowercase = set(_LOWER_WORD.findall(text))
                return lower in self._lowercase
            end = at + len(lower)
            if _LOWER_WORD.fullmatch(text, at, end) and not _WORD_GOES_ON.match(text, end):
                return True
            looked += 1
            at = text.find(lower, at + 1)
        return False

    def common_word(self, surface: str) -> bool:
        """An ordinary word of the article's language (wordfreq), unless a large place has the name.

        Place names are frequent words too ("Jakarta"), so only very frequent words count, and a
        city of BIG_PLACE people keeps its name: "Ruang" (room) or "Bukan" (not) are words here.
        """
        if not self.language or zipf(surface.lower(), self.language) < self.rules.common_word_zipf:
            return False
        largest = self.names.largest_population(surface) if self.names is not None else None
        return largest is None or largest < BIG_PLACE

    def opens_sentence(self, start: int) -> bool:
        before = self.text[max(0, start - 4) : start].rstrip(" \t\u00a0\"“'‘(")
        return not before or before[-1] in ".!?…\n|"

    def evidence_of(self, trigger: str) -> Evidence:
        """The typed evidence of a trigger word found before or after a name ("" for none)."""
        if not trigger:
            return NO_EVIDENCE
        if trigger == "dateline":
            return _evidence(Cue.DATELINE)
        return _evidence(Cue.WEAK_WORD if trigger in self.rules.weak_triggers else Cue.PLACE_WORD, trigger)

    def surface_verdict(self, surface: str) -> tuple[Reason | None, bool]:
        """(the reason :meth:`place_check` turns ``surface`` down whatever its context, or None; whether it
        is one word), remembered per rules: the same stop words ("The", "Di") lead candidates everywhere,
        and a name the surface alone rejects needs none of the reads around it."""
        found = self._verdicts.get(surface)
        if found is None:
            if len(self._verdicts) >= CACHE_LIMIT:
                self._verdicts.clear()
            found = self._verdicts[surface] = self._surface_verdict(surface)
        return found

    def _surface_verdict(self, surface: str) -> tuple[Reason | None, bool]:
        words = name_key(surface).split()
        rules = self.rules
        first_stop = words[0] in rules.stopwords and not (len(words) > 1 and words[0] in rules.particles)
        if first_stop or words[-1] in rules.stopwords:
            return Reason.STOP_WORD, len(words) == 1
        if len(surface) < 3:
            return Reason.TOO_SHORT, len(words) == 1
        if name_key(surface) in rules.demonyms:
            return Reason.DEMONYM, len(words) == 1
        return None, len(words) == 1

    def place_check(self, start: int, end: int, trigger: str, previous: str) -> Evidence | None:
        """Whether a name only a weak source knows can be a mention here.

        None: it cannot (a stop word, a demonym, a title's person, a word the article also
        writes in lower case). Otherwise the evidence to record: the trigger, or a doubt
        (a sentence opener, inside a capitalised run) that leaves it to the resolver to accept
        the name only for a large or well-supported place.
        """
        surface = self.text[start:end]
        why, single = self.surface_verdict(surface)
        if why is not None:
            self.why = why
            return None
        rules = self.rules
        if name_key(previous) in rules.titles or self.person_context(start, end, trigger):
            self.why = Reason.PERSON
            return None
        if trigger in rules.place_triggers or trigger == "dateline":
            return self.evidence_of(trigger)
        if single and (self.written_in_lower_case(surface) or self.common_word(surface)):
            self.why = Reason.COMMON_WORD
            return None
        if surface.isupper():
            self.why = Reason.ACRONYM
            return None  # an acronym (BBC, TNI) far more often than a place; datelines are caught above
        if previous[:1].isupper() and not trigger:
            return _evidence(Cue.IN_NAME)  # the end of a longer capitalised name: a person or an organisation
        nxt = _NEXT_WORD.match(self.text, end) if self.text[end : end + 1] in _JOINERS else None
        if nxt and nxt.group(1)[:1].isupper() and self.text[end] != "-":
            return _evidence(Cue.IN_NAME)
        if not trigger and self.opens_sentence(start):
            return _evidence(Cue.SENTENCE_OPENER)
        return self.evidence_of(trigger)

    def in_organisation(self, start: int, end: int) -> bool:
        """Whether the name is part of an organisation's or outlet's name, not a mention of the place.

        "Sudan People's Liberation Movement", "New York Times", "BBC Turki", "PikiranRakyat-Cirebon.com".
        State organs stay mentions ("Kementerian Pertahanan Rusia", "Sudan Health Ministry"): their
        words are not on the lists.
        """
        text = self.text
        left = text.rfind(" ", 0, start) + 1
        right = len(text) if (space := _SPACE.search(text, end)) is None else space.start()
        token = text[left:right]
        if ("." in token or "@" in token or ":" in token) and _WEB.search(token.lower()):
            return True  # a domain, an address or a handle (each has one of .@: in it)
        rules = self.rules
        pos = end
        for _ in range(ORGANISATION_REACH):  # the capitalised run after the name
            nxt = _NEXT_WORD.match(text, pos) if text[pos : pos + 1] in _JOINERS else None
            if not nxt:
                break
            word = nxt.group(1)
            key = name_key(word)
            if not (word[:1].isupper() or key in rules.particles):
                break
            if key in rules.organisation_after:
                return True
            pos = nxt.end()
        if start == 0 or text[start - 1] != " ":  # (checked first: the test below needs a space before)
            return False
        words = text[max(0, start - 30) : start].rsplit(None, 1)  # its last word is split()'s
        return (  # the word before is written as a name ("Antara", not "antara", between)
            bool(words) and words[-1][:1].isupper() and name_key(words[-1]) in rules.organisation_before
        )

    def person_context(self, start: int, end: int, trigger: str = "") -> bool:
        """Whether the text around a name says it is a person's: an age after it ("Lourdes, 34 years
        old", "Ahmad (34)"), a speech verb after it ("X said") or before it ("kata X", "dijo X").

        After a preposition or a place word ``trigger`` ("groups in Port Sudan said", "Kastamonu (62)"
        in a death toll) only the spelled-out age counts: the name there is a place's."""
        text = self.text
        age = _AGE.match(text, end)
        if age and (not trigger or not age.group().lstrip().startswith("(")):
            return True
        nxt = _NEXT_WORD.match(text, end) if text[end : end + 1] in _JOINERS else None
        if not trigger and nxt and text[end] == " " and name_key(nxt.group(1)) in self.rules.speech_after:
            return True
        if start == 0 or text[start - 1] != " ":
            return False
        words = text[max(0, start - 30) : start].rsplit(None, 1)  # its last word is split()'s
        return bool(words) and name_key(words[-1]) in self.rules.speech_before

    def admin_word_near(self, start: int, end: int) -> str:
        """The administrative place word right before ("Kabupaten", "state of") or after ("Oblast") a name
        (remembered per span: the spans of :meth:`admin_anchored` are asked again as candidates)."""
        word = self._admin_words.get((start, end))
        if word is None:
            word = self._admin_words[(start, end)] = self._admin_word_near(start, end)
        return word

    def _admin_word_near(self, start: int, end: int) -> str:
        text = self.text
        if start > 0 and text[start - 1] in " \u00a0" and (words := text[max(0, start - 40) : start].rsplit(None, 2)):
            one = name_key(words[-1]).rstrip(".")
            two = f"{name_key(words[-2])} {one}" if len(words) > 1 else ""
            for candidate in (two, one):
                if candidate and candidate in self.rules.admin_before:
                    return candidate
        nxt = _NEXT_WORD.match(text, end) if text[end : end + 1] in _JOINERS else None
        if nxt and (after := name_key(nxt.group(1))) in self.rules.admin_after:
            return after
        return ""

    def admin_surface_verdict(self, surface: str) -> tuple[Reason | None, bool]:
        """(the reason :meth:`admin_evidence` turns ``surface`` down whatever its context, or None; whether it is
        one word), remembered per rules like :meth:`surface_verdict`."""
        found = self._admin_verdicts.get(surface)
        if found is None:
            if len(self._admin_verdicts) >= CACHE_LIMIT:
                self._admin_verdicts.clear()
            found = self._admin_verdicts[surface] = self._admin_surface_verdict(surface)
        return found

    def _admin_surface_verdict(self, surface: str) -> tuple[Reason | None, bool]:
        key = name_key(surface)
        words = key.split()
        rules = self.rules
        # A name of several words is an area's whole name even when its words are ordinary ("Gunung
        # Rante", "Sibau Hulu", "Tanjung Lasa"); a single word must not be a stop word or a demonym.
        if len(surface) < 3 or key in rules.demonyms or all(w in rules.stopwords for w in words):
            why = (
                Reason.TOO_SHORT if len(surface) < 3 else Reason.DEMONYM if key in rules.demonyms else Reason.STOP_WORD
            )
            return why, len(words) == 1
        return None, len(words) == 1

    def admin_evidence(self, start: int, end: int, key: str | None = None) -> Evidence | None:
        """Whether an administrative area's name is a mention here: the evidence word, or None.

        A unit counts when a place word names its level ("Kecamatan Pronojiwo", "Sindh province"),
        when its own name cannot be an ordinary word (provinces and regencies), or when the article
        names a unit above or below it (a village of the regency the article names).
        """
        names = self.names
        if names is None or names.admin is None:
            return None
        surface = self.text[start:end]
        why, single = self.admin_surface_verdict(surface)
        if why is not None:
            self.why = why
            return None
        if key is None:
            key = name_key(surface)
        units = names.admin_named(key)
        anchored = self.admin_anchored()
        if anchored.isdisjoint(units):  # (in C: a common name has many units)
            self.why = Reason.NO_EVIDENCE  # no place word, and the article names no unit above or below it
            return None
        word = self.admin_word_near(start, end)
        if not word and single and self.written_in_lower_case(surface):
            self.why = Reason.COMMON_WORD
            return None  # "Sungai Kapuas" after "sejumlah sungai": the word, not a village called Sungai
        # The hierarchy stands in for a place word (the word says which): a village of the regency named.
        return _evidence(Cue.PLACE_WORD, word or "hierarchy")

    def admin_anchored(self) -> set[int]:
        """The administrative units this article names with evidence, and those it names that are
        above or below one of them (computed once per article)."""
        if self._admin_anchored is not None:
            return self._admin_anchored
        admin = self.names.admin if self.names is not None else None
        assert admin is not None, "called only where the index has administrative areas"
        names = self.names
        text = self.text
        named: set[int] = set()  # the units the article names
        anchored: set[int] = set()  # those it names with their own evidence
        for start, end in self._admin_spans():
            surface = text[start:end]
            key = name_key(surface)
            units, top, tops = names.admin_parts(key)  # type: ignore[union-attr]
            named.update(units)
            if self.admin_word_near(start, end):  # a place word names the level: every unit of the name is named
                anchored.update(units)
                continue
            if not tops:  # no province or regency: no unit of the name is named with its own evidence
                continue
            # Provinces and regencies are few and distinctive: their name is enough, unless it is one word, an
            # ordinary word ("Puncak", summit) or a short capital abbreviation, of a country neither the
            # article's language is at home in nor the article names. Each is asked only when the ones before
            # leave it open (article_countries reads the whole text).
            if " " in key or not (self.common_word(surface) or (surface.isupper() and len(surface) <= 4)):  # "BBC"
                anchored.update(top)
                continue
            home = home_countries(self.language)
            anchored.update(u for u, country in tops if country in home or country in self.article_countries())
        pending = [u for u in named if u not in anchored]  # (in any order: each pass below reads only the last)
        # each unit's chain upwards (cached in the source), needed only when some unit waits for a neighbour
        ancestry = {u: admin.ancestry(u) for u in named} if pending else {}
        ordinary: dict[int, bool] = {}  # unit -> its name is an ordinary word here (asked at most once)
        while pending:
            above = {a for u in anchored for a in ancestry[u]}
            grown = set()
            for u in pending:
                if u in above or not anchored.isdisjoint(ancestry[u]):
                    if u not in ordinary:
                        ordinary[u] = self.hierarchy_common_word(admin.unit(u).name)
                    if not ordinary[u]:
                        grown.add(u)
            if not grown:
                break
            anchored |= grown
            pending = [u for u in pending if u not in grown]
        self._admin_anchored = anchored
        return anchored

    def article_countries(self) -> set[str]:
        """The ISO codes of the countries the article names (by the country source's names)."""
        if self._countries is None:
            self._countries = set()
            source = self.names.country_source if self.names is not None else None
            if source is not None:
                keys = source.names().folded
                starting = self.starting(COUNTRY_START)  # the words a country's name may start with
                for m, flags in zip(starting, self._starting_flags[COUNTRY_START]):
                    if not flags & COUNTRY_LONGER:  # a run of capitalised words folds to this word's key, a
                        # space and more, so only the word alone may be a country's name: it is one
                        self._countries.update(self.names.country_codes(m.group()))  # type: ignore[union-attr]
                        continue
                    pos, words = m.end(), [m.group()]
                    for _ in range(2):
                        nxt = _NEXT_WORD.match(self.text, pos) if self.text[pos : pos + 1] in _JOINERS else None
                        if not nxt or not nxt.group(1)[:1].isupper():
                            break
                        words.append(nxt.group(1))
                        pos = nxt.end()
                    for n in range(len(words), 0, -1):
                        name = " ".join(words[:n])
                        if name_key(name) in keys:
                            self._countries.update(self.names.country_codes(name))  # type: ignore[union-attr]
                            break
        return self._countries

    def hierarchy_common_word(self, name: str) -> bool:
        key = name_key(name)
        return " " not in key and bool(self.language) and zipf(key, self.language) >= self.rules.admin_common_word_zipf

    def _admin_spans(self) -> list[tuple[int, int]]:
        """Every longest run of capitalised words (with particles) that is an administrative area's name."""
        admin = self.names.admin if self.names is not None else None
        assert admin is not None, "called only where the index has administrative areas"
        text = self.text
        spans = []
        resume = 0
        steps, particles = self.steps, self.rules.particles
        starting = self.starting(ADMIN_START)  # the words an area's name may start with
        for m, flags in zip(starting, self._starting_flags[ADMIN_START]):
            start = m.start()
            if start < resume:
                continue  # inside the last span found
            if not flags & ADMIN_LONGER:  # no longer name starts with the word (see article_countries): the
                # word alone is an area's name
                resume = m.end()
                spans.append((start, resume))
                continue
            ends = [m.end()]
            pos = m.end()
            if self.names.admin_longer(m.group()):  # type: ignore[union-attr]  # else the word alone may be one
                while len(ends) < admin.max_words:
                    step = steps.get(pos, -1)
                    if step == -1:  # (shared with _longest_name's runs)
                        step = steps[pos] = _name_word_after(text, pos, particles)
                    if step is None:
                        break
                    pos = step
                    ends.append(pos)
            for stop in reversed(ends):
                if self.names.is_admin(name_key(text[start:stop])):  # type: ignore[union-attr]
                    spans.append((start, stop))
                    resume = stop
                    break
        return spans


_RULES_MEMOS: dict[tuple[int, str], tuple[RecognitionRules, dict]] = {}


def _rules_memo(rules: RecognitionRules, what: str) -> dict:
    """The remembered answers of ``what`` (``"triggers"``: ``_Scan._trigger_of``; ``"verdicts"``,
    ``"admin verdicts"``: ``surface_verdict``, ``admin_surface_verdict``; ``"befores"``: what a word before a
    capital may end, for ``after_place_word``) under ``rules``, which alone decide them: kept with the
    rules, by identity."""
    kept = _RULES_MEMOS.get((id(rules), what))
    if kept is None or kept[0] is not rules:
        if len(_RULES_MEMOS) >= 64:
            _RULES_MEMOS.clear()
        kept = _RULES_MEMOS[(id(rules), what)] = (rules, {})
    return kept[1]


@functools.lru_cache(maxsize=1 << 12)
def _evidence(cue: Cue, word: str = "") -> Evidence:
    """``Evidence(cue, word)``, one object per distinct pair (it is frozen): a few cues and words recur in
    every article, and each new one cost a dataclass ``__init__`` per mention."""
    return Evidence(cue, word)


@functools.lru_cache(maxsize=1 << 16)
def _is_word(token: str) -> bool:
    return unicodedata.normalize("NFC", token).replace("'", "").replace("’", "").replace("-", "").isalnum()


def find_mentions(article: Article, names: NameIndex, rules: RecognitionRules | None = None) -> list[Mention]:
    """Every non-overlapping place-name mention in ``article``, in text order."""
    return find_candidates(article, names, rules)[0]


def find_candidates(
    article: Article, names: NameIndex, rules: RecognitionRules | None = None
) -> tuple[list[Mention], list[Dropped]]:
    """The mentions of :func:`find_mentions`, and the names some source knows that the rules turned
    down here, each a :class:`~nkmap.model.Dropped` with the rule's reason (a common word of the
    article's language, a person's name, inside an organisation's name, a stop word, ...), in text order.

    A capitalised word no source knows is no candidate and is not reported. The reasons are the
    verdicts the rules reached anyway: collecting them costs no lookup.
    """
    text = article.text
    scan = _Scan(text, rules or RecognitionRules.default(), article_language(article), names, dateline_of(article)[1])
    after_place_word = scan.after_place_word
    found: list[tuple[int, int, Evidence]] = []
    turned_down: list[tuple[int, int, Reason]] = []
    resume = 0
    caps, words = scan.capitalised(), scan.words()
    # (read by every word that asks below: computed here once, not through a call per word)
    features, in_feature = (scan.features(), scan._in_feature) if caps else ({}, set())
    span_of, dateline = names.span, scan.dateline_start
    for m, word, info in zip(caps, words, names.word_infos(words)):
        start = m.start()
        if start < resume or not (info or after_place_word(start)):
            continue  # the common case: a capitalised word that is no name and follows no place word
        if info == NAME and start not in features and start not in in_feature and span_of(word)[0] == STRONG:
            # a curated name of one word that starts no longer name and no feature's: _longest_name's first answer
            span: tuple[int, int, Evidence] | None = (
                start,
                m.end(),
                _evidence(Cue.DATELINE) if start == dateline else NO_EVIDENCE,
            )
        else:
            span = _longest_name(scan, start, m.end(), names, info)
        if span:
            resume = span[1]
            if not scan.in_organisation(span[0], span[1]):
                found.append(span)
            else:
                turned_down.append((span[0], span[1], Reason.ORGANISATION))
        elif scan.rejected is not None and not _list_word(scan, *scan.rejected):
            turned_down.append(scan.rejected)
    if turned_down and found:  # "Desa Sukamaju" turned down, then "Sukamaju" found: the mention stands
        turned_down = _not_overlapping(turned_down, found)
    if not found and not turned_down:
        return [], []
    starts = _sentence_starts(text)
    sentences: dict = {}  # mentions of one sentence (or run-on piece) share its excerpt: one string
    mentions = _mentions(article.name, text, found, starts, sentences)
    plain = _mentions(article.name, text, [(s, e, NO_EVIDENCE) for s, e, _ in turned_down], starts, sentences)
    return mentions, [Dropped(m, why) for m, (_, _, why) in zip(plain, turned_down)]


def _list_word(scan: _Scan, start: int, end: int, why: Reason) -> bool:
    """A single word of the stop-word lists ("The", "Minister", "Baca"): the lists already say it is
    never a name, so it is not put to the user for review (it would top every review.csv)."""
    return why is Reason.STOP_WORD and " " not in name_key(scan.text[start:end])


def _not_overlapping(
    turned_down: list[tuple[int, int, Reason]], found: list[tuple[int, int, Evidence]]
) -> list[tuple[int, int, Reason]]:
    """The turned-down spans no mention overlaps (both lists in text order, the mentions disjoint)."""
    starts = [s for s, _, _ in found]
    kept = []
    for s, e, why in turned_down:
        i = bisect.bisect_left(starts, e) - 1  # the last mention starting before the end
        if i >= 0 and found[i][1] > s:
            continue
        kept.append((s, e, why))
    return kept


def _name_word_after(text: str, pos: int, particles: frozenset[str]) -> int | None:
    """Where a name running on from ``pos`` ends one word later, or None: over a capitalised or
    hyphen-joined word ("Nusa Tenggara", "Rostov-on-Don"), or a lower-case particle and the
    capitalised word after it ("Mocímboa da Praia", "Deir ez-Zor")."""
    nxt = _NEXT_WORD.match(text, pos) if text[pos : pos + 1] in _JOINERS else None
    if nxt is None:
        return None
    word = nxt.group(1)
    if word[:1].isupper() or text[pos] != " ":
        return nxt.end()
    if name_key(word) in particles:
        after = _NEXT_WORD.match(text, nxt.end())
        if after is not None and after.group(1)[:1].isupper():
            return after.end()
    return None


def _longest_name(scan: _Scan, start: int, end: int, names: NameIndex, info: int) -> tuple[int, int, Evidence] | None:
    text = scan.text
    ends = [end]
    pos = end
    # Names run on over capitalised words ("Nusa Tenggara Timur"), hyphens ("Rostov-on-Don") and
    # lower-case particles before a capitalised word ("Mocímboa da Praia", "Deir ez-Zor").
    if info & LONGER:
        particles, steps, limit = scan.rules.particles, scan.steps, names.max_words
        while len(ends) < limit:
            step = steps.get(pos, -1)
            if step == -1:  # (the runs of areas' names walk the same words: each step is read once)
                step = steps[pos] = _name_word_after(text, pos, particles)
            if step is None:
                break
            pos = step
            ends.append(pos)
    trigger: tuple[str, str] | None = None
    rejected = False
    scan.rejected = None  # the longest span a rule turned down, with its reason (reported if nothing else is found)
    # "Ezine Çayı", "Indus River": a feature word after the run makes the whole its name, before the
    # town of the same name ("Ezine") is considered.
    after = scan.features().get(start)
    if after is None and start in scan._in_feature:
        after = scan.feature_after(start)
    if after and names.tier(text[start : after.end()]) != STRONG and not scan.common_word(text[start:end]):
        first = name_key(text[start:end])
        if first not in scan.rules.stopwords and first not in scan.rules.demonyms:
            return start, after.end(), _evidence(Cue.PLACE_WORD, name_key(after.group(1)))
    for stop in reversed(ends):
        tier, key, admin_name = names.span(text[start:stop])
        if tier == STRONG:  # curated: no evidence needed, so only the dateline is noted
            return start, stop, _evidence(Cue.DATELINE) if start == scan.dateline_start else NO_EVIDENCE
        if admin_name:
            if admin := scan.admin_evidence(start, stop, key):
                return start, stop, _evidence(Cue.DATELINE) if start == scan.dateline_start else admin
            scan.rejected = scan.rejected or (start, stop, scan.why)
        if tier == WEAK:
            why = scan.surface_verdict(text[start:stop])[0]
            if why is not None:  # turned down whatever the context: the reads around it are skipped
                rejected = True
                scan.why = why
                scan.rejected = scan.rejected or (start, stop, why)
                continue
            trigger = trigger or scan.trigger_before(start)
            evidence = scan.place_check(start, stop, trigger[0] or scan.trigger_after(stop), trigger[1])
            if evidence is not None:
                return start, stop, evidence
            rejected = True
            scan.rejected = scan.rejected or (start, stop, scan.why)
    # Glued suffixes: "Ermenistan’ın", "Kastamonu'nun" name the part before the apostrophe (GLUED: the word has
    # such a part and some source knows it).
    head = _GLUED_HEAD.match(text, start, end) if info & GLUED else None
    if head:
        tier = names.tier(head.group(0))
        if tier == STRONG:
            return start, head.end(), NO_EVIDENCE
        if tier == WEAK and scan.language in scan.rules.glue_languages:  # suffixes after an apostrophe: Turkish
            trigger = trigger or scan.trigger_before(start)
            evidence = scan.place_check(start, head.end(), trigger[0], trigger[1])
            if evidence is not None:
                return start, head.end(), evidence
            scan.rejected = scan.rejected or (start, head.end(), scan.why)
    if rejected:
        return None
    # A named feature: "Gunung Semeru", "Sungai Kapuas", "Indus River", "Poyo ravine" (a candidate to report
    # unless a source knows it), unless its name is an ordinary word.
    feature = scan.feature_evidence(start, end)
    if feature and not scan.common_word(text[start:end]):
        first = name_key(text[start:end])
        if first not in scan.rules.stopwords and first not in scan.rules.demonyms:
            return start, feature[0], _evidence(Cue.PLACE_WORD, feature[1])
    # A name no source knows, where the text says it is a place: a candidate to report.
    # Only a place word written in lower case counts: in a title-case headline every word is capitalised.
    trigger = trigger or scan.trigger_before(start)
    if trigger[0] == "dateline" or (trigger[0] in scan.rules.place_triggers and trigger[1].islower()):
        stop = scan.unknown_run(end)
        first = name_key(text[start:stop]).split()[0]
        if (
            first not in scan.rules.stopwords
            and first not in scan.rules.demonyms
            and not _NUMERAL.match(first)
            and not (trigger[0] != "dateline" and scan.person_context(start, stop, trigger[0]))
        ):
            return start, stop, scan.evidence_of(trigger[0])
    return None


def _feature_before_pieces(words: frozenset[str]) -> list[str]:
    # short abbreviations may end in a dot ("G. Ruang", "Mt. Etna"); a full word before a dot ends a sentence
    return [re.escape(w) + (r"\.?" if len(w) <= 2 else "") for w in sorted(words, key=len, reverse=True)]


@functools.cache
def _feature_before_pattern(words: frozenset[str]) -> re.Pattern[str]:
    return re.compile(rf"{_word_led(_feature_before_pieces(words), True, _W)}[ \u00a0]+(?=[{_UPPER_CLASS}])")


@functools.cache
def _feature_before_ends(words: frozenset[str]) -> _WordEnds:
    return _WordEnds(_feature_before_pattern(words), _feature_before_pieces(words), words, True, _W[1:-1])


@functools.cache
def _feature_after_pattern(words: frozenset[str]) -> re.Pattern[str]:
    """One to three capitalised words, then a feature word in any case: "Sukkur Barrage", "Manchar lake"."""
    alternatives = _by_first_character(list(map(re.escape, sorted(words, key=len, reverse=True))), ignorecase=True)
    # The words' letters are taken possessively (``*+``): what follows a word is a space or a hyphen, never a
    # word character, so giving letters back can never make a match; re would still try, letter by letter.
    name = rf"[{_UPPER_CLASS}]{_W}*+"
    # led by the capital's class, the look-behind after it (see _word_led): re skips the other characters in C
    first = rf"[{_UPPER_CLASS}](?<!{_W}.){_W}*+"
    return re.compile(rf"{first}(?:[ \u00a0-]{name}){{0,2}}[ \u00a0]((?i:{alternatives}))(?!{_W})")


def _capitalised_run(text: str, end: int, limit: int = 3) -> int:
    """The end of up to ``limit`` capitalised words starting with the one that ends at ``end``."""
    for _ in range(limit - 1):
        nxt = _NEXT_WORD.match(text, end) if text[end : end + 1] in _JOINERS else None
        if not nxt or not nxt.group(1)[:1].isupper():
            break
        end = nxt.end()
    return end


def _sentence_starts(text: str) -> list[int]:
    return [0, *map(re.Match.end, _SENTENCE_END.finditer(text))]


def _mentions(
    article: str, text: str, spans: list[tuple[int, int, Evidence]], starts: list[int], sentences: dict
) -> list[Mention]:
    """:func:`_mention` of each span, in one loop: a mention in a sentence of no more than EXCERPT_LIMIT
    characters (the common case) is made here."""
    out = []
    last = len(starts) - 1
    bisect_right = bisect.bisect_right
    intern = sys.intern
    for start, end, evidence in spans:
        i = bisect_right(starts, start) - 1
        s_start = starts[i]
        s_end = starts[i + 1] if i < last else len(text)
        if s_end - s_start > EXCERPT_LIMIT:
            out.append(_mention(article, text, start, end, evidence, starts, sentences))
            continue
        excerpt = sentences.get(i)
        if excerpt is None:
            excerpt = sentences[i] = _excerpt(text, s_start, s_end)
        out.append(Mention(article, start, end, intern(text[start:end]), excerpt[0], excerpt[1], evidence))
    return out


def _mention(
    article: str,
    text: str,
    start: int,
    end: int,
    evidence: Evidence,
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
    return Mention(article, start, end, sys.intern(text[start:end]), excerpt[0], excerpt[1], evidence)


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
