"""How place names are compared: one key function shared by every name index."""

from __future__ import annotations

import functools
import re
import unicodedata

# Upper-case letters of the Basic Multilingual Plane, as a regex class body: re has no \p{Lu}, so
# the class is built once, here, for every regex that asks "does a capital letter start this?".
UPPER_CLASS = re.escape("".join(sorted({c for c in map(chr, range(0x10000)) if c.isupper() and c.isalpha()}))).replace(
    "-", "\\-"
)

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]+")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# Letters that NFKD does not decompose but that readers treat as their plain form.
_FOLD = str.maketrans({"ı": "i", "ə": "e", "Ə": "e", "ł": "l", "ø": "o", "đ": "d", "ß": "ss"})


@functools.lru_cache(maxsize=1 << 17)
def name_key(name: str) -> str:
    """The form a name is looked up by: case, accents, hyphens and spacing folded.

    "Nagorno-Karabakh", "NAGORNO KARABAKH" and "nagorno‐karabakh" share a key, and so do
    "Şuşa" and "Susa", "Ağdam" and "Agdam".

    >>> name_key("Nagorno-Karabakh") == name_key("NAGORNO  KARABAKH")
    True
    >>> name_key("Ağdərə")
    'agdere'
    """
    lower = name.casefold()
    if not lower.isascii():  # news text repeats its names: the cache above pays for the slow path
        folded = unicodedata.normalize("NFKD", lower.translate(_FOLD))
        lower = "".join(c for c in folded if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", lower.translate(_APOSTROPHES)).strip()


def is_case_sensitive(alias: str) -> bool:
    """Short all-capital aliases ("AS", "US") are abbreviations: matched only as written.

    Matching them case-insensitively would turn the words "as" and "us" into countries.
    """
    letters = [c for c in alias if c.isalpha()]
    return len(letters) <= 3 and all(c.isupper() for c in letters)
