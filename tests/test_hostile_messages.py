"""Smaller promises, round two: messages stay one line each, sidecars are read as meant."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import nkmap
from nkmap.errors import InputError, OutputError, shown

from .conftest import GAZETTEER, ROOT

TEXT = "MOSKOW - Presiden Aliyev berbicara di Baku tentang Shusha dan Stepanakert.\n"


def cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "nkmap", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PYTHONPATH": str(ROOT / "src"),
            "PATH": "/usr/bin:/bin",
            "NKMAP_CACHE_DIR": os.environ["NKMAP_CACHE_DIR"],
        },
    )


@pytest.mark.slow
@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["a\nWarning: forged.txt", "a\rWarning: forged.txt", "a\x1b[2K\x1b[1GWarning: forged.txt", "a\u2028Warning: x.txt"],
    ids=["newline", "carriage return", "terminal escapes", "line separator"],
)
def test_a_file_name_cannot_forge_a_warning_line(tmp_path, name):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "real.txt").write_text(TEXT, encoding="utf-8")
    (folder / name).write_bytes(b"")  # empty: skipped with a warning that names it
    done = cli("build", folder, "--gazetteer", GAZETTEER, "--out", tmp_path / "out", "--format", "geojson")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Warning: ") and lines[0].count("Warning:") == 2, lines
    assert repr(str(folder / name)) in lines[0]
    assert "\x1b" not in done.stderr


def test_a_file_name_cannot_forge_a_second_error_line(tmp_path):
    missing = tmp_path / "gone\nError: forged"
    done = cli("build", missing, "--gazetteer", GAZETTEER, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"Error: {str(missing)!r}: no such file or folder"]


def test_names_are_shown_as_is_unless_they_hold_unprintable_characters():
    assert shown("data/Ağdam — notes.txt") == "data/Ağdam — notes.txt"
    assert shown("a\nb") == "'a\\nb'"
    assert shown("caf\udce9") == "'caf\\udce9'"
    assert str(InputError("a\tb.txt", "line 2", "bad")) == "'a\\tb.txt': line 2: bad"
    assert str(OutputError("out/map.html", "is a folder")) == "out/map.html: is a folder"


def test_errors_survive_pickling_for_worker_processes():
    import pickle

    for error in (InputError("a.txt", "line 2", "bad"), OutputError("out/x", "no space left")):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and str(again) == str(error) and again.path == error.path


@pytest.mark.parametrize("url", ["  https://example.org/news/1  ", "\thttps://example.org/news/1\n"])
def test_a_sidecar_url_with_spaces_around_it_is_stripped(tmp_path, url):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"url": url, "title": "  A title  "}), encoding="utf-8")
    (article,) = nkmap.read_articles([tmp_path / "a.txt"])
    assert article.url == "https://example.org/news/1"
    assert article.title == "A title"


def test_a_bad_sidecar_date_names_the_json_file(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.json").write_text(json.dumps({"date": "the day after"}), encoding="utf-8")
    done = cli("build", tmp_path / "a.txt", "--gazetteer", GAZETTEER, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"Error: {tmp_path / 'a.json'}: field 'date': 'the day after' is not a date such as 2020-11-04"
    ]
    assert not (tmp_path / "out").exists()
