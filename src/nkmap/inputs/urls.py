"""Fetch web pages named by URL, politely, and only when asked (``nkmap build URL...``, ``--urls FILE``).

Without a URL on the command line nkmap never touches the network. When given:

- one request at a time, at most one per :data:`DELAY` seconds to the same host;
- a user agent naming nkmap and its version; redirects followed (http and https only);
- each request times out (``timeout`` seconds per connect or read, and twice that for the
  whole page), and a page larger than ``max_size`` bytes is refused;
- pages are kept under ``$NKMAP_CACHE_DIR/pages/`` (the user cache folder by default), so a
  rebuild reads them from disk and does not refetch; delete that folder to fetch again.
  Failures are not cached.

A URL that fails (HTTP error, timeout, too large, not a web page) is a warning naming it; the
pages fetched are read as saved web pages (:mod:`nkmap.inputs.html`), plain text as text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nkmap import __version__
from nkmap.errors import InputError

log = logging.getLogger(__name__)

DELAY = 1.0  # seconds between two requests to one host
TIMEOUT = 20.0
MAX_PAGE_BYTES = 10 * 1024 * 1024
USER_AGENT = f"nkmap/{__version__} (news place mapper; fetches only the pages its user names)"
_URL = re.compile(r"^https?://[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)  # no overlapping repeats: linear time
_last_request: dict[str, float] = {}


@dataclass(frozen=True, slots=True)
class Page:
    """A fetched page: the URL asked for, where it ended (after redirects), its type and bytes."""

    url: str
    final_url: str
    content_type: str
    charset: str
    body: bytes


class FetchError(Exception):
    """A URL that could not be fetched; the message says why."""


def is_url(value: object) -> bool:
    return isinstance(value, str) and bool(_URL.match(value.strip()))


def read_url_list(path: str | Path) -> list[str]:
    """The URLs in a list file: one per line; blank lines and ``#`` comments skipped, others warned."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8-sig", errors="replace").splitlines()
    except OSError as e:
        raise InputError(path, "", e.strerror or str(e)) from None
    urls = []
    for lineno, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if is_url(line):
            urls.append(line)
        else:
            log.warning("%s: line %d: not an http(s) URL: %r; skipped", path, lineno, line[:200])
    if not urls:
        raise InputError(path, "", "no http:// or https:// URL in this list (one URL per line)")
    return urls


class _Redirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001 - urllib's signature
        if urllib.parse.urlsplit(newurl).scheme.lower() not in ("http", "https"):
            raise urllib.error.HTTPError(newurl, code, f"redirect to a non-http URL {newurl!r}", headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    max_size: int = MAX_PAGE_BYTES,
    delay: float = DELAY,
    cache: Path | None = None,
) -> Page:
    """The page at ``url``, from ``cache`` (a folder) when it is there, else fetched and cached.

    Raises :class:`FetchError` with the reason when the page cannot be had.
    """
    if cache is not None:
        cached = _from_cache(cache, url)
        if cached is not None:
            return cached
    _wait_for_host(url, delay)
    opener = urllib.request.build_opener(_Redirects)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "text/html,*/*;q=0.5"})
    deadline = time.monotonic() + 2 * timeout
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_size:
                raise FetchError(f"the page is {int(length):,} bytes, over the {max_size:,}-byte limit")
            chunks, size = [], 0
            while True:
                chunk = response.read(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
                if size > max_size:
                    raise FetchError(f"the page is over the {max_size:,}-byte limit")
                if time.monotonic() > deadline:
                    raise FetchError(f"timed out: the page took over {2 * timeout:g} s")
            content_type = response.headers.get_content_type() or ""
            page = Page(
                url, response.geturl(), content_type, response.headers.get_content_charset() or "", b"".join(chunks)
            )
    except urllib.error.HTTPError as e:
        raise FetchError(f"HTTP {e.code} {e.reason}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        raise FetchError(
            f"timed out after {timeout:g} s" if isinstance(reason, TimeoutError) else f"{reason}"
        ) from None
    except TimeoutError:
        raise FetchError(f"timed out after {timeout:g} s") from None
    except (OSError, ValueError) as e:  # connection reset, a bad URL, an HTTP protocol error
        raise FetchError(f"{type(e).__name__}: {e}") from None
    finally:
        _last_request[_host(url)] = time.monotonic()
    if cache is not None:
        _to_cache(cache, page)
    return page


def fetch_all(urls: Iterable[str], **options) -> Iterable[Page]:
    """Each page that could be fetched, in order; each failure is a warning naming its URL."""
    for url in urls:
        try:
            yield fetch(url, **options)
        except FetchError as e:
            log.warning("%s: %s; skipped", url, e)


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc.lower()


def _wait_for_host(url: str, delay: float) -> None:
    last = _last_request.get(_host(url))
    if last is not None:
        wait = last + delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)


def _paths(cache: Path, url: str) -> tuple[Path, Path]:
    key = hashlib.sha256(url.encode("utf-8")).hexdigest()[:40]
    return cache / f"{key}.json", cache / f"{key}.body"


def _from_cache(cache: Path, url: str) -> Page | None:
    meta_path, body_path = _paths(cache, url)
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        body = body_path.read_bytes()
        if meta.get("url") != url or len(body) != meta.get("size"):
            return None
        return Page(url, meta["final_url"], meta["content_type"], meta["charset"], body)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _to_cache(cache: Path, page: Page) -> None:
    """Keep the page for the next build; a cache that cannot be written only costs a refetch."""
    from nkmap.errors import NkmapError
    from nkmap.infra import atomic

    meta_path, body_path = _paths(cache, page.url)
    meta = {
        "url": page.url,
        "final_url": page.final_url,
        "content_type": page.content_type,
        "charset": page.charset,
        "size": len(page.body),
        "fetched": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    try:
        with atomic.atomic_path(body_path) as tmp:
            tmp.write_bytes(page.body)
        atomic.write_text(meta_path, json.dumps(meta, ensure_ascii=False))
    except (OSError, NkmapError):
        pass
