"""Place names in their case forms: "Москвой", "в Киеве", "из Харькова" are Москва, Киев, Харьков.

Russian and Ukrainian inflect names for case, and no gazetteer lists every form. This source wraps
other sources: a Cyrillic word that none of them knows is reduced to its dictionary forms by
``pymorphy3`` (OpenCorpora and LanguageTool dictionaries, MIT), and a form one of them knows is the
name. Its tier is GeoNames' (the name must still earn its place); ``lookup`` answers with the wrapped
source's places for the dictionary form, in the wrapped sources' order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

from nkmap.model import Place
from nkmap.names import name_key
from nkmap.sources.base import Names, NameSource, Tier

LANGUAGES = ("ru", "uk")
_CYRILLIC = re.compile(r"^[\u0400-\u04ff' ]+$")


@functools.cache
def _analyzer(language: str):  # type: ignore[no-untyped-def]
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


@functools.lru_cache(maxsize=1 << 15)
def dictionary_forms(word: str) -> tuple[str, ...]:
    """The folded dictionary forms of one Cyrillic word, most likely first ("киеве" -> ("киев",))."""
    forms: list[str] = []
    for language in LANGUAGES:
        for parse in _analyzer(language).parse(word):
            form = name_key(parse.normal_form)
            if form not in forms:
                forms.append(form)
    return tuple(forms)


def lemma_keys(key: str) -> list[str]:
    """The folded keys a Cyrillic name may stand for, word by word: "нагорном карабахе" -> "нагорный карабах"."""
    if not _CYRILLIC.match(key):
        return []
    words = key.split()
    if len(words) == 1:
        return [f for f in dictionary_forms(words[0]) if f != key]
    heads = [dictionary_forms(w)[:1] or (w,) for w in words]
    joined = " ".join(h[0] for h in heads)
    return [joined] if joined != key else []


class _InflectedKeys:
    """A key set that holds a Cyrillic key when one of its dictionary forms is in the wrapped keys."""

    def __init__(self, parts: Sequence[object]) -> None:
        self._parts = parts

    def _known(self, key: str) -> bool:
        return any(key in part for part in self._parts)  # type: ignore[operator]

    def __contains__(self, key: object) -> bool:
        # only a Cyrillic key has case forms (lemma_keys says none for any other): asked first, it is the cheapest
        return (
            isinstance(key, str)
            and _CYRILLIC.match(key) is not None
            and not self._known(key)
            and any(self._known(k) for k in lemma_keys(key))
        )

    def iterkeys(self, prefix: str = "") -> Iterator[str]:
        """Keys of the wrapped sets that begin with a dictionary form of ``prefix``'s first word."""
        word, _, rest = prefix.partition(" ")
        if not rest and prefix.endswith(" ") and _CYRILLIC.match(word):
            for form in dictionary_forms(word):
                for part in self._parts:
                    yield from part.iterkeys(form + " ")  # type: ignore[attr-defined]
        return

    def __iter__(self) -> Iterator[str]:
        return iter(())


class InflectedNames:
    """The wrapped sources' names under their Russian and Ukrainian case forms."""

    tier = Tier.GEONAMES
    derived = True  # answers for forms of names, not for names as written (see NameIndex.largest_population)

    def __init__(self, sources: Sequence[NameSource]) -> None:
        self.sources = tuple(sources)
        self._names = Names(folded=_InflectedKeys([s.names().folded for s in self.sources]), max_words=3)

    def names(self) -> Names:
        return self._names

    def lookup(self, name: str) -> list[Place]:
        for key in lemma_keys(name_key(name)):
            for source in self.sources:
                found = source.lookup(key)
                if found:
                    return found
        return []
