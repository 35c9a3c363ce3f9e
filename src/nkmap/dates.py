"""Publication dates from article text: the Indonesian and English forms news pages use.

Only a date where a page states its own date counts: a header line, or the Indonesian
"Rabu (4/11/2020)" convention of the lead. A date inside prose (a photo caption's
"Rabu, 1 Juli 2020") is not the publication date and is left alone.
"""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    # Indonesian
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6, "juli": 7,
    "agustus": 8, "september": 9, "oktober": 10, "nopember": 11, "november": 11, "desember": 12,
    # English
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "october": 10, "december": 12,
    # abbreviations shared by both
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8, "aug": 8,
    "sep": 9, "sept": 9, "okt": 10, "oct": 10, "nov": 11, "des": 12, "dec": 12,
}
WEEKDAYS = ("senin", "selasa", "rabu", "kamis", "jumat", "jum'at", "sabtu", "minggu", "ahad",
            "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

_WEEKDAY = "|".join(re.escape(w) for w in WEEKDAYS)
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# "Rabu (4/11/2020)", "Senin (28/09)", "Kamis (1/10/2020)"
_LEAD_DATE = re.compile(rf"\b(?:{_WEEKDAY})\s*\((\d{{1,2}})/(\d{{1,2}})(?:/(\d{{4}}))?\)", re.IGNORECASE)
# "31 Oktober 2020"
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH})\.?\s+(\d{{4}})\b", re.IGNORECASE)
# "October 17, 2020"
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}}),\s*(\d{{4}})\b", re.IGNORECASE)
# "4/11/2020", "2020-11-04"
_NUMERIC = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b|\b(\d{4})-(\d{2})-(\d{2})\b")

HEADER_LINES = 6  # a date line among the first lines of a page is the page's own date


def parse_date(text: str) -> date | None:
    """The first complete date written in ``text`` in any known form, or None.

    >>> parse_date("Sabtu, 7 Rajab 1446 H / 31 Oktober 2020 22:25 wib")
    datetime.date(2020, 10, 31)
    >>> parse_date("October 17, 2020")
    datetime.date(2020, 10, 17)
    """
    found = []
    for m in _DAY_MONTH_YEAR.finditer(text):
        found.append((m.start(), _safe_date(int(m[3]), MONTHS[m[2].lower()], int(m[1]))))
    for m in _MONTH_DAY_YEAR.finditer(text):
        found.append((m.start(), _safe_date(int(m[3]), MONTHS[m[1].lower()], int(m[2]))))
    for m in _NUMERIC.finditer(text):
        if m[3]:
            found.append((m.start(), _safe_date(int(m[3]), int(m[2]), int(m[1]))))
        else:
            found.append((m.start(), _safe_date(int(m[4]), int(m[5]), int(m[6]))))
    found = [(pos, d) for pos, d in found if d is not None]
    return min(found)[1] if found else None


def publication_date(text: str, header_lines: list[str]) -> date | None:
    """The date an article states for itself, or None when it states none.

    Looks at the header lines first (a line that is mostly a date), then at the lead's
    "Weekday (d/m/yyyy)" form; a "Weekday (d/m)" without a year takes the year of the
    article's other complete dates and is dropped when there are none.
    """
    for line in header_lines[:HEADER_LINES]:
        if len(line) <= 80 and re.search(r"\d{4}", line):
            found = parse_date(line)
            if found:
                return found
    years = [d.year for d in _all_dates(text)]
    for m in _LEAD_DATE.finditer(text):
        day, month = int(m[1]), int(m[2])
        year = int(m[3]) if m[3] else (max(set(years), key=years.count) if years else None)
        if year is not None and (found := _safe_date(year, month, day)):
            return found
    return None


def _all_dates(text: str) -> list[date]:
    out = []
    for m in _LEAD_DATE.finditer(text):
        if m[3] and (d := _safe_date(int(m[3]), int(m[2]), int(m[1]))):
            out.append(d)
    for m in _DAY_MONTH_YEAR.finditer(text):
        if d := _safe_date(int(m[3]), MONTHS[m[2].lower()], int(m[1])):
            out.append(d)
    return out


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day) if 1900 <= year <= 2100 else None
    except ValueError:
        return None
