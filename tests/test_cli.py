"""The CLI mirrors the API: same results, one-line errors, documented exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

import nkmap
from nkmap.cli import main

from .conftest import ARTICLES, GAZETTEER, ROOT


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "nkmap", *args], capture_output=True, text=True, cwd=cwd)


def test_build_prints_a_summary_and_writes_the_files(tmp_path):
    done = run("build", str(ARTICLES), "--gazetteer", str(GAZETTEER), "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    api = nkmap.geoparse(nkmap.read_articles([ARTICLES]), nkmap.load_gazetteer(GAZETTEER))
    assert f"articles:   {len(api.articles)}" in done.stdout
    assert f"mentions:   {len(api.mentions)}" in done.stdout
    assert f"places:     {len(api.places)}" in done.stdout
    assert f"map:        {tmp_path / 'map.html'}" in done.stdout
    from nkmap.formats import DEFAULT, FORMATS

    assert {p.name for p in tmp_path.iterdir()} == {name for fmt in DEFAULT for name in FORMATS[fmt]}


def test_bad_gazetteer_is_one_line_exit_2_and_writes_nothing(tmp_path):
    broken = tmp_path / "g.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature"}]}', encoding="utf-8")
    out = tmp_path / "out"
    done = run("build", str(ARTICLES), "--gazetteer", str(broken), "--out", str(out))
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0
    assert done.stderr.startswith(f"Error: {broken}: feature 0, field 'properties'")
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_missing_articles_folder_is_exit_2(tmp_path):
    code = main(["build", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert code == 2


@pytest.mark.parametrize("args", [["--help"], ["build", "--help"]])
def test_help_reads_well(args, capsys):
    with pytest.raises(SystemExit) as done:
        main(args)
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert "usage: nkmap" in text
    if args[0] == "build":
        assert "--gazetteer PATH" in text and "--out DIR" in text


def test_usage_error_is_exit_2():
    assert run("build", "--no-such-option").returncode == 2


def test_readme_documents_every_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in (
        "nkmap build",
        "--tiles",
        "--embed",
        "nkmap gazetteer add",
        "nkmap gazetteer check",
        "nkmap gazetteer list",
        "make map",
        "make test",
    ):
        assert command in readme
