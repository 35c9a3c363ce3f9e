"""URLs, fetched only when asked: against a local HTTP server the test starts (no internet)."""

from __future__ import annotations

import http.server
import logging
import os
import socket
import subprocess
import sys
import threading
import time

import pytest

import nkmap
from nkmap.inputs import urls as web

from .conftest import GAZETTEER, ROOT

EXAMPLES = ROOT / "data" / "examples"
PAGE = (EXAMPLES / "page.html").read_bytes()
BRIEF = (EXAMPLES / "brief.txt").read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    log: list[tuple[float, str, str]] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        Handler.log.append((time.monotonic(), self.path, self.headers.get("User-Agent", "")))
        if self.path == "/page.html":
            self.reply(200, "text/html; charset=utf-8", PAGE)
        elif self.path == "/brief":
            self.reply(200, "text/plain; charset=utf-8", BRIEF)
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/page.html")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(3)
            self.reply(200, "text/html", PAGE)
        elif self.path == "/huge":
            self.reply(200, "text/html", b"<p>" + b"x" * 300_000 + b"</p>")
        elif self.path == "/huge-unannounced":  # no Content-Length: the limit must hold while reading
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(30):
                self.wfile.write(b"y" * 10_000)
        elif self.path == "/image.png":
            self.reply(200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
        else:
            self.reply(404, "text/html", b"<h1>Not Found</h1>")

    def reply(self, code, kind, body):
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(proxy, raising=False)
    web._last_request.clear()
    Handler.log.clear()


def messages(caplog):
    return [r.getMessage() for r in caplog.records]


@pytest.mark.slow
def test_pages_are_fetched_and_read_and_failures_are_warnings_naming_the_url(server, caplog, private_cache):
    urls = [f"{server}/{p}" for p in ("page.html", "moved", "brief", "missing", "slow", "huge", "image.png")]
    urls.append(f"{server}/huge-unannounced")
    urls.append(f"{server}/to-file")
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles(urls, max_size=200_000, url_timeout=0.5, url_delay=0)
    assert [a.name for a in articles] == [f"{server}/page.html", f"{server}/moved", f"{server}/brief"]
    page, moved, brief = articles
    assert page.title == "Nile floods reach the outskirts of Khartoum"
    assert page.url == "https://river-courier.example/2024/08/12/nile-floods-khartoum"  # the page's canonical URL
    assert "Nairobi" not in page.text and moved.text == page.text
    assert brief.text == BRIEF.decode("utf-8") and brief.url == f"{server}/brief"
    assert messages(caplog) == [
        f"{server}/missing: HTTP 404 Not Found; skipped",
        f"{server}/slow: timed out after 0.5 s; skipped",
        f"{server}/huge: the page is 300,007 bytes, over the 200,000-byte limit; skipped",
        f"{server}/image.png: not a web page (image/png); skipped",
        f"{server}/huge-unannounced: the page is over the 200,000-byte limit; skipped",
        f"{server}/to-file: HTTP 302 Found - Redirection to url 'file:///etc/passwd' is not allowed; skipped",
    ]
    agents = {agent for _, _, agent in Handler.log}
    assert agents == {web.USER_AGENT} and web.USER_AGENT.startswith(f"nkmap/{nkmap.__version__} ")


@pytest.fixture()
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_rebuild_reads_the_cache_and_does_not_refetch(server, private_cache):
    url = f"{server}/page.html"
    first = nkmap.read_articles([url], url_delay=0)
    assert len(Handler.log) == 1
    assert list((private_cache / "pages").glob("*.body"))
    again = nkmap.read_articles([url], url_delay=0)
    assert again == first
    assert len(Handler.log) == 1  # no second request


def test_requests_to_one_host_are_spaced_by_the_delay(server, private_cache):
    nkmap.read_articles([f"{server}/page.html", f"{server}/brief"], url_delay=0.4)
    (t1, _, _), (t2, _, _) = Handler.log
    assert t2 - t1 >= 0.38


def test_all_urls_failing_is_an_error(server, private_cache):
    with pytest.raises(nkmap.InputError) as caught:
        nkmap.read_articles([f"{server}/missing", f"{server}/image.png"], url_delay=0)
    assert str(caught.value) == "2 URLs: no page could be fetched and read (see the warnings)"


@pytest.mark.slow
def test_cli_urls_file_with_comments_and_a_bad_line(server, tmp_path):
    listing = tmp_path / "urls.list"
    listing.write_text(f"# sources\n{server}/page.html\n\nnot a url\n{server}/missing\n", encoding="utf-8")
    # The build's own cache (country names, basemap) is the one the tests share; fetched pages are keyed by
    # the URL, whose port is new each run.
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "NKMAP_CACHE_DIR": os.environ["NKMAP_CACHE_DIR"]}
    env["NKMAP_CACHE_DIR"] = os.environ.get("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    args = ["--url-delay", "0", "--gazetteer", GAZETTEER, "--out", tmp_path / "out", "--format", "csv", "--no-geonames"]
    done = subprocess.run(
        [sys.executable, "-m", "nkmap", "build", "--urls", listing, *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"Warning: {listing}: line 4: not an http(s) URL: 'not a url'; skipped",
        f"Warning: {server}/missing: HTTP 404 Not Found; skipped",
    ]
    assert done.stdout.startswith("articles:   1\n")
    assert f"{server}/page.html" in (tmp_path / "out" / "mentions.csv").read_text(encoding="utf-8-sig")
    args[args.index(tmp_path / "out")] = tmp_path / "out2"
    done = subprocess.run(
        [sys.executable, "-m", "nkmap", "build", f"{server}/brief", f"{server}/page.html", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("articles:   2\n") and done.stderr == ""
    assert f"{server}/brief" in (tmp_path / "out2" / "mentions.csv").read_text(encoding="utf-8-sig")


@pytest.mark.slow
def test_without_urls_nothing_touches_the_network(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("nkmap opened a network connection without being given a URL")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    report = nkmap.build([EXAMPLES], gazetteer=GAZETTEER, out=tmp_path / "out", formats="html,csv", geonames=False)
    assert len(report.result.articles) >= 10


def test_url_checks_take_linear_time_on_long_hostile_lines():
    long = "http://" + "a" * 200_000 + " b"
    started = time.perf_counter()
    assert not web.is_url(long)
    assert web.is_url("https://example.org/a?b=1#c") and web.is_url("http://127.0.0.1:8000")
    assert not web.is_url("file:///etc/passwd") and not web.is_url("javascript:alert(1)")
    assert time.perf_counter() - started < 0.5
