"""Near-miss spellings of well-known names: "Amenia" is Armenia, "Azerbaycan" already is a name.

A capitalised word that no source knows, one edit (``rapidfuzz``'s Damerau-Levenshtein distance)
from exactly one name of the wrapped sources (the curated gazetteer and the country names: few,
distinctive names, never GeoNames' 1.3 million), is that name. Guarded so that ordinary words never
match: the word must be at least ``MIN_LENGTH`` letters, keep the name's first and last letters
(so adjectives made with a suffix, "Armenian", "Irani", stay adjectives), and be no common word in
any of the main languages (wordfreq). Its tier is GeoNames' (the name must still earn its place);
``lookup`` answers with the wrapped sources' places for the name it stands for.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from nkmap.sources.base import KeySet, OtherSpellings

MIN_LENGTH = 6  # shorter words are one edit from too many others
COMMON_IN = ("en", "id", "es", "fr", "de", "pt", "tr", "it", "ru")  # a word frequent in any of these is a word


class _NearMissKeys:
    """Keys one edit from exactly one wrapped name (compared within names of the same first letter and
    a length one apart, so a query costs a few hundred C-speed comparisons)."""

    def __init__(self, parts: Sequence[object]) -> None:
        self._parts = parts
        self._buckets: dict[tuple[str, int, str], list[str]] | None = None

    def _bucket(self, first: str, length: int, last: str) -> list[str]:
        """The wrapped names of this first letter, length and last letter (a near miss keeps both letters)."""
        if self._buckets is None:
            self._buckets = {}
            for part in self._parts:
                for key in part:  # type: ignore[attr-defined]
                    if len(key) >= MIN_LENGTH - 1 and key.replace(" ", "").isalpha():
                        self._buckets.setdefault((key[0], len(key), key[-1]), []).append(key)
        return self._buckets.get((first, length, last), [])

    def _known(self, key: str) -> bool:
        return any(key in part for part in self._parts)  # type: ignore[operator]

    @functools.lru_cache(maxsize=1 << 14)  # noqa: B019 (one index per process, names recur)
    def target(self, key: str) -> str | None:
        """The one wrapped name ``key`` is a near miss of, or None.

        The tests are independent, so the cheapest come first: most words meet no name of their first
        and last letters and length (three dict lookups), and most of the rest are one edit from no name
        or from several; only a word one edit from exactly one name asks the word lists."""
        if len(key) < MIN_LENGTH or not key.replace(" ", "").isalpha():
            return None
        buckets = [b for n in (len(key) - 1, len(key), len(key) + 1) if (b := self._bucket(key[0], n, key[-1]))]
        if not buckets or self._known(key):
            return None
        from rapidfuzz.distance.DamerauLevenshtein import distance
        from rapidfuzz.process import extract

        found = {  # the distances in one C call per bucket
            t
            for b in buckets
            for t, _, _ in extract(key, b, scorer=distance, processor=None, score_cutoff=1, limit=None)
        }
        if len(found) != 1 or self._known(key[:-1]) or self._known(key[:-2]):
            return None  # none or several, or an adjective made of a name ("Armenian", "Irani", "Turkish")
        from nkmap.recognize.language import common_in_any

        if key.casefold() in common_in_any(COMMON_IN):
            return None  # a word
        return found.pop()

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.target(key) is not None

    def iterkeys(self, prefix: str = "") -> Iterator[str]:
        return iter(())  # single words only: multi-word names are matched as written

    def __iter__(self) -> Iterator[str]:
        return iter(())


class NearMissNames(OtherSpellings):
    """The wrapped sources' names under their one-edit misspellings."""

    max_words = 1

    def keys(self, parts: list[KeySet]) -> _NearMissKeys:
        return _NearMissKeys(parts)
