"""Arabic names with or without their article: "Qamishli" is Al Qāmishlī, "al-Raqqa" is Raqqa.

Transliterations write the article (al-, el-) or leave it out, and assimilate it before the "sun
letters" (ash-Shaddadah, ar-Raqqah, an-Nuseirat). This source wraps others: a key none of them knows
is looked up with the article added (in its assimilated form too) or taken away. Its tier is GeoNames'
(the name must still earn its place).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

from nkmap.sources.base import KeySet, OtherSpellings

ARTICLES = ("al", "el", "ad", "adh", "an", "ar", "as", "ash", "at", "ath", "az", "ed", "en", "er", "es", "et", "ez")
SUN_LETTERS = ("sh", "th", "dh", "t", "d", "r", "z", "s", "n")  # before these "al" is written as the letter doubled
MIN_LENGTH = 4  # a bare name shorter than this is too often something else


def variants(key: str) -> list[str]:
    """The other article forms of a folded name: "qamishli" -> ["al qamishli", "el qamishli"];
    "al shaddadah" -> ["shaddadah", "ash shaddadah", "el shaddadah"]."""
    head, _, rest = key.partition(" ")
    bare = rest if head in ARTICLES and rest else key
    if len(bare.replace(" ", "")) < MIN_LENGTH or not bare.replace(" ", "").isalpha():
        return []
    forms = [bare, f"al {bare}", f"el {bare}"]
    sun = next((s for s in SUN_LETTERS if bare.startswith(s)), "")
    if sun:
        forms.append(f"a{sun} {bare}")
    return [f for f in dict.fromkeys(forms) if f != key]


class _VariantKeys:
    def __init__(self, parts: Sequence[object]) -> None:
        self._parts = parts

    def _known(self, key: str) -> bool:
        return any(key in part for part in self._parts)  # type: ignore[operator]

    @functools.lru_cache(maxsize=1 << 14)  # noqa: B019 (one per process; names recur)
    def target(self, key: str) -> str | None:
        if self._known(key):
            return None
        return next((v for v in variants(key) if self._known(v)), None)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.target(key) is not None

    def iterkeys(self, prefix: str = "") -> Iterator[str]:
        return iter(())

    def __iter__(self) -> Iterator[str]:
        return iter(())


class ArticleVariants(OtherSpellings):
    """The wrapped sources' Arabic names with the article added, assimilated or taken away."""

    max_words = 3

    def keys(self, parts: list[KeySet]) -> _VariantKeys:
        return _VariantKeys(parts)
