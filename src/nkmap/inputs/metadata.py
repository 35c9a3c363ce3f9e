"""Article metadata read from the text itself: headline, outlet, dateline.

News pages carry furniture (section names, view counters, "loading..."), so each rule is a
small, explainable heuristic; anything it cannot find stays empty, never invented.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from nkmap.model import Article

import re

from nkmap.inputs.dates import WEEKDAYS
from nkmap.names import UPPER_CLASS

# Every regex here runs over whole, untrusted texts, so none may backtrack without bound (a
# 100 kB hyphenated token took minutes): a domain starts only where a token starts (not at each
# hyphen inside one), its labels are DNS-sized (at most 63 characters, 8 dots), and no two
# unbounded repeats of one character class meet. tests/test_hostile_freeze.py holds the timings.
_LABEL = r"[\w-]{1,63}+"  # possessive: a label ends only at a dot, so giving back characters never helps
_TLD = r"\.(?:com|net|org|co\.id|id|tv|co\.uk|info|news|ru|az|am)\b"
_DOMAIN = re.compile(rf"(?<![\w.-]){_LABEL}(?:\.{_LABEL}){{0,8}}{_TLD}", re.IGNORECASE)
# Every domain ends in a top-level one, and starts at most 9 labels of 63 characters and their dots before
# it: no match starts earlier than that before the first ".com" (found at C speed: a literal leads), so the
# search for the domain starts there instead of trying every position of the text before it.
_TLD_MARK = re.compile(_TLD, re.IGNORECASE)
_DOMAIN_REACH = 9 * 64
_UPPER = UPPER_CLASS
# "MOSKOW -", "SERAMBINEWS.COM, MOSKWA -", "MOSKOW, RUSIA (voa-islam.com) -", "BAKU, Azerbaijan —"
_DATELINE = re.compile(
    rf"^(?:[^\s,]{{1,80}}\.[A-Za-z]{{2,3}}[ \t]{{0,3}},[ \t]{{0,3}})?"
    rf"(?P<place>[{_UPPER}][{_UPPER}'’.]{{1,40}}(?:[ -][{_UPPER}][{_UPPER}'’.]{{1,40}}){{0,5}})"
    rf"(?:[ \t]{{0,3}},[ \t]{{0,3}}[\w .]{{2,30}}?)?[ \t]{{0,3}}(?:\([^)\n]{{0,60}}\))?[ \t]{{0,3}}[-–—]{{1,3}}\s",
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
    mark = _TLD_MARK.search(text)
    m = _DOMAIN.search(text, max(0, mark.start() - _DOMAIN_REACH)) if mark else None
    return m.group(0) if m else ""


def dateline_of(article: Article) -> tuple[str, int, int]:
    """The article's dateline place and offsets: as the reader found them once, else looked for now."""
    if article.dateline_at is not None:
        return (article.dateline, *article.dateline_at)
    return find_dateline(article.text)


def find_dateline(text: str) -> tuple[str, int, int]:
    """The dateline place as written ("MOSKOW") and its offsets, or ("", -1, -1)."""
    for m in _DATELINE.finditer(text):
        place = m.group("place")
        if sum(c.isalpha() for c in place) >= 3 and "." not in place.rstrip("."):
            return place, m.start("place"), m.end("place")
    return "", -1, -1
