#!/usr/bin/env python3
"""How the map page copes with a big corpus: 50,000 articles, 10,000 places, in Chromium.

Builds a synthetic result (model objects made directly, one sentence of our own per mention, no
geoparsing), writes ``map.html`` and measures in Debian's Chromium with the network cut off:

- load: from navigation to the page flagging itself ready (markers drawn), with the phases the
  script marks (``performance.mark``): data parsed, basemap, markers, clusters, filters;
- popup: opening the place with 10,000 excerpts (target <= 200 ms);
- filter toggle: unticking one outlet, one article, and moving the date slider (target <= 100 ms);
- the 10,000-place page alone (issue 15's target: <= 0.8 s from navigation).

Medians of ``--runs`` page loads. ``--against ../main/src`` also loads the same 10,000-place page as
another checkout builds it, interleaved with this one's, for a ratio measured in one run.

Run:  python bench/page.py [--articles 50000] [--places 10000] [--runs 5] [--against /work/main/src]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
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
  const outlet = document.querySelector(".nkmap-checks input[value='Outlet 3']");
  t = performance.now(); outlet.click(); out.outlet_toggle = performance.now() - t;
  t = performance.now(); outlet.click(); out.outlet_toggle_back = performance.now() - t;
  const article = document.querySelector('.nkmap-article-list input[type=checkbox]');
  t = performance.now(); article.click(); out.article_toggle = performance.now() - t;
  const slider = document.querySelector('input.nkmap-from');
  // the slider applies its range in the next frame (nkmap.settled): timed until the markers are re-clustered
  const settled = () => nkmap.settled ? nkmap.settled() : Promise.resolve();
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


def measure(path: Path, runs: int) -> list[dict]:
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            context.route("http*://**/*", lambda route: route.abort())
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto(path.as_uri())
            page.wait_for_function("window.nkmapReady === true", timeout=120_000)
            results.append(page.evaluate(MEASURE))
            if errors:
                raise SystemExit(f"page errors: {errors}")
            context.close()
        browser.close()
    return results


def report(label: str, path: Path, rows: list[dict], build_s: float) -> None:
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0] if isinstance(rows[0][k], (int, float))}
    size = path.stat().st_size / 1e6
    print(f"\n## {label}: map.html {size:.1f} MB, built in {build_s:.1f} s; medians of {len(rows)} loads (ms)")
    targets = {"ready": 800, "popup": 200, "outlet_toggle": 100, "article_toggle": 100, "date_slider": 100}
    for key, value in med.items():
        target = targets.get(key)
        verdict = "" if target is None else (" ok" if value <= target else f" MISSES {target}")
        print(f"  {key:20s} {value:9.1f}{'  (target <= ' + str(target) + ')' if target else ''}{verdict}")
    marks = rows[len(rows) // 2]["marks"]
    if marks:
        print(
            "  phases (one load, ms from navigation): "
            + ", ".join(f"{k} {v:.0f}" for k, v in sorted(marks.items(), key=lambda kv: kv[1]))
        )


def ready_times(paths: list[Path], runs: int) -> dict[Path, list[float]]:
    """Navigation → ready (ms) of each page, loads interleaved so that machine noise hits all alike."""
    from playwright.sync_api import sync_playwright

    times: dict[Path, list[float]] = {p: [] for p in paths}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for _ in range(runs):
            for path in paths:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                context.route("http*://**/*", lambda route: route.abort())
                page = context.new_page()
                page.goto(path.as_uri())
                page.wait_for_function("window.nkmapReady === true", timeout=120_000)
                times[path].append(page.evaluate("window.nkmap && nkmap.readyMs || performance.now()"))
                context.close()
        browser.close()
    return times


def compare(other_src: Path, n_places: int, runs: int, tmp: Path) -> None:
    """The same 10,000-place page built by another checkout's ``src`` (e.g. main) and by this one."""
    import subprocess

    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "from page import synthetic; from nkmap.outputs.web.page import build_map;"
        "build_map(synthetic(int(sys.argv[3]), int(sys.argv[3]))).save(sys.argv[4])"
    )
    paths = []
    for label, src in (("other", other_src), ("this", ROOT / "src")):
        path = tmp / f"compare-{label}.html"
        subprocess.run(
            [sys.executable, "-c", code, str(src), str(ROOT / "bench"), str(n_places), str(path)],
            check=True,
            env={**__import__("os").environ, "PYTHONPATH": str(src)},
        )
        paths.append(path)
    times = ready_times(paths, runs)
    print(
        f"\n## side by side, {n_places:,} places / {n_places:,} articles, navigation -> ready, {runs} loads each (ms)"
    )
    for label, path in zip((str(other_src), "this branch"), paths):
        print(f"  {label:40s} median {statistics.median(times[path]):7.0f}  {[round(t) for t in times[path]]}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50_000)
    ap.add_argument("--places", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--against", type=Path, metavar="SRC", help="also load the page another checkout's src/ builds")
    a = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from nkmap.outputs.web.page import build_map

    with tempfile.TemporaryDirectory() as tmp:
        for label, n_articles in (
            (f"{a.articles:,} articles / {a.places:,} places", a.articles),
            (f"{a.places:,} places, {a.places:,} articles", a.places),
        ):
            result = synthetic(n_articles, a.places)
            t = time.perf_counter()
            path = Path(tmp) / f"map-{n_articles}.html"
            build_map(result).save(str(path))
            build_s = time.perf_counter() - t
            report(label, path, measure(path, a.runs), build_s)
        if a.against:
            compare(a.against, a.places, a.runs, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
