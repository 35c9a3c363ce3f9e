"""Article metadata read from the text itself: headline, outlet, dateline.

News pages carry furniture (section names, view counters, "loading..."), so each rule is a
small, explainable heuristic; anything it cannot find stays empty, never invented.
"""

from __future__ import annotations

import re

from nkmap.inputs.dates import WEEKDAYS

_DOMAIN = re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.(?:com|net|org|co\.id|id|tv|co\.uk|info|news|ru|az|am)\b", re.IGNORECASE)
_UPPER = r"A-ZÀ-ÖØ-ÞĀ-ſ"
# "MOSKOW -", "SERAMBINEWS.COM, MOSKWA -", "MOSKOW, RUSIA (voa-islam.com) -", "BAKU, Azerbaijan —"
_DATELINE = re.compile(
    rf"^(?:[^\s,]+\.[A-Za-z]{{2,3}}\s*,\s*)?(?P<place>[{_UPPER}][{_UPPER}'’.]+(?:[ -][{_UPPER}][{_UPPER}'’.]+)*)"
    rf"(?:\s*,\s*[\w .]{{2,30}}?)?\s*(?:\([^)\n]{{0,60}}\))?\s*[-–—]+\s",
    re.MULTILINE,
)
_FURNITURE = re.compile(r"^(loading\.*|a|baca juga:?|advertisement|iklan|share|views?)$", re.IGNORECASE)
TITLE_MIN_WORDS = 5


def header_lines(text: str, count: int = 12) -> list[str]:
    """The first non-empty lines, stripped: where headline, date and outlet live."""
    lines = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            lines.append(line)
            if len(lines) == count:
                break
    return lines


def find_title(lines: list[str]) -> str:
    """The headline: the first header line that reads like one.

    Skips section labels ("Luar Negeri"), view counters, date lines and page furniture.
    """
    for line in lines:
        if len(line) > 200:  # before splitting: a one-line 19 MB page would split into millions of words
            continue
        words = line.split()
        if len(words) < TITLE_MIN_WORDS or _FURNITURE.match(line):
            continue
        if words[0].strip(",").lower() in WEEKDAYS or re.match(r"^[\d.,]+\s+views?$", line, re.IGNORECASE):
            continue
        return line
    return ""


def find_outlet(text: str) -> str:
    """The outlet's domain as the page writes it ("SERAMBINEWS.COM", "voa-islam.com"), or ""."""
    m = _DOMAIN.search(text)
    return m.group(0) if m else ""


def find_dateline(text: str) -> tuple[str, int, int]:
    """The dateline place as written ("MOSKOW") and its offsets, or ("", -1, -1)."""
    for m in _DATELINE.finditer(text):
        place = m.group("place")
        if sum(c.isalpha() for c in place) >= 3 and "." not in place.rstrip("."):
            return place, m.start("place"), m.end("place")
    return "", -1, -1
