"""The gazetteer is the user's file: `gazetteer add` keeps all of it, and names that break outputs are refused."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys
import xml.dom.minidom

import pytest

import nkmap
from nkmap.sources.gazetteer import load_gazetteer

from .conftest import ARTICLES, ROOT

BAKU = {
    "type": "Feature",
    "id": 7,
    "geometry": {"type": "Point", "coordinates": [49.892, 40.3777]},
    "properties": {"id": "baku", "name": "Baku", "aliases": ["Bakı"], "kind": "city", "country": "AZ"},
    "bbox": [49.8, 40.3, 49.9, 40.4],
}
SHUSHA = {
    "type": "Feature",
    "id": "shusha-feature",
    "geometry": {"type": "Point", "coordinates": [46.7525, 39.7581]},
    "properties": {"id": "shusha", "name": "Shusha", "aliases": ["Shushi"], "kind": "town", "country": "AZ"},
}
DOCUMENT = {
    "type": "FeatureCollection",
    "name": "my places",
    "metadata": {"curator": "a reporter", "updated": "2020-11-10"},
    "features": [BAKU, SHUSHA],
}


def env():
    return {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "NKMAP_CACHE_DIR": os.environ["NKMAP_CACHE_DIR"]}


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "nkmap", *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=env()
    )


def add(path, name="Testplace"):
    return cli("gazetteer", "add", name, "--lat", "40.1", "--lon", "47.2", "--country", "AZ", "--gazetteer", path)


@pytest.mark.slow
def test_add_keeps_top_level_members_and_feature_ids(tmp_path):
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps(DOCUMENT, ensure_ascii=False), encoding="utf-8")
    done = add(path)
    assert done.returncode == 0, done.stderr
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["name"] == "my places" and data["metadata"] == DOCUMENT["metadata"]
    by_id = {f["properties"]["id"]: f for f in data["features"]}
    assert set(by_id) == {"baku", "shusha", "testplace"}
    assert by_id["baku"]["id"] == 7 and by_id["baku"]["bbox"] == BAKU["bbox"]
    assert by_id["shusha"]["id"] == "shusha-feature"
    assert "id" not in by_id["testplace"]
    assert load_gazetteer(path).members == {"name": "my places", "metadata": DOCUMENT["metadata"]}


def test_a_file_with_nothing_extra_is_written_as_before(tmp_path):
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [SHUSHA]}), encoding="utf-8")
    assert add(path).returncode == 0
    assert path.read_text(encoding="utf-8").startswith('{"type": "FeatureCollection", "features": [\n')


def test_add_through_a_symlink_writes_the_file_it_points_to(tmp_path):
    real = tmp_path / "shared" / "places.geojson"
    real.parent.mkdir()
    real.write_text(json.dumps(DOCUMENT), encoding="utf-8")
    link = tmp_path / "g.geojson"
    link.symlink_to(real)
    chain = tmp_path / "again.geojson"
    chain.symlink_to(link)
    assert add(chain).returncode == 0
    assert add(link, "Otherplace").returncode == 0
    assert link.is_symlink() and chain.is_symlink() and link.resolve() == real
    ids = {f["properties"]["id"] for f in json.loads(real.read_text(encoding="utf-8"))["features"]}
    assert ids == {"baku", "shusha", "testplace", "otherplace"}
    assert sorted(p.name for p in real.parent.iterdir()) == [".places.geojson.lock", "places.geojson"]


@pytest.mark.slow
@pytest.mark.parametrize(("bom", "newline"), [(True, "\r\n"), (True, "\n"), (False, "\r\n"), (False, "\n")])
def test_add_keeps_the_byte_order_mark_and_the_line_ends(tmp_path, bom, newline):
    path = tmp_path / "g.geojson"
    text = '{"type": "FeatureCollection", "features": [\n' + json.dumps(SHUSHA) + "\n]}\n"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + text.replace("\n", newline).encode("utf-8"))
    assert add(path).returncode == 0
    raw = path.read_bytes()
    assert raw.startswith(codecs.BOM_UTF8) == bom
    lines = raw.split(b"\n")
    assert len(lines) == 5  # header, two features, footer, and the empty rest after the last line end
    assert all(line.endswith(b"\r") == (newline == "\r\n") for line in lines[:-1])
    assert "testplace" in {p.id for p in load_gazetteer(path).places}


CONTROL = {
    "newline": ("Bad\nName", "U+000A (line feed)"),
    "tab": ("Bad\tName", "U+0009 (tab)"),
    "escape": ("Bad\x1b[31mName", "U+001B (escape)"),
    "carriage return": ("Bad\rName", "U+000D (carriage return)"),
    "C1 control": ("Bad\x85Name", "U+0085 (control character)"),
    "line separator": ("Bad\u2028Name", "U+2028 (line separator)"),
    "lone surrogate": ("Bad\udcffName", "U+DCFF (lone surrogate)"),
}


def bad_gazetteer(tmp_path, field, value):
    feature = json.loads(json.dumps(SHUSHA))
    if field == "name":
        feature["properties"]["name"] = value
        where = "field 'name'"
    else:
        feature["properties"]["aliases"] = ["Shushi", value]
        where = "field 'aliases', item 1"
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return path, where


@pytest.mark.parametrize("field", ["name", "aliases"])
@pytest.mark.parametrize(("value", "said"), CONTROL.values(), ids=CONTROL.keys())
def test_control_characters_in_names_are_refused_at_load(tmp_path, field, value, said):
    path, where = bad_gazetteer(tmp_path, field, value)
    with pytest.raises(nkmap.InputError) as caught:
        load_gazetteer(path)
    assert str(caught.value) == (
        f"{path}: feature 0 (id 'shusha'), {where}: {value!r} holds the unprintable character {said}; remove it"
    )


@pytest.mark.slow
@pytest.mark.parametrize(("value", "said"), [CONTROL["newline"], CONTROL["escape"]], ids=["newline", "escape"])
def test_every_command_refuses_them_with_one_line(tmp_path, value, said):
    path, where = bad_gazetteer(tmp_path, "aliases", value)
    for command in (["gazetteer", "list"], ["gazetteer", "check"], ["build", ARTICLES, "--out", tmp_path / "out"]):
        done = cli(*command, "--gazetteer", path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.splitlines() == [
            f"Error: {path}: feature 0 (id 'shusha'), {where}: {value!r} holds the unprintable character {said}; "
            "remove it"
        ]
        assert done.stdout == ""
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_names_that_pass_give_a_listing_of_one_line_each_and_well_formed_kml(tmp_path):
    odd = json.loads(json.dumps(SHUSHA))
    odd["properties"]["aliases"] = ["Shushi", "Şuşa <&> \"quoted\" 'x'", "Շուշի"]
    path = tmp_path / "g.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [BAKU, odd]}), encoding="utf-8")
    done = cli("gazetteer", "list", "--gazetteer", path)
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 2
    out = tmp_path / "out"
    assert cli("build", ARTICLES, "--gazetteer", path, "--out", out, "--format", "kml").returncode == 0
    xml.dom.minidom.parse(str(out / "places.kml"))  # raises if not well-formed


def test_api_load_refuses_them_too():
    bad = json.loads(json.dumps(SHUSHA))
    bad["properties"]["name"] = "Shusha\n"
    with pytest.raises(nkmap.InputError, match=r"field 'name': 'Shusha\\n' holds the unprintable character U\+000A"):
        nkmap.Gazetteer([bad])
