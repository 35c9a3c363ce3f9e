#!/usr/bin/env python3
"""Screenshots of the map for the README, in ``docs/``.

Builds the sample corpus's map (and, for the big-corpus popup, the synthetic 50,000-article page
of ``bench/page.py``) into a temporary folder, opens it in Debian's Chromium (Playwright, network
cut off, so the pictures show what a reader without network sees) and saves:

- ``map.png``: the start view;
- ``map-theatre.png``: zoomed into the Karabakh theatre, places, towns and country names labelled;
- ``map-search.png``: the search box finding a place by an alias;
- ``map-article.png``: the article view, every place it names highlighted;
- ``map-big-popup.png``: the popup of a place with 10,000 excerpts, paged;
- ``map-phone.png``: a 375-pixel-wide phone.

Run:  python tools/screenshot.py [--out docs] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def shoot(map_path: Path, out: Path, setup: str = "", width: int = 1200, height: int = 700, typed: str = "") -> Path:
    """Open ``map_path`` offline, run ``setup`` (JavaScript), optionally type into the search box, save a PNG."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": width, "height": height})
        context.route("http*://**/*", lambda route: route.abort())
        page = context.new_page()
        page.goto(map_path.resolve().as_uri())
        page.wait_for_function("window.nkmapReady === true", timeout=120_000)
        if setup:
            page.evaluate(f"async () => {{ {setup} }}")
        if typed:
            page.locator("input.nkmap-search-input").focus()
            page.keyboard.type(typed)
            page.keyboard.press("ArrowDown")
        page.wait_for_timeout(400)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    return out


SHOTS = {
    "map": dict(),
    "map-theatre": dict(setup="nkmap.map.setView([39.95, 46.7], 9, {animate: false});"),
    "map-search": dict(typed="khanken"),
    "map-article": dict(
        setup="const a = nkmap.search('serambinews').find(r => r.type === 'article'); location.hash = "
        "'#article=' + encodeURIComponent(a.id); await new Promise(r => setTimeout(r, 200));"
    ),
    "map-phone": dict(width=375, height=740),
    "map-big-popup": dict(
        setup="await new Promise(done => nkmap.showPlace('p0', () => done())); nkmap.openPopup('p0');"
    ),
}


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--out", type=Path, default=ROOT / "docs")
    args.add_argument("--only", nargs="*", choices=sorted(SHOTS), help="just these pictures")
    a = args.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(ROOT / "bench"))
    import nkmap

    wanted = a.only or list(SHOTS)
    with tempfile.TemporaryDirectory() as tmp:
        sample = nkmap.build([ROOT / "data" / "articles"], out=tmp, formats="html").map_path
        for name in wanted:
            if name == "map-big-popup":
                from page import synthetic  # bench/page.py

                from nkmap.outputs.web.page import build_map

                big = Path(tmp) / "big.html"
                build_map(synthetic(50_000, 10_000), "Synthetic corpus: 50,000 articles, 10,000 places").save(str(big))
                path = big
            else:
                path = sample
            print(shoot(path, a.out / f"{name}.png", **SHOTS[name]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
