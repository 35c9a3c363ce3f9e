"""Progress on stderr: a bar on a terminal, a plain line now and then otherwise, nothing with --quiet."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time

import pytest

from nkmap import progress

from .conftest import GAZETTEER, ROOT


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_gets_a_bar_that_redraws_in_place():
    stream = Terminal()

    def slow():
        for i in range(30):
            time.sleep(0.01)
            yield i

    assert list(progress.track(slow(), "reading", total=30, stream=stream)) == list(range(30))
    shown = stream.getvalue()
    assert "\r" in shown and "reading:" in shown and "0/30" in shown
    assert re.search(r"\b([1-9]|[12]\d|30)/30 ", shown), "the bar moved"
    assert shown.endswith("\r"), "and is cleared when done"


def test_a_warning_during_a_bar_is_printed_above_it():
    stream = Terminal()
    for i in progress.track(range(3), "reading", stream=stream):
        if i == 1:
            progress.echo("Warning: x.txt: skipped", stream)
    assert "\nWarning: x.txt: skipped\n" in "\n" + stream.getvalue().replace("\r", "\n")
    plain = io.StringIO()
    progress.echo("Warning: y", plain)
    assert plain.getvalue() == "Warning: y\n"


def test_a_pipe_gets_plain_lines_at_the_interval_and_a_last_one(monkeypatch):
    monkeypatch.setenv("NKMAP_PROGRESS_INTERVAL", "0.05")
    stream = io.StringIO()

    def slow():
        for i in range(6):
            time.sleep(0.03)
            yield i

    assert list(progress.track(slow(), "geoparsing", total=6, stream=stream)) == list(range(6))
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert 2 <= len(lines) <= 5
    assert all(re.fullmatch(r"geoparsing: \d/6 articles \(\d+%\), \d+\.\d s(, done)?", line) for line in lines)
    assert lines[-1].startswith("geoparsing: 6/6 articles (100%)") and lines[-1].endswith(", done")


def test_short_work_prints_nothing_and_quiet_prints_nothing():
    stream = io.StringIO()
    list(progress.track(range(1000), "reading", stream=stream))
    assert stream.getvalue() == ""
    previous = progress.set_quiet(True)
    try:
        terminal = Terminal()
        list(progress.track(range(10), "reading", stream=terminal))
        assert terminal.getvalue() == ""
    finally:
        progress.set_quiet(previous)


def test_a_broken_stderr_does_not_stop_the_work(monkeypatch):
    monkeypatch.setenv("NKMAP_PROGRESS_INTERVAL", "0")
    stream = io.StringIO()
    stream.close()
    assert list(progress.track(range(3), "reading", stream=stream)) == [0, 1, 2]


@pytest.mark.slow
def test_a_ten_thousand_article_run_reports_progress_on_a_non_terminal(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    towns = ["Stepanakert", "Shusha", "Goris", "Yerevan", "Baku", "Ganja", "Barda", "Tartar"]
    for i in range(10_000):
        town = towns[i % len(towns)]
        (corpus / f"{i:05}.txt").write_text(f"Warga {town} melaporkan kabar nomor {i} dari {town} hari ini.\n", "utf-8")
    env = {
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": "/usr/bin:/bin",
        "NKMAP_CACHE_DIR": os.environ["NKMAP_CACHE_DIR"],
        "NKMAP_PROGRESS_INTERVAL": "1",
    }
    env["NKMAP_CACHE_DIR"] = os.environ.get("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    args = ["build", corpus, "--gazetteer", GAZETTEER, "--out", tmp_path / "out", "--format", "csv", "--no-geonames"]
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "nkmap", *map(str, args)], capture_output=True, text=True, env=env)
    elapsed = time.monotonic() - started
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("articles:   10000\n")
    lines = done.stderr.splitlines()
    reading = [line for line in lines if line.startswith("reading: ")]
    assert reading and all(
        re.fullmatch(r"reading: [\d,]+/10,000 files \(\d+%\), [\d.]+ s(, done)?", x) for x in reading
    )
    assert reading[-1].startswith("reading: 10,000/10,000 files (100%)")
    geoparsing = [line for line in lines if line.startswith("geoparsing: ")]
    assert lines == reading + geoparsing, "only progress lines, reading first"
    assert len(lines) <= elapsed + 4, "about one line a second, not one per article"
    quiet = subprocess.run(
        [sys.executable, "-m", "nkmap", *map(str, args), "--quiet"], capture_output=True, text=True, env=env
    )
    assert quiet.returncode == 0 and quiet.stderr == ""
