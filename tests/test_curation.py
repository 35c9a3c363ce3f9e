"""The regenerate loop through the CLI: build → review.csv lists X → add X → build → X is mapped."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest

from .conftest import GAZETTEER, ROOT


def nkmap_cli(*args):
    return subprocess.run([sys.executable, "-m", "nkmap", *args], capture_output=True, text=True, cwd=ROOT)


@pytest.mark.slow
def test_unresolved_then_add_then_mapped(tmp_path):
    gazetteer = tmp_path / "g.geojson"
    shutil.copy(GAZETTEER, gazetteer)
    article = tmp_path / "a.txt"
    article.write_text("STEPANAKERT - Warga desa Qwxzabad mengungsi ke Stepanakert.\n", encoding="utf-8")
    out = tmp_path / "out"

    first = nkmap_cli("build", str(article), "--gazetteer", str(gazetteer), "--out", str(out))
    assert first.returncode == 0, first.stderr
    with open(out / "review.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["candidate"], r["count"], r["articles"]) for r in rows] == [("Qwxzabad", "1", "a.txt")]
    assert "desa Qwxzabad" in rows[0]["example"]

    added = nkmap_cli(
        "gazetteer",
        "add",
        "Qwxzabad",
        "--lat",
        "39.9",
        "--lon",
        "46.8",
        "--kind",
        "village",
        "--country",
        "AZ",
        "--alias",
        "Qwxzabat",
        "--gazetteer",
        str(gazetteer),
    )
    assert added.returncode == 0, added.stderr
    text = gazetteer.read_text(encoding="utf-8")
    ids = [json.loads(line.rstrip(","))["properties"]["id"] for line in text.splitlines()[1:-1]]
    assert ids == sorted(ids) and "qwxzabad" in ids  # stable order kept

    again = nkmap_cli("build", str(article), "--gazetteer", str(gazetteer), "--out", str(out))
    assert again.returncode == 0, again.stderr
    places = json.loads((out / "places.geojson").read_text(encoding="utf-8"))
    assert "qwxzabad" in {f["properties"]["place_id"] for f in places["features"]}
    with open(out / "review.csv", encoding="utf-8-sig", newline="") as f:
        assert list(csv.DictReader(f)) == []


def test_add_refuses_duplicates_and_bad_coordinates(tmp_path):
    gazetteer = tmp_path / "g.geojson"
    shutil.copy(GAZETTEER, gazetteer)
    before = gazetteer.read_bytes()
    duplicate = nkmap_cli("gazetteer", "add", "Baku", "--lat", "40.4", "--lon", "49.9", "--gazetteer", str(gazetteer))
    assert duplicate.returncode == 2 and "exists already" in duplicate.stderr
    bad = nkmap_cli("gazetteer", "add", "Nowhere", "--lat", "95", "--lon", "46", "--gazetteer", str(gazetteer))
    assert bad.returncode == 2 and "latitude 95.0 is outside [-90, 90]" in bad.stderr
    shared = nkmap_cli(
        "gazetteer", "add", "Other", "--lat", "40", "--lon", "46", "--alias", "Moskwa", "--gazetteer", str(gazetteer)
    )
    assert shared.returncode == 2 and "'moskwa' is also used by" in shared.stderr
    assert gazetteer.read_bytes() == before


def test_add_from_geonames_and_check_and_list(tmp_path):
    gazetteer = tmp_path / "g.geojson"
    shutil.copy(GAZETTEER, gazetteer)
    added = nkmap_cli("gazetteer", "add", "Tbilisi", "--from-geonames", "611717", "--gazetteer", str(gazetteer))
    assert added.returncode == 0, added.stderr
    listed = nkmap_cli("gazetteer", "list", "--kind", "city", "--gazetteer", str(gazetteer))
    row = next(line.split("\t") for line in listed.stdout.splitlines() if line.startswith("tbilisi\t"))
    assert row[1:4] == ["Tbilisi", "city", "GE"] and abs(float(row[4]) - 41.69143) < 1e-4
    check = nkmap_cli("gazetteer", "check", "--gazetteer", str(gazetteer))
    assert check.returncode == 0 and "valid" in check.stdout
