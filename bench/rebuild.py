"""Rebuild after one correction vs a full build, on a generated corpus of 5,000 articles.

    python bench/rebuild.py                     # 5,000 articles, all formats, GeoNames on
    python bench/rebuild.py --format html,csv --articles 5000 --runs 3

Each figure is a whole ``nkmap build`` process (start-up, reading, geoparsing, writing), timed
from outside, median of ``--runs``:

1. *full*: the per-article result and read caches empty (a fresh cache folder; the GeoNames and
   admin indexes and memos are linked in from the usual cache so they are not rebuilt), i.e. every
   article read and geoparsed;
2. *rebuild*: the same corpus after one ``nkmap fix not-a-place NAME`` on a name review.csv
   lists (or ``--name``), with the caches the full build left: only the articles where NAME was a
   candidate are resolved again (their scan is kept too), and no text is read again.

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


def nkmap(*args: str, env: dict[str, str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system, of the process and its children) of one ``nkmap``."""
    start, before = time.perf_counter(), os.times()
    done = subprocess.run([sys.executable, "-m", "nkmap", *args], capture_output=True, text=True, env=env)
    elapsed, after = time.perf_counter() - start, os.times()
    if done.returncode != 0:
        raise SystemExit(f"nkmap {' '.join(args)} failed:\n{done.stderr}")
    return elapsed, (after.children_user - before.children_user) + (after.children_system - before.children_system)


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


def stage_times(folder: Path, name: str, work: Path, no_geonames: bool) -> dict[str, float]:
    """CPU seconds of reading (articles and duplicates) and of geoparse() over the read articles:
    each with an empty cache, then with that cache (for geoparse, after the correction); and the
    number of articles the rebuild geoparsed again."""
    import nkmap
    from nkmap.infra.readcache import ReadCache
    from nkmap.infra.resultcache import ResultCache
    from nkmap.inputs.duplicates import without_duplicates
    from nkmap.pipeline import default_sources, geoparse
    from nkmap.sources.corrections import Correction, Corrections

    out: dict[str, float] = {}
    for run in ("read full", "read rebuild"):
        start = time.process_time()
        reads = ReadCache(work / "reads.sqlite")
        articles, _ = without_duplicates(nkmap.read_articles([folder], cache=reads), reads)
        reads.close()
        out[run] = time.process_time() - start
    gazetteer = nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER, check_countries=False)
    sources = default_sources(gazetteer, not no_geonames)
    db = work / "stage.sqlite"
    start = time.process_time()
    geoparse(articles, sources=sources, cache=ResultCache(db))
    out["geoparse full"] = time.process_time() - start
    applied = Corrections((Correction("not-a-place", name),)).bind(gazetteer.get)
    start = time.process_time()
    cache = ResultCache(db)
    geoparse(articles, sources=sources, cache=cache, corrections=applied)
    out["geoparse rebuild"] = time.process_time() - start
    out["redone"] = cache.misses
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=5000)
    ap.add_argument("--format", default="all")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--no-geonames", action="store_true")
    ap.add_argument("--name", help="the name to mark not a place (default: the middle row of review.csv)")
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
        for entry in usual.iterdir():  # the GeoNames and admin indexes and the memos, not the results or reads
            if not entry.name.startswith(("results-", "reads-")):
                (cache / entry.name).symlink_to(entry.resolve())
        return {**env, "NKMAP_CACHE_DIR": str(cache)}

    full: list[tuple[float, float]] = []
    rebuild: list[tuple[float, float]] = []
    name = args.name
    for _run in range(args.runs):
        (folder / "corrections.json").unlink(missing_ok=True)
        run_env = fresh_cache()
        full.append(nkmap("build", *common, env=run_env))
        if name is None:
            name = pick_name(work / "out")
        nkmap("fix", "not-a-place", name, "--corrections", str(folder), env=run_env)
        rebuild.append(nkmap("build", *common, env=run_env))
    stages = stage_times(folder, name, work, args.no_geonames)
    touched = sum(1 for f in files if name.casefold() in f.read_text(encoding="utf-8").casefold())
    print(f"corpus: {len(files)} articles, {size / 1e6:.1f} MB ({source}); --format {args.format}")
    print(
        f"correction: not-a-place {name!r} (its letters are in {touched} articles; "
        f"a candidate in {stages['redone']:.0f}, which the rebuild geoparses again)"
    )
    for i, what in ((0, "wall-clock"), (1, "CPU")):
        f_med, r_med = statistics.median(t[i] for t in full), statistics.median(t[i] for t in rebuild)
        print(f"{what}:")
        print(f"  full build:                 {f_med:6.2f} s  (runs: {', '.join(f'{t[i]:.2f}' for t in full)})")
        print(f"  rebuild after a correction: {r_med:6.2f} s  (runs: {', '.join(f'{t[i]:.2f}' for t in rebuild)})")
        print(f"  rebuild / full: {100 * r_med / f_med:.0f} %")
    print("stages alone, CPU (one process; the parts the caches save):")
    for stage in ("read", "geoparse"):
        a, b = stages[f"{stage} full"], stages[f"{stage} rebuild"]
        print(f"  {stage:9s} full {a:6.2f} s, rebuild {b:6.2f} s: {100 * b / a:.0f} %")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
