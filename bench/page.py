#!/usr/bin/env python3
"""How the map page copes with a big corpus: 50,000 articles, 10,000 places, in Chromium.

Builds a synthetic result (model objects made directly, one sentence of our own per mention, no
geoparsing), writes ``map.html`` and measures in Debian's Chromium with the network cut off:

- load: from navigation to the page flagging itself ready (markers drawn), wall clock (``ready``)
  and the CPU time of the page's main thread (``ready_cpu``, from a Chromium trace: what a page costs
  when the machine is shared), with the phases the script marks (``performance.mark``): data parsed,
  basemap, markers, clusters, filters;
- popup: opening the place with 10,000 excerpts (target <= 200 ms);
- filter toggle: unticking one outlet, one article, and moving the date slider (target <= 100 ms);
- the 10,000-place page alone (issue 15's target: <= 0.8 s from navigation).

Medians of ``--runs`` page loads. ``--against ../main/src`` also builds both pages with another
checkout's code and loads them interleaved with this one's (A B A B ...): every figure side by side,
measured in one run, so that the machine's load hits both alike.

Run:  python bench/page.py [--articles 50000] [--places 10000] [--runs 5] [--against /work/main/src]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
BIG = 10_000  # excerpts of the most-mentioned place


def synthetic(n_articles: int, n_places: int, seed: int = 7):
    """A GeoparseResult of ``n_articles`` articles naming ``n_places`` places (the first one BIG times)."""
    from nkmap.model import Article, GeoparseResult, Mention, Place, PlaceSummary, ResolvedMention

    rng = random.Random(seed)
    places = [
        Place(
            id=f"p{i}",
            name=f"Kampung {i}",
            lat=round(rng.uniform(36.0, 44.0), 4),
            lon=round(rng.uniform(40.0, 52.0), 4),
            kind=rng.choice(("village", "town", "city", "district")),
            country="AZ",
            aliases=(f"Desa {i}",),
        )
        for i in range(n_places)
    ]
    # the big place BIG times, every other place at least once, the rest spread so ~2.4 per article
    picks = [0] * BIG + list(range(1, n_places))
    picks += [int(rng.paretovariate(1.2)) % n_places for _ in range(max(0, int(2.4 * n_articles) - len(picks)))]
    rng.shuffle(picks)
    per_article: list[list[int]] = [[] for _ in range(n_articles)]
    for k, p in enumerate(picks):
        per_article[k % n_articles].append(p)
    articles, mentions = [], []
    by_place: dict[int, list] = {}
    for i, chosen in enumerate(per_article):
        name = f"a{i:06d}.txt"
        text, spans = "", []
        for p in chosen:
            sentence = f"Warga melaporkan keadaan di {places[p].name} pada hari ke-{i % 97}."
            start = len(text) + sentence.index(places[p].name)
            spans.append((p, start, sentence, len(text)))
            text += sentence + " "
        articles.append(
            Article(
                name=name,
                path=name,
                text=text,
                title=f"Laporan harian nomor {i}",
                outlet=f"Outlet {i % 120}",
                date=date(2020, 1, 1) + timedelta(days=i % 700),
            )
        )
        for p, start, sentence, s0 in spans:
            rm = ResolvedMention(
                Mention(name, start, start + len(places[p].name), places[p].name, sentence, s0),
                places[p],
                "gazetteer",
                1.0,
            )
            mentions.append(rm)
            by_place.setdefault(p, []).append(rm)
    summaries = sorted(
        (PlaceSummary(places[p], tuple(rows)) for p, rows in by_place.items()),
        key=lambda s: (-len(s.mentions), s.place.name),
    )
    return GeoparseResult(tuple(articles), tuple(mentions), tuple(summaries))


MEASURE = """async () => {
  const marks = Object.fromEntries(performance.getEntriesByType('mark').map(m => [m.name, m.startTime]));
  const out = {ready: nkmap.readyMs, marks: marks};
  await new Promise(done => nkmap.showPlace('p0', () => done()));
  let t = performance.now(); nkmap.openPopup('p0'); out.popup = performance.now() - t;
  out.excerpts = document.querySelectorAll('.leaflet-popup-content a.nkmap-excerpt').length;
  nkmap.map.closePopup();
  t = performance.now(); nkmap.openPlace('p0'); out.popup_with_zoom = performance.now() - t;
  nkmap.map.closePopup();
  document.querySelector('.nkmap-filters').open = true;
  // every change is timed until it is applied (nkmap.settled: the slider applies its range in the next frame)
  const settled = () => nkmap.settled ? nkmap.settled() : Promise.resolve();
  const outlet = document.querySelector(".nkmap-checks input[value='Outlet 3']");
  t = performance.now(); outlet.click(); await settled(); out.outlet_toggle = performance.now() - t;
  t = performance.now(); outlet.click(); await settled(); out.outlet_toggle_back = performance.now() - t;
  const article = document.querySelector('.nkmap-article-list input[type=checkbox]');
  t = performance.now(); article.click(); await settled(); out.article_toggle = performance.now() - t;
  const slider = document.querySelector('input.nkmap-from');
  t = performance.now(); slider.value = 200; slider.dispatchEvent(new Event('input')); await settled();
  out.date_slider = performance.now() - t;
  // a drag: 30 steps as fast as events come, then the last range applied
  t = performance.now();
  for (let v = 230; v < 260; v++) { slider.value = v; slider.dispatchEvent(new Event('input')); }
  await settled(); out.date_slider_drag = performance.now() - t;
  const search = document.querySelector('input.nkmap-search-input');
  t = performance.now(); search.dispatchEvent(new Event('focus')); out.search_index = performance.now() - t;
  t = performance.now(); search.value = 'kampung 77'; search.dispatchEvent(new Event('input'));
  out.search = performance.now() - t;
  return out;
}"""


def main_thread_cpu_ms(trace: bytes) -> float:
    """CPU time of the page's main thread from navigation to the ``ready`` mark, from a Chromium trace.

    The sum of the thread durations (``tdur``) of its outermost tasks: unlike the wall clock, it does
    not count the time the renderer waits for a core, which on a shared machine is most of it."""
    import json
    from collections import defaultdict

    data = json.loads(trace)
    events = data["traceEvents"] if isinstance(data, dict) else data
    threads: dict[tuple, list[dict]] = defaultdict(list)
    for e in events:
        threads[(e.get("pid"), e.get("tid"))].append(e)
    main = max(threads, key=lambda k: sum(e.get("name") == "ParseHTML" for e in threads[k]))
    start = min(e["ts"] for e in events if e.get("name") == "navigationStart")
    end = max(e["ts"] for e in events if e.get("name") == "ready" and "user_timing" in e.get("cat", ""))
    tasks = sorted(
        (e for e in threads[main] if e.get("ph") == "X" and "tdur" in e and start <= e["ts"] <= end),
        key=lambda e: e["ts"],
    )
    cpu, until = 0, 0
    for e in tasks:
        if e["ts"] >= until:  # outermost only: nested events are inside their parent's time
            cpu += e["tdur"]
            until = e["ts"] + e["dur"]
    return cpu / 1000


def _load(browser, path: Path) -> dict:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("http*://**/*", lambda route: route.abort())
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    browser.start_tracing(page=page, categories=["devtools.timeline", "blink.user_timing"])
    page.goto(path.as_uri())
    page.wait_for_function("window.nkmapReady === true", timeout=120_000)
    cpu = main_thread_cpu_ms(browser.stop_tracing())
    row = page.evaluate(MEASURE)
    row = {"ready": row.pop("ready"), "ready_cpu": cpu, **row}
    context.close()
    if errors:
        raise SystemExit(f"{path}: page errors: {errors}")
    return row


def measure(paths: dict[str, Path], runs: int) -> dict[str, list[dict]]:
    """``runs`` loads of each page, interleaved (A B A B ...) so that machine noise hits all alike."""
    from playwright.sync_api import sync_playwright

    rows: dict[str, list[dict]] = {label: [] for label in paths}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            for label, path in paths.items():
                rows[label].append(_load(browser, path))
        browser.close()
    return rows


TARGETS = {
    "ready": 800,
    "ready_cpu": 800,
    "popup": 200,
    "outlet_toggle": 100,
    "article_toggle": 100,
    "date_slider": 100,
}


def report(title: str, paths: dict[str, Path], rows: dict[str, list[dict]], build_s: dict[str, float]) -> None:
    labels = list(paths)
    first = rows[labels[0]][0]
    keys = [k for k in first if isinstance(first[k], (int, float))]
    med = {lab: {k: statistics.median(r[k] for r in rows[lab]) for k in keys} for lab in labels}
    print(f"\n## {title}: medians of {len(rows[labels[0]])} loads each, interleaved (ms)")
    for lab in labels:
        print(f"  {lab}: map.html {paths[lab].stat().st_size / 1e6:.1f} MB, built in {build_s[lab]:.1f} s")
    print("  " + f"{'':20s}" + "".join(f"{lab:>14s}" for lab in labels) + "   target")
    for key in keys:
        target = TARGETS.get(key)
        verdict = ""
        if target is not None:
            verdict = f"   <= {target} " + ("ok" if med[labels[-1]][key] <= target else "MISSED")
        print("  " + f"{key:20s}" + "".join(f"{med[lab][key]:14.1f}" for lab in labels) + verdict)
    for lab in labels:
        marks = rows[lab][len(rows[lab]) // 2]["marks"]
        if marks:
            print(
                f"  phases of {lab} (one load, ms from navigation): "
                + ", ".join(f"{k} {v:.0f}" for k, v in sorted(marks.items(), key=lambda kv: kv[1]))
            )
    print("  ready, every load: " + "; ".join(f"{lab} {[round(r['ready']) for r in rows[lab]]}" for lab in labels))


def build(src: Path, n_articles: int, n_places: int, path: Path) -> float:
    """Build the synthetic page with the nkmap under ``src`` (this checkout's or another's); seconds."""
    import os
    import subprocess

    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "from page import synthetic; from nkmap.outputs.web.page import build_map;"
        "r = synthetic(int(sys.argv[3]), int(sys.argv[4])); t = time.perf_counter();"
        "build_map(r).save(sys.argv[5]); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(src), str(ROOT / "bench"), str(n_articles), str(n_places), str(path)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(src)},
    )
    return float(out.stdout.split()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--places", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--against", type=Path, metavar="SRC", help="also measure the page another checkout's src/ builds")
    a = ap.parse_args(argv)
    sources = {"this branch": ROOT / "src"}
    if a.against:
        sources = {str(a.against): a.against.resolve(), **sources}
    with tempfile.TemporaryDirectory() as tmp:
        for title, n_articles in (
            (f"{a.articles:,} articles / {a.places:,} places", a.articles),
            (f"{a.places:,} articles / {a.places:,} places", a.places),
        ):
            paths, build_s = {}, {}
            for k, (label, src) in enumerate(sources.items()):
                paths[label] = Path(tmp) / f"map-{n_articles}-{k}.html"
                build_s[label] = build(src, n_articles, a.places, paths[label])
            report(title, paths, measure(paths, a.runs), build_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
