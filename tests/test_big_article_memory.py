"""A 19 MB article on one line (and one with an emoji every 400 characters) is built in about the
memory geoparsing it takes: the outputs hold no extra copies of its text (issue 16).

Each run's peak RSS is the child's own (``os.wait4``), so the bound does not depend on what else
this test session ran. The baseline reads and geoparses the same folder with the output
libraries imported, in one process; the build may cost one more copy of the text as Python
holds it (4 bytes a character with emoji) and 64 MB, not the several copies it held before
(574-870 MB and 1.16 GB against 254/324 MB for geoparsing).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import nkmap_env

SIZE = 19_000_000
SENTENCES = (  # written for this test
    "Reporters in Baku said the convoy reached Ganja before noon on Tuesday.",
    "Officials in Yerevan denied the account and said the road to Goris stayed closed.",
    "The ministry gave no figures, and the talks were moved to another week.",
    "Aid groups said they would reach Stepanakert once the weather cleared.",
    "Nothing else was announced, and the markets stayed quiet all afternoon.",
)

GEOPARSE_ONLY = """
import os, sys
import folium, geopandas, pyogrio  # the build's output libraries, so only data is compared
from nkmap.inputs.articles import read_articles
from nkmap.pipeline import geoparse
result = geoparse(read_articles([sys.argv[1]]))
print(len(result.mentions))
"""


def one_line_article(folder: Path, emoji: bool) -> int:
    """Write the article; return the bytes its text takes as a Python str."""
    unit = " ".join(SENTENCES) + " "
    text = (unit * (SIZE // len(unit) + 1))[:SIZE]
    if emoji:
        text = "".join(text[i : i + 400] + "\U0001f6a9" for i in range(0, len(text), 400))
    folder.mkdir()
    (folder / "long.txt").write_text(text, encoding="utf-8")
    return len(text) * (4 if emoji else 1)


def peak_mb(args: list[str], env: dict[str, str]) -> float:
    """Run ``args``; its peak RSS in MB (its own, from wait4); fail on a non-zero exit."""
    with subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as p:
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        err = p.stderr.read().decode("utf-8", "replace") if p.stderr else ""
    assert p.returncode == 0, err[-2000:]
    return usage.ru_maxrss / 1024  # KiB on Linux


@pytest.mark.slow
@pytest.mark.parametrize("emoji", [False, True], ids=["ascii", "emoji"])
def test_a_19_mb_single_line_article_builds_in_about_geoparsing_memory(tmp_path, emoji):
    text_mb = one_line_article(tmp_path / "in", emoji) / 2**20
    env = nkmap_env()
    geoparse_mb = peak_mb([sys.executable, "-c", GEOPARSE_ONLY, str(tmp_path / "in")], env)
    out = tmp_path / "out"
    build_mb = peak_mb(
        [sys.executable, "-m", "nkmap", "build", str(tmp_path / "in"), "--out", str(out), "-q", "--no-cache"], env
    )
    assert (out / "map.html").stat().st_size > SIZE  # the text is on the page
    bound = geoparse_mb + text_mb + 64
    assert build_mb <= bound, f"build {build_mb:.0f} MB, geoparse {geoparse_mb:.0f} MB, text {text_mb:.0f} MB"
