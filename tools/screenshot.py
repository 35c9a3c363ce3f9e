#!/usr/bin/env python3
"""Screenshot the sample corpus's map for the README: ``docs/map.png``.

Builds the map into a temporary folder, opens it in Debian's Chromium (Playwright, network
cut off, so the picture shows what a reader without network sees) and saves a PNG.

Run:  python tools/screenshot.py [--out docs/map.png] [--width 1200] [--height 700] [--filters]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"


def screenshot(map_path: Path, out: Path, width: int = 1200, height: int = 700, filters: bool = False) -> Path:
    """Open ``map_path`` offline in Chromium and save a ``width`` x ``height`` PNG to ``out``."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(viewport={"width": width, "height": height})
        context.route("http*://**/*", lambda route: route.abort())
        page = context.new_page()
        page.goto(map_path.resolve().as_uri())
        page.wait_for_function("window.nkmapReady === true")
        if filters:
            page.evaluate("document.querySelector('.nkmap-filters').open = true")
        page.wait_for_timeout(200)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    return out


def main(argv: list[str] | None = None) -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--out", type=Path, default=ROOT / "docs" / "map.png")
    args.add_argument("--width", type=int, default=1200)
    args.add_argument("--height", type=int, default=700)
    args.add_argument("--filters", action="store_true", help="open the filter panel")
    a = args.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    import nkmap

    with tempfile.TemporaryDirectory() as tmp:
        report = nkmap.build([ROOT / "data" / "articles"], out=tmp, formats="html")
        print(screenshot(report.map_path, a.out, a.width, a.height, a.filters))
    return 0


if __name__ == "__main__":
    sys.exit(main())
