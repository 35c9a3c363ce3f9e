"""No freeze: every regex that runs over whole article texts stays linear on adversarial input.

A 100 kB article of one long hyphenated token used to run for minutes (the outlet regex in
``inputs/metadata.py`` backtracked over every hyphen; 8 kB cost 1.5 s). Each input below is the
kind of run a backtracking regex chokes on; each must be read and geoparsed in under a second.
A SIGALRM guard turns a freeze into a failure instead of a hung test run.
"""

from __future__ import annotations

import contextlib
import signal
import time

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.inputs.metadata import find_dateline, find_outlet

SIZE = 100_000
LIMIT = 1.0  # CPU seconds for one 100 kB article, read and geoparsed (a real one of that size takes ~0.1 s)


def run_of(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


ADVERSARIAL = {
    "hyphenated token": run_of("a-"),
    "hyphenated capitals": run_of("AB-"),
    "hyphenated token then a domain ending": "see " + run_of("ab-") + ".com",
    "hyphenated digits": run_of("1-"),
    "capitals": "A" * SIZE,
    "capital words": run_of("AB "),
    "capital words on lines": run_of("AB CD\n"),
    "capital initials": run_of("A."),
    "dots": "." * SIZE,
    "dotted token": run_of("a."),
    "dotted domains": run_of("a-b.com."),
    "digits": "1" * SIZE,
    "spaced digits": run_of("1 "),
    "slashed digits": run_of("1/"),
    "apostrophes": "'" * SIZE,
    "curly apostrophes": "’" * SIZE,
    "apostrophe words": run_of("A’"),
    "dateline place then spaces": "MOSKOW" + " " * SIZE + "x",
    "dateline place then newlines": "MOSKOW" + "\n" * SIZE + "x",
    "dateline place, comma, spaces": "MOSKOW ," + " " * SIZE,
    "dateline place then an open parenthesis": "MOSKOW (" + "x" * SIZE,
    "dated dateline comma then newlines": "MOSKOW," + "\n" * SIZE,
    "dated dateline comma then spaces": "MOSKOW, " + " " * SIZE + "x",
    "trigger word then spaces": "di" + " " * SIZE + "Baku",
    "front matter never closed": "---\n" + "a: b\n" * (SIZE // 5),
    "weekday and parenthesis runs": run_of("Rabu ("),
    "day month runs": run_of("12 November "),
    "dashes": run_of("- "),
}


@contextlib.contextmanager
def deadline(seconds: int):
    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s: a regex backtracks")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def warm(gazetteer):
    """Build the name index once, so the timings measure the article, not the first call's set-up."""
    nkmap.geoparse([article_from_text("warm.txt", "MOSKOW - Baku dan Yerevan.")], gazetteer, geonames=False)
    return gazetteer


@pytest.mark.slow
@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_article_parses_in_under_a_second(warm, text):
    """Of CPU time in this process (a runaway pattern burns it; other users of the machine do not add to it),
    under a wall-clock deadline that stops a freeze."""
    assert len(text) >= SIZE
    with deadline(30):
        t0 = time.process_time()
        article = article_from_text("hostile.txt", text)
        nkmap.geoparse([article], warm, geonames=False)
        elapsed = time.process_time() - t0
    assert elapsed < LIMIT, f"{elapsed:.2f} s"


@pytest.mark.parametrize("unit", ["a-", "A.", "a.", "1-"])
def test_outlet_regex_is_linear(unit):
    """Doubling the input must not quadruple the time (the old regex: 8 kB 1.5 s, 16 kB 6 s)."""
    with deadline(10):
        t0 = time.process_time()
        find_outlet(run_of(unit, 20_000))
        small = time.process_time() - t0
        t0 = time.process_time()
        find_outlet(run_of(unit, 200_000))
        large = time.process_time() - t0
    assert large < 0.5, f"200 kB took {large:.2f} s (20 kB: {small:.3f} s)"


def test_outlet_and_dateline_still_found():
    text = "SERAMBINEWS.COM, MOSKWA - Presiden berbicara.\nSumber: voa-islam.com dan kompas.co.id\n"
    assert find_outlet(text) == "SERAMBINEWS.COM"
    assert find_outlet("lihat (voa-islam.com) hari ini") == "voa-islam.com"
    assert find_outlet("berita detik.com-nya") == "detik.com"
    assert find_outlet("kompas.co.id melaporkan") == "kompas.co.id"
    assert find_dateline(text)[0] == "MOSKWA"
    assert find_dateline("MOSKOW, RUSIA (voa-islam.com) - Kata dia.")[0] == "MOSKOW"
    assert find_dateline("BAKU, Azerbaijan — It said.")[0] == "BAKU"
    # a label longer than DNS allows (63) is no domain; one run of 8 kB is no dateline
    assert find_outlet("x" * 64 + ".com") == ""
    assert find_dateline("A" * 8000 + " - x") == ("", -1, -1)
