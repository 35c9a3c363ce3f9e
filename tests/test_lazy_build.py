"""The serial build reads its articles as it geoparses them: texts are held a batch at a time, yet a
bad file met midway still leaves the previous outputs as they were, and duplicates are left out
and reported as when everything was read first."""

from __future__ import annotations

import logging

import pytest

import nkmap
from nkmap import pipeline

from .conftest import GAZETTEER, run_nkmap

PLACES = ["Stepanakert", "Shusha", "Goris", "Baku", "Yerevan", "Ganja", "Martuni", "Askeran"]


def corpus(folder, n=16):
    folder.mkdir()
    for i in range(n):
        place = PLACES[i % len(PLACES)]
        text = (
            f"Report {i}. The market in {place} opened early on day {i}, and traders there said prices of bread "
            f"had risen again. Buses from {place} ran late because of road works on the main street."
        )
        (folder / f"a{i:02}.txt").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture()
def batches(monkeypatch):
    """Small batches, and a count of the batches geoparsed."""
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 600)
    counted = []
    geoparser = pipeline.geoparser

    def counting(*args, **kwargs):
        stages = geoparser(*args, **kwargs)

        def run(articles):
            counted.append(len(articles))
            return stages(articles)

        return run

    monkeypatch.setattr(pipeline, "geoparser", counting)
    return counted


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_bad_file_met_midway_leaves_the_previous_outputs(tmp_path, batches):
    arts = corpus(tmp_path / "arts")
    kwargs = {"gazetteer": GAZETTEER, "geonames": False, "formats": "csv,geojson,html", "cache": False}
    out = tmp_path / "out"
    nkmap.build([arts], out=out, **kwargs)
    before = snapshot(out)
    (arts / "a03.txt").write_text("Goris and Baku were quiet on Sunday, the police said.", encoding="utf-8")
    (arts / "z_big.txt").write_text("Baku " * 1000, encoding="utf-8")  # the last file read: over the limit
    batches.clear()
    with pytest.raises(nkmap.InputError, match=r"z_big\.txt: larger than the .* limit"):
        nkmap.build([arts], out=out, max_article_size=4000, **kwargs)
    assert len(batches) >= 3, "geoparsed and streamed batches before the bad file was read"
    assert snapshot(out) == before  # the same files, the same bytes, no temporaries left
    with pytest.raises(nkmap.InputError):
        nkmap.build([arts], out=tmp_path / "new" / "out", max_article_size=4000, **kwargs)
    assert not (tmp_path / "new").exists() or not any((tmp_path / "new").iterdir())
    assert not (tmp_path / "new" / "out").exists()


def test_duplicates_are_left_out_as_they_come_and_reported_after_reading(tmp_path, batches, caplog):
    arts = corpus(tmp_path / "arts")
    (arts / "a05_copy.txt").write_bytes((arts / "a01.txt").read_bytes())
    (arts / "a09_copy.txt").write_bytes((arts / "a02.txt").read_bytes().replace(b"main street", b"main road"))
    (arts / "empty.txt").write_text("   \n", encoding="utf-8")  # a reading warning, after both duplicates
    with caplog.at_level(logging.WARNING):
        report = nkmap.build([arts], out=tmp_path / "out", gazetteer=GAZETTEER, geonames=False, formats="csv")
    assert [(d.article, d.original, d.exact) for d in report.duplicates] == [
        ("a05_copy.txt", "a01.txt", True),
        ("a09_copy.txt", "a02.txt", False),
    ]
    assert [a.name for a in report.result.articles] == [f"a{i:02}.txt" for i in range(16)]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w.split(":")[0].rsplit("/", 1)[-1] for w in warnings] == ["empty.txt", "a05_copy.txt", "a09_copy.txt"]
    assert len(batches) >= 3
    mentions = (tmp_path / "out" / "mentions.csv").read_text(encoding="utf-8-sig")
    assert "a05_copy.txt" not in mentions and "a09_copy.txt" not in mentions and "a15.txt" in mentions


@pytest.mark.slow
def test_the_cli_says_the_one_line_error_and_exits_2(tmp_path):
    arts = corpus(tmp_path / "arts")
    (arts / "z_big.txt").write_text("Baku " * 1000, encoding="utf-8")
    out = tmp_path / "out"
    done = run_nkmap(
        "build", arts, "--gazetteer", GAZETTEER, "--out", out, "--no-geonames", "--max-article-size", "0.004"
    )
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if not line.startswith("nkmap: ")]
    assert len(lines) == 1 and lines[0].startswith(f"Error: {arts / 'z_big.txt'}: larger than the "), lines
    assert not out.exists()
