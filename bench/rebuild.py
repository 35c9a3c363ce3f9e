"""Rebuild after one correction vs a full build, on a generated corpus of 5,000 articles.

    python bench/rebuild.py                     # 5,000 articles, all formats, GeoNames on
    python bench/rebuild.py --format html,csv --articles 5000 --runs 3

Each figure is a whole ``nkmap build`` process (start-up, reading, geoparsing, writing), timed
from outside, median of ``--runs``:

1. *full*: the per-article result cache empty (a fresh cache folder; the GeoNames and admin
   indexes and memos are linked in from the usual cache so they are not rebuilt), i.e. every
   article geoparsed;
2. *rebuild*: the same corpus after one ``nkmap fix not-a-place NAME`` on a name review.csv
   lists, with the cache the full build left: only the articles that write NAME are geoparsed.

The corpus is made by ``bench/corpus.py`` (paragraphs of the sample corpus and, when present, the
dev set, reshuffled; git-ignored, never committed), cut to the first ``--articles`` files.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import corpus  # noqa: E402

DEVSETS = (REPO.parent / "shared" / "devset", REPO.parent.parent / "shared" / "devset")  # checkout, worktree


def nkmap(*args: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "nkmap", *args], capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"nkmap {' '.join(args)} failed:\n{done.stderr}")
    return elapsed


def pick_name(out: Path) -> str:
    """A middling name of review.csv (not the most frequent), else of places.csv."""
    for table, column in (("review.csv", "candidate"), ("places.csv", "name")):
        path = out / table
        if not path.exists():
            continue
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = [r for r in csv.DictReader(f) if r.get("status") != "corrected" and r.get("kind") != "country"]
        if rows:
            return rows[len(rows) // 2][column].lstrip("'")
    raise SystemExit("neither review.csv nor places.csv lists a name to correct (use --format with csv)")


def stage_times(folder: Path, name: str, work: Path, no_geonames: bool) -> tuple[float, float]:
    """geoparse() over the read articles: with an empty cache, then with that cache after the correction."""
    import nkmap
    from nkmap.infra.resultcache import ResultCache
    from nkmap.pipeline import default_sources, geoparse
    from nkmap.sources.corrections import Correction, Corrections

    articles = nkmap.read_articles([folder])
    gazetteer = nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER, check_countries=False)
    sources = default_sources(gazetteer, not no_geonames)
    db = work / "stage.sqlite"
    start = time.perf_counter()
    geoparse(articles, sources=sources, cache=ResultCache(db))
    full = time.perf_counter() - start
    applied = Corrections((Correction("not-a-place", name),)).bind(gazetteer.get)
    start = time.perf_counter()
    geoparse(articles, sources=sources, cache=ResultCache(db), corrections=applied)
    return full, time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--format", default="all")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-geonames", action="store_true")
    ap.add_argument("--devset", type=Path, default=next((d for d in DEVSETS if d.is_dir()), None))
    args = ap.parse_args(argv)

    source = corpus.build(args.articles * 3.6 / 1000 + 1, args.devset)  # 2-5 KB per article
    files = corpus.corpus_files(source)[: args.articles]
    if len(files) < args.articles:
        raise SystemExit(f"the corpus has only {len(files)} articles")
    work = Path(tempfile.mkdtemp(prefix="nkmap-rebuild-"))
    folder = work / "articles"
    folder.mkdir()
    for f in files:
        os.link(f, folder / f.name) if f.stat().st_dev == folder.stat().st_dev else shutil.copy(f, folder)
    size = sum(f.stat().st_size for f in files)
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    usual = Path(os.environ.get("NKMAP_CACHE_DIR", Path.home() / ".cache" / "nkmap"))
    common = [str(folder), "--out", str(work / "out"), "--format", args.format]
    if args.no_geonames:
        common.append("--no-geonames")

    def fresh_cache() -> dict[str, str]:
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=work))
        for entry in usual.iterdir():  # the GeoNames and admin indexes and the memos, not the results
            if not entry.name.startswith("results-"):
                (cache / entry.name).symlink_to(entry.resolve())
        return {**env, "NKMAP_CACHE_DIR": str(cache)}

    full, rebuild = [], []
    name = None
    for _run in range(args.runs):
        (folder / "corrections.json").unlink(missing_ok=True)
        run_env = fresh_cache()
        full.append(nkmap("build", *common, env=run_env))
        if name is None:
            name = pick_name(work / "out")
        nkmap("fix", "not-a-place", name, "--corrections", str(folder), env=run_env)
        rebuild.append(nkmap("build", *common, env=run_env))
    stage_full, stage_rebuild = stage_times(folder, name, work, args.no_geonames)
    touched = sum(1 for f in files if name.casefold() in f.read_text(encoding="utf-8").casefold())
    f_med, r_med = statistics.median(full), statistics.median(rebuild)
    print(f"corpus: {len(files)} articles, {size / 1e6:.1f} MB ({source}); --format {args.format}")
    print(f"correction: not-a-place {name!r} (written in about {touched} articles)")
    print(f"full build:                 {f_med:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in full)})")
    print(f"rebuild after a correction: {r_med:6.2f} s  (runs: {', '.join(f'{t:.2f}' for t in rebuild)})")
    print(f"rebuild / full: {100 * r_med / f_med:.0f} %")
    print("geoparse stage alone (one process, articles read, sources loaded; the part the cache saves):")
    print(
        f"  full {stage_full:.2f} s, after the correction {stage_rebuild:.2f} s: {100 * stage_rebuild / stage_full:.0f} %"
    )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
