"""No injection: hostile titles, outlets, text, file names, URLs and place names show as text, never run.

Every payload sets its own global (``window.__pwned_<where>``) if it ever runs; the map is
opened in Chromium, every popup and every article view is opened, and no global may exist.
"""

from __future__ import annotations

import json
import re

import pytest

import nkmap

from .conftest import GAZETTEER, open_map

pytestmark = pytest.mark.browser


def payload(where: str) -> str:
    """Markup, script-closing, attribute-breaking, JS-template and bidi tricks, all in one string."""
    run = f"window.__pwned_{where}=1"
    return (
        f'<script>{run}</script></script><script>{run}</script>"><img src=x onerror="{run}">'
        f"'><svg onload={run}> `${{{run}}}` \\\\ <!-- \u202e{where}\u202c"
    )


# Jinja syntax: the page's data must never be compiled as a template (branca would, given the chance).
TEMPLATE_PAYLOADS = ["{{ 7*7 }}", "{% raw %}", "{# x", "{{ lipsum.__globals__['os'].path.join('/', 'ran') }}"]


FILE_NAME = '"><img src=x onerror=window.__pwned_file=1>.txt'
PLACES = [
    {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [46.75, 39.82]},
        "properties": {
            "id": "xanadu",
            "name": payload("name"),
            "aliases": ["Xanadu", payload("alias")],
            "kind": payload("kind"),
            "country": "AZ",
        },
    },
    {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [49.89, 40.38]},
        "properties": {"id": "baku", "name": "Baku", "aliases": [], "kind": "city", "country": "AZ"},
    },
]
BAD_URLS = [
    "javascript:window.__pwned_url=1",
    " JaVaScRiPt:window.__pwned_url=1",
    "data:text/html,<script>window.__pwned_url=1</script>",
    'https://example.org/"><script>window.__pwned_url=1</script>',
]


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    corpus = folder / "corpus"
    corpus.mkdir()
    gazetteer = folder / "g.geojson"
    nkmap.Gazetteer(PLACES, gazetteer).save()
    body = f"Xanadu - {payload('text')}\n\nDi Xanadu dan Baku, {payload('text2')} Xanadu lagi.\n"
    for i, url in enumerate(BAD_URLS):
        name = f"a{i}.txt"
        (corpus / name).write_text(
            f"---\ntitle: {payload('title')}\noutlet: {payload('outlet')}\n---\n{body}", encoding="utf-8"
        )
        (corpus / name).with_suffix(".json").write_text(json.dumps({"url": url}), encoding="utf-8")
    (corpus / FILE_NAME).write_text(body, encoding="utf-8")
    (corpus / "good.txt").write_text(f"---\nurl: https://example.org/ok?a=1&b=2\n---\n{body}", encoding="utf-8")
    # The articles share one body on purpose: keep them all (by default a repeated text is counted once).
    return nkmap.build([corpus], gazetteer=gazetteer, out=folder / "out", keep_duplicates=True)


def pwned(page) -> list[str]:
    return page.evaluate("Object.keys(window).filter(k => k.startsWith('__pwned'))")


def test_the_html_source_carries_no_live_markup(hostile_build):
    html = hostile_build.map_path.read_text(encoding="utf-8")
    assert "__pwned" in html  # the payloads are there, as data
    for live in ("<script>window.__pwned", "<img src=x", "<svg onload", "javascript:", "data:text/html"):
        assert live not in html


def embedded_texts(html: str) -> list[str]:
    data = re.search(r'<script type="application/json" id="nkmap-data">(.*?)</script>', html, re.DOTALL)
    return [a["text"] for a in json.loads(data.group(1))["articles"]]


@pytest.mark.parametrize("trick", TEMPLATE_PAYLOADS)
def test_template_syntax_in_article_text_stays_text(tmp_path, trick):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = f"BAKU - Di Baku {trick} lagi.\n"
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    report = nkmap.build([corpus], gazetteer=GAZETTEER, out=tmp_path / "out")
    assert embedded_texts(report.map_path.read_text(encoding="utf-8")) == [text]


def test_no_payload_runs_and_every_one_shows_as_text(hostile_build, offline_page):
    page = offline_page
    open_map(page, hostile_build.map_path)
    from nkmap.outputs.web.page import default_title

    # the default title names the (hostile) outlet: as text, never as markup
    assert page.title() == default_title(hostile_build.result) == page.locator("h1.nkmap-title").text_content()
    assert payload("outlet") in page.title()
    assert pwned(page) == []
    ids = page.evaluate("Object.keys(nkmap.markers)")
    assert sorted(ids) == ["baku", "xanadu"]
    articles = len(hostile_build.result.articles)
    for place_id in ids:
        page.evaluate("() => { nkmap.map.closePopup(); }")
        assert page.evaluate(f"nkmap.openPlace({place_id!r})")
        page.wait_for_function("document.querySelectorAll('.leaflet-popup-content .nkmap-popup').length === 1")
        popup = page.locator(".leaflet-popup-content .nkmap-popup")
        if place_id == "xanadu":
            assert popup.locator("h3").text_content() == payload("name")
            assert payload("kind") in popup.locator(".nkmap-meta").first.text_content()
        titles = popup.locator(".nkmap-article-title").all_text_contents()
        assert len(titles) == articles
        assert titles.count(payload("title")) == len(BAD_URLS)
        assert FILE_NAME in titles
        assert payload("outlet") in popup.text_content()
        hrefs = popup.locator("a[href]").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert all(h.startswith("#article=") or h == "https://example.org/ok?a=1&b=2" for h in hrefs), hrefs
        assert popup.locator("img, svg, script").count() == 0
        excerpts = popup.locator("a.nkmap-excerpt")
        body = hostile_build.result.articles[0].text
        assert all(t in body for t in excerpts.all_text_contents())  # literally, as in the article
        assert any("<script>window.__pwned_text" in t for t in excerpts.all_text_contents())
        for i in range(excerpts.count()):
            if page.locator("#nkmap-article.nkmap-open").count():
                page.locator("#nkmap-article .nkmap-close").click()
            excerpts.nth(i).click()
            view = page.locator("#nkmap-article.nkmap-open")
            view.wait_for()
            assert payload("text") in view.locator(".nkmap-text").text_content()
            assert view.locator("img, svg, script").count() == 0
            assert pwned(page) == []
    for name in [FILE_NAME, *(f"a{i}.txt" for i in range(len(BAD_URLS)))]:
        page.evaluate("([n, e]) => nkmap.showArticle(n, 0, e)", [name, len("Xanadu")])
        header = page.locator("#nkmap-article.nkmap-open header")
        assert header.locator("h2").text_content() in (payload("title"), FILE_NAME)
        assert header.locator("a").count() == 0  # no link for a URL that is not http(s)
    assert pwned(page) == []
    assert not [r for r in page.requests if not r.startswith("file:")]
    assert not [r for r in page.requests if r.endswith("/x")]
    assert page.errors == []
