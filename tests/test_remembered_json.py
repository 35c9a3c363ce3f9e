"""Values kept on disk as JSON (infra.cache.remembered_json): decoded once, remade when bad."""

from __future__ import annotations

import math
import sys

import msgspec
import msgspec.json

from nkmap.infra import cache


def test_a_memo_is_computed_once_and_read_back_with_one_decode(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    computed = []
    value = {"Jombang": 3.9, "Sungai Kapuas": [1, 2], "ä": None}
    assert cache.remembered_json("memo", "key", lambda: computed.append(1) or value) == value
    decoded = []
    decode = msgspec.json.decode
    monkeypatch.setattr(msgspec.json, "decode", lambda text, *a, **k: decoded.append(text) or decode(text, *a, **k))
    assert cache.remembered_json("memo", "key", lambda: computed.append(1) or {}) == value
    assert computed == [1] and len(decoded) == 1
    assert cache.remembered_json("memo", "other key", lambda: [1]) == [1]  # another key is another memo


def test_a_bad_memo_is_computed_again_and_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    cache.remembered_json("memo", "key", lambda: {"a": 1})
    (memo,) = (tmp_path / "memo").glob("*.json")
    memo.write_text('{"a": ', encoding="utf-8")  # cut short
    assert cache.remembered_json("memo", "key", lambda: {"a": 2}) == {"a": 2}
    assert cache.remembered_json("memo", "key", lambda: {"a": 3}) == {"a": 2}


def test_a_value_only_json_reads_is_still_given(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    for _ in range(2):  # computed, then its memo (NaN, which msgspec refuses) computed again
        (value,) = cache.remembered_json("memo", "key", lambda: [float("nan")])
        assert math.isnan(value)


def test_without_msgspec_the_standard_library_reads_the_memo(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    cache.remembered_json("memo", "key", lambda: {"a": [1.5]})
    monkeypatch.setitem(sys.modules, "msgspec.json", None)  # import fails
    assert cache.remembered_json("memo", "key", lambda: {}) == {"a": [1.5]}


def test_a_lazy_memo_leaves_each_value_raw_for_the_caller(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    value = {"ID": [["ID-JI", "Jawa Timur"]], "SD": [["SD-DE", "East Darfur"]]}
    assert cache.remembered_json("memo", "key", lambda: value, lazy=True) == value  # just computed: decoded
    read = cache.remembered_json("memo", "key", lambda: {}, lazy=True)
    assert set(read) == {"ID", "SD"} and all(isinstance(v, msgspec.Raw) for v in read.values())
    assert msgspec.json.decode(read["SD"]) == value["SD"]
    monkeypatch.setitem(sys.modules, "msgspec", None)  # without msgspec: decoded whole
    assert cache.remembered_json("memo", "key", lambda: {}, lazy=True) == value
