"""The one protocol every name source implements, and the tiers that say how far to trust it.

A source answers three questions and nothing else:

* ``lookup(name) -> list[Place]``: every place it knows by that name (best first);
* ``names() -> Names``: what the recogniser indexes (folded keys, case-sensitive names);
* ``tier``: its declared strength, a :class:`Tier`.

Recognition and resolution read only these: never a source's class, ``origin`` or other attributes.
What a tier means for them is one table, :data:`TIER_RULES`, so a new source (administrative
areas, user corrections) is one row, not a new branch in the recogniser.

>>> class Two:
...     tier = Tier.CURATED
...     def lookup(self, name): return []
...     def names(self): return Names(folded=keyset(["baku", "ganja"]))
>>> isinstance(Two(), NameSource)
True
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol, runtime_checkable

from nkmap.model import Place


class Tier(IntEnum):
    """How much a source's word counts, strongest last (so ``max`` picks the strongest)."""

    GEONAMES = 10  # every settlement by every alternate name: namesakes everywhere, ordinary words too
    ADMIN = 20  # administrative areas from open datasets: many names, some of them ordinary words
    COUNTRY = 30  # country names in many languages (CLDR)
    CURATED = 40  # the user's own gazetteer
    CORRECTION = 50  # the user's corrections of earlier runs


@dataclass(frozen=True, slots=True)
class TierRule:
    """What a tier means to the recogniser and the resolver.

    ``taken_as_found``: a name of this tier is a mention wherever it appears (curated names);
    otherwise it must look like a place in its sentence (not a sentence opener, not a word the
    article also writes in lower case ...) and then earn its place in resolution.
    """

    taken_as_found: bool


TIER_RULES: dict[Tier, TierRule] = {
    Tier.CORRECTION: TierRule(taken_as_found=True),
    Tier.CURATED: TierRule(taken_as_found=True),
    Tier.COUNTRY: TierRule(taken_as_found=True),
    Tier.ADMIN: TierRule(taken_as_found=False),
    Tier.GEONAMES: TierRule(taken_as_found=False),
}


def is_strong(tier: Tier) -> bool:
    """Whether names of ``tier`` are taken as found (see :data:`TIER_RULES`)."""
    return TIER_RULES[tier].taken_as_found


class KeySet(Protocol):
    """Folded keys that answer membership and prefix search (a ``marisa_trie.Trie`` does)."""

    def __contains__(self, key: object) -> bool: ...

    def iterkeys(self, prefix: str = "") -> Iterator[str]: ...

    def __iter__(self) -> Iterator[str]: ...


class SortedKeys:
    """A :class:`KeySet` over an ordinary collection of keys (for small sources and fakes)."""

    __slots__ = ("_set", "_sorted")

    def __init__(self, keys: Iterable[str]) -> None:
        self._set = frozenset(keys)
        self._sorted = sorted(self._set)

    def __contains__(self, key: object) -> bool:
        return key in self._set

    def __iter__(self) -> Iterator[str]:
        return iter(self._sorted)

    def __len__(self) -> int:
        return len(self._sorted)

    def iterkeys(self, prefix: str = "") -> Iterator[str]:
        i = bisect.bisect_left(self._sorted, prefix)
        while i < len(self._sorted) and self._sorted[i].startswith(prefix):
            yield self._sorted[i]
            i += 1


def keyset(keys: Iterable[str]) -> SortedKeys:
    return SortedKeys(keys)


@dataclass(frozen=True, slots=True)
class Names:
    """What a source gives the recogniser to index.

    ``folded``: keys after :func:`nkmap.names.name_key`, searchable by prefix (a weak tier's
    multi-word names are found by asking which keys start with a word); ``exact``: names matched
    only as written (short capital abbreviations, "AS", "US"); ``max_words``: the longest name,
    in words, worth trying (None: count them in ``folded``).
    """

    folded: KeySet = field(default_factory=lambda: SortedKeys(()))
    exact: Collection[str] = frozenset()
    max_words: int | None = None


@runtime_checkable
class NameSource(Protocol):
    """A source of place names: see the module docstring."""

    tier: Tier

    def lookup(self, name: str) -> list[Place]: ...

    def names(self) -> Names: ...


@runtime_checkable
class Hierarchy(Protocol):
    """A source whose places nest (administrative areas): the recogniser reads its names with the
    hierarchy's evidence ("a village in the district the article names") instead of as plain names."""

    def named(self, key: str) -> list[int]: ...

    def ancestors(self, i: int) -> Iterator[int]: ...


@runtime_checkable
class Derived(Protocol):
    """A source that answers for other forms of other sources' names (case forms, variants, near
    misses), not for names as written: its answers say nothing about a word's own population."""

    derived: bool


class OtherSpellings:
    """A derived source: the wrapped sources' names under other spellings of them.

    A subclass gives ``keys``, a KeySet over the wrapped sources' folded names whose
    ``target(key)`` says which real name a spelling stands for (or None), and ``max_words``.
    Weak like GeoNames: such a name must still earn its place.
    """

    tier = Tier.GEONAMES
    derived = True  # answers for other spellings, not for names as written (NameIndex.largest_population)
    max_words = 1

    def __init__(self, sources: Iterable[NameSource]) -> None:
        self.sources = tuple(sources)
        self._keys = self.keys([s.names().folded for s in self.sources])
        self._names = Names(folded=self._keys, max_words=self.max_words)

    def keys(self, parts: list[KeySet]) -> SpellingKeys:
        raise NotImplementedError

    def names(self) -> Names:
        return self._names

    def lookup(self, name: str) -> list[Place]:
        from nkmap.names import name_key

        target = self._keys.target(name_key(name))
        if target is None:
            return []
        for source in self.sources:
            found = source.lookup(target)
            if found:
                return found
        return []


class SpellingKeys(KeySet, Protocol):
    """The keys of an :class:`OtherSpellings` source: ``target`` maps a spelling to the real name."""

    def target(self, key: str) -> str | None: ...
