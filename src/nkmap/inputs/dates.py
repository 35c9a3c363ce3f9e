"""Publication dates from article text: the Indonesian and English forms news pages use.

Only a date where a page states its own date counts: a date line in the header, a dated
dateline, or the Indonesian "Rabu (4/11/2020)" convention of the lead. A date inside prose
(a photo caption's "Rabu, 1 Juli 2020") is not the publication date and is left alone, and a
year is never guessed (see :func:`publication_date`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from datetime import date

MONTHS = {
    # Indonesian
    "januari": 1,
    "februari": 2,
    "pebruari": 2,
    "maret": 3,
    "april": 4,
    "mei": 5,
    "juni": 6,
    "juli": 7,
    "agustus": 8,
    "september": 9,
    "oktober": 10,
    "nopember": 11,
    "november": 11,
    "desember": 12,
    # English
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "october": 10,
    "december": 12,
    # abbreviations shared by both
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "agu": 8,
    "agt": 8,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "okt": 10,
    "oct": 10,
    "nov": 11,
    "des": 12,
    "dec": 12,
}
# Weekday names and their numbers (Monday 0, as date.weekday()), Indonesian and English: one table.
WEEKDAY_NUMBERS = {
    "senin": 0,
    "selasa": 1,
    "rabu": 2,
    "kamis": 3,
    "jumat": 4,
    "jum'at": 4,
    "sabtu": 5,
    "minggu": 6,
    "ahad": 6,
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
WEEKDAYS = tuple(WEEKDAY_NUMBERS)

_WEEKDAY = "|".join(re.escape(w) for w in WEEKDAYS)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "Rabu (4/11/2020)", "Senin (28/09)", "Kamis (1/10/2020)"
_LEAD_DATE = re.compile(rf"\b({_WEEKDAY})\s*\((\d{{1,2}})/(\d{{1,2}})(?:/(\d{{4}}))?\)", re.IGNORECASE)
# "31 Oktober 2020", "01 Dec 2020", "17th November 2020"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\.?,?\s+(\d{{4}})\b", re.IGNORECASE)
# "October 17, 2020", "Oct. 17 2020"
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s*(\d{{4}})\b", re.IGNORECASE)
# "4/11/2020", "2020-11-04"
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")
# a dated dateline: "MOSCOW, November 15. /TASS/.", "BAKU, 25 Nov (Reuters) -"; the year is optional
_DATELINE_DATE = re.compile(
    rf"^[A-ZÀ-Þ][A-ZÀ-Þ .'’-]{{1,60}},\s{{0,3}}(?:(?P<m1>(?i:{_MONTH}))\.?\s{{1,3}}(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}})\s{{1,3}}(?P<m2>(?i:{_MONTH})))"
    rf"\.?(?:,?\s{{1,3}}(?P<y>\d{{4}}))?(?=[\s.,/(–—-])",  # bounded: it runs over whole texts (test_hostile_freeze)
    re.MULTILINE,
)
# what else a page's date line may hold: times, zones, the Hijri date, "Published:", "Updated"
_DATE_LINE_FURNITURE = re.compile(
    rf"\b\d{{1,2}}[:.]\d{{2}}\b|\b(?:{_WEEKDAY})\b|\b\d{{1,2}}\s+\w+\s+1[34]\d\d\s*H\b|"
    r"\b(?:wib|wita|wit|gmt|utc|am|pm|published|updated|diperbarui|diterbitkan|pukul|on)\b",
    re.IGNORECASE,
)

# Where a match of _LEAD_DATE or _MONTH_DAY_YEAR can start, found fast: both patterns open with a word
# tried case-insensitively at every position of a whole text (a third of reading), but each match holds
# a rarer mark, which a literal or a character class finds at C speed ("(4/11" after the weekday; a
# space, the day and a year after the month). Only the few places that lead to such a mark are tried.
_LEAD_MARK = re.compile(r"\((?=\d{1,2}/\d)")
_MONTH_DAY_MARK = re.compile(r"\s(?=\d{1,2}(?:st|nd|rd|th)?,?\s*\d{4}\b)", re.IGNORECASE)
# The day-first patterns start at a digit: the whole pattern, led by the digit, as a mark (a leading \\d is
# found at C speed; a leading \\b is tried at every position).
_DAY_MONTH_MARK = re.compile(rf"\d(?=\d?(?:st|nd|rd|th)?\s+(?:{_MONTH})\.?,?\s+\d{{4}}\b)", re.IGNORECASE)
# the first "/" of "4/11/2020" (1 or 2 characters in), the first "-" of "2020-11-04" (4 in): a literal leads
_NUMERIC_MARK = re.compile(r"/(?=\d{1,2}/\d{4}\b)|-(?=\d{2}-\d{2}\b)")
_UPPER_LINE_MARK = re.compile(r"\n(?=[A-ZÀ-Þ])")  # where _DATELINE_DATE can start, but at 0
_WEEKDAY_LENGTHS = sorted({len(w) for w in WEEKDAYS})  # a case-insensitive match has as many characters
_MONTH_LENGTHS = sorted({len(m) for m in MONTHS})

HEADER_LINES = 6  # a date line among the first lines of a page is the page's own date
DATE_LINE_MAX_WORDS = 4  # words a date line may hold beyond the date and the furniture above


def parse_date(text: str) -> date | None:
    """The first complete date written in ``text`` in any known form, or None.

    >>> parse_date("Sabtu, 7 Rajab 1446 H / 31 Oktober 2020 22:25 wib")
    datetime.date(2020, 10, 31)
    >>> parse_date("October 17, 2020")
    datetime.date(2020, 10, 17)
    """
    found = _complete_dates(text)
    return min(found)[1] if found else None


def publication_date(text: str, header_lines: list[str]) -> date | None:
    """The date an article states for itself, or None when it states none.

    In order of trust:

    1. a date line among the first :data:`HEADER_LINES` lines, one that holds little besides a
       date ("Selasa, 17 November 2020 11:30 WIB", "15 November 2020"): the page's own stamp;
    2. a dated dateline at the start of a line ("MOSCOW, November 15. /TASS/.");
    3. the lead's first "Weekday (d/m/yyyy)" ("Rabu (4/11/2020)"), the Indonesian convention for
       the day of the report.

    A date without a year ("Senin (28/09)", "MOSCOW, November 15") takes a year from the article's
    complete dates, and only one that agrees with the weekday where one is written: 28 September
    was a Monday in 2020 but not in 2019. With no such year the date is left out, never guessed.
    Dates inside prose (a photo caption's "Rabu, 1 Juli 2020") are not publication dates.
    """
    for line in header_lines[:HEADER_LINES]:
        if found := _date_line(line):
            return found
    years = functools.cache(lambda: [d.year for _, d in _complete_dates(text)])  # only a year-less date needs them
    for m in _matches_from(_DATELINE_DATE, text, _upper_line_starts(text)):
        day, month = int(m["d1"] or m["d2"]), MONTHS[(m["m1"] or m["m2"]).lower()]
        if found := (_safe_date(int(m["y"]), month, day) if m["y"] else _infer_year(years(), month, day)):
            return found
    for m in _lead_dates(text):
        day, month = int(m[2]), int(m[3])
        found = _safe_date(int(m[4]), month, day) if m[4] else _infer_year(years(), month, day, m[1].lower())
        if found:
            return found
    return None


def _date_line(line: str) -> date | None:
    """The date of a line that is mostly a date, or None."""
    if len(line) > 80:
        return None
    found = _complete_dates(line)
    if not found:
        return None
    rest = line
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC, _DATE_LINE_FURNITURE):
        rest = pattern.sub(" ", rest)
    if len(re.findall(r"[^\W\d_]{2,}", rest)) > DATE_LINE_MAX_WORDS:
        return None
    return min(found)[1]


def _infer_year(years: list[int], month: int, day: int, weekday: str = "") -> date | None:
    """The date in the article's most frequent year that fits ``weekday``, or None."""
    for year in sorted(set(years), key=lambda y: (-years.count(y), -y)):
        found = _safe_date(year, month, day)
        if found and (not weekday or WEEKDAY_NUMBERS.get(weekday) == found.weekday()):
            return found
    return None


def _complete_dates(text: str) -> list[tuple[int, date]]:
    """Every complete date in ``text`` (day, month and year written) with its offset."""
    found = []
    for m in _lead_dates(text):
        if m[4]:
            found.append((m.start(), _safe_date(int(m[4]), int(m[3]), int(m[2]))))
    for m in _matches_from(_DAY_MONTH_YEAR, text, (m.start() for m in _DAY_MONTH_MARK.finditer(text))):
        found.append((m.start(), _safe_date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))))
    for m in _month_day_years(text):
        found.append((m.start(), _safe_date(int(m[3]), MONTHS[m[1].lower()], int(m[2]))))
    for m in _matches_from(_NUMERIC, text, _numeric_starts(text)):
        if m[3]:
            found.append((m.start(), _safe_date(int(m[3]), int(m[2]), int(m[1]))))
        else:
            found.append((m.start(), _safe_date(int(m[4]), int(m[5]), int(m[6]))))
    return sorted({(pos, d) for pos, d in found if d is not None})


def _lead_dates(text: str) -> Iterator[re.Match[str]]:
    """``_LEAD_DATE.finditer(text)``: the weekday ends where the spaces before a "(d/" begin."""
    starts: list[int] = []
    end = 0  # no run of spaces reaches back past the previous mark
    for mark in _LEAD_MARK.finditer(text):
        weekday_end = _space_run_start(text, mark.start(), end)
        starts.extend(weekday_end - n for n in _WEEKDAY_LENGTHS)
        end = mark.end()
    return _matches_from(_LEAD_DATE, text, sorted(set(starts)))


def _month_day_years(text: str) -> Iterator[re.Match[str]]:
    """``_MONTH_DAY_YEAR.finditer(text)``: the month ends (before an optional ".") where the spaces before
    a day and a year begin."""
    starts: list[int] = []
    end = 0
    for mark in _MONTH_DAY_MARK.finditer(text):
        month_end = _space_run_start(text, mark.start(), end)
        starts.extend(e - n for e in (month_end - 1, month_end) for n in _MONTH_LENGTHS)
        end = mark.end()
    return _matches_from(_MONTH_DAY_YEAR, text, sorted(set(starts)))


def _space_run_start(text: str, at: int, stop: int) -> int:
    """Where the run of white space (``\\s``) that ends at ``at`` starts, looking back no further than ``stop``."""
    while at > stop and text[at - 1].isspace():
        at -= 1
    return at


def _numeric_starts(text: str) -> list[int]:
    starts: set[int] = set()
    for mark in _NUMERIC_MARK.finditer(text):
        at = mark.start()
        starts.update((at - 2, at - 1) if mark[0] == "/" else (at - 4,))
    return sorted(s for s in starts if s >= 0)


def _upper_line_starts(text: str) -> Iterator[int]:
    yield 0
    for m in _UPPER_LINE_MARK.finditer(text):
        yield m.end()


def _matches_from(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)``, given every position a match can start at (and maybe more) in increasing
    order: the first match at or after the end of the last, as finditer scans (none of these patterns
    matches empty)."""
    end = 0
    for start in starts:
        if start >= end and (m := pattern.match(text, start)):
            yield m
            end = m.end()


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day) if 1900 <= year <= 2100 else None
    except ValueError:
        return None
