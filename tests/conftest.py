"""Shared fixtures: the real sample corpus, the real gazetteer, a real browser."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

# Tests never touch the user's cache: one fresh cache folder per test run, set before nkmap is
# imported (and inherited by every `python -m nkmap` the tests start). NKMAP_TEST_CACHE_DIR picks a
# folder to keep between runs while working (`make test-quick` does; CI never sets it). Under
# pytest-xdist (`-n 2`) every worker process has a cache of its own (a kept folder gets the
# worker's name appended), so that no test sees another worker's cache being written.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
_KEPT = os.environ.get("NKMAP_TEST_CACHE_DIR")
os.environ["NKMAP_CACHE_DIR"] = (
    (f"{_KEPT}-{_WORKER}" if _WORKER else _KEPT)
    if _KEPT
    else tempfile.mkdtemp(prefix=f"nkmap-test-cache-{_WORKER}-" if _WORKER else "nkmap-test-cache-")
)

import nkmap  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT / "data" / "articles"
GAZETTEER = ROOT / "data" / "gazetteer.geojson"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# One valid gazetteer feature, for the tests that build gazetteers around it.
GOOD = {
    "type": "Feature",
    "geometry": {"type": "Point", "coordinates": [46.7528, 39.8177]},
    "properties": {
        "id": "stepanakert",
        "name": "Stepanakert",
        "aliases": ["Khankendi"],
        "kind": "city",
        "country": "AZ",
    },
}


@pytest.fixture(scope="session")
def sample_articles():
    return nkmap.read_articles([ARTICLES])


@pytest.fixture(scope="session")
def gazetteer():
    return nkmap.load_gazetteer(GAZETTEER)


@pytest.fixture(scope="session")
def sample_result(sample_articles, gazetteer):
    return nkmap.geoparse(sample_articles, gazetteer)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    return nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=out)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; never a browser Playwright downloads itself."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./tools/install-chromium.sh (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture()
def offline_page(browser):
    """A page in which every http(s) request is aborted, and errors are collected."""
    context = browser.new_context()
    page = context.new_page()
    page.errors = []
    page.requests = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("request", lambda r: page.requests.append(r.url))
    context.route("http*://**/*", lambda route: route.abort())
    yield page
    context.close()


def open_map(page, path: Path, fragment: str = "") -> None:
    page.goto(path.as_uri() + fragment)
    page.wait_for_function("window.nkmap !== undefined")


def nkmap_env(**extra: str) -> dict[str, str]:
    """The environment of an ``nkmap`` process a test starts: this checkout's code, this run's
    cache, a plain PATH, and nothing else of the caller's (no locale, no user cache)."""
    return {
        "PYTHONPATH": str(ROOT / "src"),
        "PATH": "/usr/bin:/bin",
        "NKMAP_CACHE_DIR": os.environ["NKMAP_CACHE_DIR"],
        **extra,
    }


def run_nkmap(*args: object, cwd: Path | str = ROOT, env: dict[str, str] | None = None, **kw: object):
    """``python -m nkmap ARGS`` as a user runs it: its exit status and its text output captured."""
    return subprocess.run(
        [sys.executable, "-m", "nkmap", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env or nkmap_env(),
        **kw,  # type: ignore[arg-type]
    )


def killed_while_committing(code: str, *args: str, delays: tuple[float, ...]):
    """Run ``python -c code *args`` once per delay: it prints "committing" just before its one
    transaction, and is SIGKILLed ``delay`` s later unless done by then. Yields (delay, returncode)."""
    for delay in delays:
        child = subprocess.Popen(
            [sys.executable, "-c", code, *args], stdout=subprocess.PIPE, env=nkmap_env(), text=True
        )
        assert child.stdout is not None and child.stdout.readline().strip() == "committing"
        try:
            child.wait(delay)
        except subprocess.TimeoutExpired:
            child.send_signal(signal.SIGKILL)
            child.wait()
        yield delay, child.returncode
