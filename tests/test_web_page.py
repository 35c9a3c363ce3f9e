"""The map page as a reader finds their way around it: title, labels, search, the article view,
popup paging, filter lists, a hostile URL hash, a phone's width, and byte-identical builds."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, timedelta

import pytest

import nkmap
from nkmap.model import Article, GeoparseResult, Mention, Place, PlaceSummary, ResolvedMention
from nkmap.outputs.web.page import build_map, default_title, subtitle

from .conftest import ARTICLES, GAZETTEER, open_map


def synthetic(n_articles: int, places: list[tuple[str, float, float, int]], outlets: int = 3) -> GeoparseResult:
    """A result made directly from model objects: ``places`` are (name, lat, lon, mentions); the
    mentions are spread over ``n_articles`` articles in turn, one sentence of our own each."""
    sentence = "Warga melaporkan keadaan di {} pada hari itu."
    articles, by_place = [], {}
    texts = [[] for _ in range(n_articles)]
    k = 0
    for name, lat, lon, count in places:
        place = Place(id=re.sub(r"\W+", "-", name.lower()), name=name, lat=lat, lon=lon, kind="town", country="AZ")
        by_place[place.id] = (place, [])
        for _ in range(count):
            texts[k % n_articles].append((place, sentence.format(name)))
            k += 1
    mentions = []
    for i, rows in enumerate(texts):
        name = f"a{i:05d}.txt"
        text, spans = "", []
        for place, s in rows:
            start = len(text) + s.index(place.name)
            spans.append((place, start, s, len(text)))
            text += s + " "
        articles.append(
            Article(
                name=name,
                path=name,
                text=text or "Tanpa tempat.",
                title=f"Laporan nomor {i}",
                outlet=f"Outlet {i % outlets}",
                date=date(2020, 1, 1) + timedelta(days=i % 300),
            )
        )
        for place, start, s, s0 in spans:
            m = Mention(name, start, start + len(place.name), place.name, s, s0)
            rm = ResolvedMention(m, place, "gazetteer", 1.0)
            mentions.append(rm)
            by_place[place.id][1].append(rm)
    summaries = sorted(
        (PlaceSummary(p, tuple(ms)) for p, ms in by_place.values()), key=lambda s: (-len(s.mentions), s.place.name)
    )
    return GeoparseResult(tuple(articles), tuple(mentions), tuple(summaries))


def save(result: GeoparseResult, path, **kwargs):
    build_map(result, **kwargs).save(str(path))
    return path


# ---- without a browser ----


@pytest.mark.slow
def test_two_builds_are_byte_identical(tmp_path):
    a = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "a", formats="html,svg")
    b = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "b", formats="html,svg")
    for name in ("map.html", "map.svg"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    html = a.map_path.read_text(encoding="utf-8")
    assert not re.search(r"[0-9a-f]{32}", html)  # no random folium ids left
    assert b.map_path.stat().st_size <= 2_000_000  # the size budget, context layer included


@pytest.mark.slow
def test_title_option_reaches_the_page_and_the_pictures(tmp_path):
    out = tmp_path / "out"
    title = 'Karabakh & "friends" <2020>'
    done = subprocess.run(
        [sys.executable, "-m", "nkmap", "build", str(ARTICLES), "--out", str(out), "--format", "html,svg"]
        + ["--title", title],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "<title>Karabakh &amp; &quot;friends&quot; &lt;2020&gt;</title>" in html
    data = json.loads(re.search(r'id="nkmap-data">(.*?)</script>', html, re.DOTALL).group(1))
    assert data["title"] == title
    assert "Karabakh &amp; \u201c" not in html
    svg = (out / "map.svg").read_text(encoding="utf-8")
    assert "Karabakh &amp; &quot;friends&quot; &lt;2020&gt;" in svg or 'Karabakh &amp; "friends" &lt;2020&gt;' in svg


def test_default_title_and_subtitle_say_what_the_corpus_is(sample_result):
    assert default_title(sample_result) == "Places named in 5 news articles from 4 outlets"
    assert subtitle(sample_result) == "1 Oct – 4 Nov 2020 (2 undated) · 225 mentions of 19 places"


def test_context_towns_surround_the_theatre(sample_result):
    from nkmap.outputs.web.context import towns_near

    towns = towns_near(sample_result)
    assert 100 < len(towns) <= 1500
    names = {t[0] for t in towns}
    assert {"Aghdam", "Goris", "Tbilisi"} <= names  # around Karabakh, and a capital of the extent
    assert "Stepanakert" not in names and "Baku" not in names  # mapped places label themselves
    assert [t[3] for t in towns] == sorted((t[3] for t in towns), reverse=True)


# ---- in Chromium ----


@pytest.mark.browser
def test_search_by_alias_and_keyboard_opens_the_popup(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    box = page.locator("input.nkmap-search-input")
    box.focus()
    page.keyboard.type("khanken")  # an alias of Stepanakert, typed without its accent
    options = page.locator("#nkmap-search-results [role=option]")
    options.first.wait_for()
    assert "Stepanakert" in options.first.inner_text()
    assert box.get_attribute("aria-expanded") == "true"
    assert box.get_attribute("aria-activedescendant") == "nkmap-result-0"
    page.keyboard.press("Enter")
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == "Stepanakert"
    assert page.errors == []


@pytest.mark.browser
def test_search_finds_articles_by_outlet_and_opens_them(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    article = next(a for a in sample_build.result.articles if a.outlet == "SERAMBINEWS.COM")
    page.locator("input.nkmap-search-input").fill("serambinews")
    option = page.locator("#nkmap-search-results .nkmap-result-article").first
    option.wait_for()
    assert option.locator(".nkmap-result-label").inner_text() == (article.title or article.name)
    page.keyboard.press("ArrowDown")  # places come first; step to the article with the keyboard
    page.locator("input.nkmap-search-input").press("ArrowUp")
    index = page.evaluate(
        "Array.from(document.querySelectorAll('#nkmap-search-results [role=option]'))"
        ".findIndex(li => li.classList.contains('nkmap-result-article'))"
    )
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.locator("#nkmap-article.nkmap-open").wait_for()
    assert page.locator("#nkmap-article h2").inner_text() == (article.title or article.name)
    assert page.evaluate("nkmap.search('zzzqqq')") == []


@pytest.mark.browser
def test_labels_never_overlap_at_any_zoom(sample_build, offline_page):
    page = offline_page
    page.set_viewport_size({"width": 1200, "height": 700})
    open_map(page, sample_build.map_path)
    page.wait_for_function("window.nkmapReady === true")
    views = [None, ([40.0, 46.5], 7), ([39.85, 46.75], 9), ([39.8, 46.75], 11), ([50, 20], 4), ([20, 0], 2)]
    seen = set()
    for view in views:
        if view:
            page.evaluate(f"void nkmap.map.setView({json.dumps(view[0])}, {view[1]}, {{animate: false}})")
        labels = page.evaluate("nkmap.labels()")
        boxes = page.locator(".leaflet-nkmap-labels-pane .nkmap-label").evaluate_all(
            "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        )
        assert len(boxes) == len(labels) > 0
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                assert not (a[0] < b[2] - 0.5 and b[0] < a[2] - 0.5 and a[1] < b[3] - 0.5 and b[1] < a[3] - 0.5), (a, b)
        seen |= {(label["kind"], label["text"]) for label in labels}
    # places, country names and context towns are all labelled somewhere
    assert {("place", "Tonashen"), ("place", "Martakert"), ("country", "Azerbaijan")} <= seen
    assert any(kind == "town" for kind, _ in seen)
    assert page.errors == []


@pytest.mark.browser
def test_the_most_mentioned_place_in_view_is_labelled_first(tmp_path, offline_page):
    # two places so close that only one label fits beside them: the bigger one wins
    result = synthetic(4, [("Kecil", 40.0, 47.0005, 2), ("Besar", 40.0, 47.0, 9)])
    path = save(result, tmp_path / "map.html")
    open_map(offline_page, path)
    offline_page.evaluate("void nkmap.map.setView([40, 47], 18, {animate: false})")
    texts = [label["text"] for label in offline_page.evaluate("nkmap.labels()") if label["kind"] == "place"]
    assert texts[0] == "Besar"


@pytest.mark.browser
def test_article_view_highlights_every_place_and_links_back(sample_build, offline_page):
    page = offline_page
    result = sample_build.result
    article = max(
        result.articles, key=lambda a: len({rm.place.id for rm in result.mentions if rm.mention.article == a.name})
    )
    rows = sorted((rm for rm in result.mentions if rm.mention.article == article.name), key=lambda rm: rm.mention.start)
    open_map(
        page, sample_build.map_path, f"#article={article.name}&start={rows[0].mention.start}&end={rows[0].mention.end}"
    )
    view = page.locator("#nkmap-article.nkmap-open")
    view.wait_for()
    marks = view.locator("mark.nkmap-place")
    assert marks.count() == len(rows)
    assert marks.all_inner_texts() == [rm.mention.surface for rm in rows]
    assert view.locator("mark#nkmap-current").inner_text() == rows[0].mention.surface
    # another place named in the article: clicking its name brings the map to it, popup open
    other = next(rm for rm in rows if rm.place.id != rows[0].place.id and rm.place.kind != "country")
    view.locator(f"mark.nkmap-place[data-place]:text-is('{other.mention.surface}')").first.click()
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == other.place.name
    # and by keyboard: Enter on a focused name
    page.evaluate("void nkmap.map.closePopup()")
    page.wait_for_function("document.querySelectorAll('.leaflet-popup').length === 0")  # after its fade
    mark = view.locator("mark.nkmap-place").first
    mark.focus()
    page.keyboard.press("Enter")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == rows[0].place.name
    assert page.errors == []


@pytest.mark.browser
def test_popup_groups_by_article_newest_first_and_pages(tmp_path, offline_page):
    # 30 articles name "Besar" 4 times each
    result = synthetic(30, [("Besar", 40.0, 47.0, 120), ("Kecil", 41.0, 45.0, 1)])
    path = save(result, tmp_path / "map.html")
    page = offline_page
    open_map(page, path)
    page.evaluate("nkmap.openPlace('besar')")
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert "120 mentions in 30 articles" in popup.locator(".nkmap-meta").first.inner_text()
    sections = popup.locator(".nkmap-article")
    assert sections.count() == 8
    assert popup.locator("a.nkmap-excerpt").count() == 8 * 3
    shown_dates = sections.locator(".nkmap-meta").evaluate_all("els => els.map(e => e.textContent.split(' · ')[1])")
    assert shown_dates == sorted(shown_dates, reverse=True)
    newest = max(a.date for a in result.articles).isoformat()
    assert shown_dates[0] == newest
    sections.first.locator("button.nkmap-more-excerpts:visible").click()
    assert sections.first.locator("a.nkmap-excerpt").count() == 4
    more = popup.locator("button.nkmap-more-articles")
    assert "22 not shown" in more.inner_text()
    more.click()
    more.click()
    more.click()
    assert sections.count() == 30
    assert popup.locator("button.nkmap-more-articles:visible").count() == 0


@pytest.mark.browser
@pytest.mark.slow
def test_a_place_with_200000_excerpts_opens_without_freezing(tmp_path, offline_page):
    result = synthetic(2000, [("Besar", 40.0, 47.0, 200_000), ("Kecil", 41.0, 45.0, 1)])
    path = save(result, tmp_path / "map.html")
    open_map(offline_page, path)
    ms = offline_page.evaluate("""() => { const t = performance.now(); nkmap.openPlace('besar');
        return performance.now() - t; }""")
    assert offline_page.locator(".leaflet-popup-content a.nkmap-excerpt").count() == 8 * 3
    assert ms < 2000  # paged: milliseconds, not the minute it took when every excerpt was drawn


@pytest.mark.browser
def test_filter_lists_search_and_select_all_or_none(tmp_path, offline_page):
    result = synthetic(300, [("Besar", 40.0, 47.0, 300), ("Kecil", 41.0, 45.0, 2)])
    path = save(result, tmp_path / "map.html")
    page = offline_page
    open_map(page, path)
    page.locator(".nkmap-filters summary").click()
    articles = page.locator("fieldset.nkmap-article-list")
    assert articles.locator("label").count() == 100  # the first rows; typing narrows the rest
    assert "and 200 more" in articles.locator(".nkmap-list-note").inner_text()
    articles.locator("input.nkmap-list-search").fill("nomor 1")  # 1, 10-19, 100-199
    assert articles.locator("label").count() == 100
    articles.locator("input.nkmap-list-search").fill("nomor 0")
    assert articles.locator("label").count() == 1
    articles.locator("input.nkmap-list-search").fill("")
    articles.locator("button.nkmap-none").click()
    assert page.evaluate("nkmap.shownCount()") == 0
    articles.locator("input.nkmap-list-search").fill("nomor 1")  # "Kecil" is in article 1 only
    articles.locator("button.nkmap-all").click()
    assert page.evaluate("nkmap.shownCount()") == 2
    outlets = page.locator("fieldset.nkmap-checks:has(legend:text('Outlets'))")
    outlets.locator("input.nkmap-list-search").fill("outlet 2")
    assert outlets.locator("label").count() == 1
    outlets.locator("button.nkmap-none").click()
    assert "of 300 articles" in page.locator(".nkmap-status").inner_text()
    assert page.errors == []


@pytest.mark.browser
@pytest.mark.parametrize("fragment", ["#article=%E0%A4%A&start=0&end=5", "#article=%", "#article=&start=x", "#%%%"])
def test_a_crafted_hash_does_not_break_start_up(sample_build, offline_page, fragment):
    page = offline_page
    open_map(page, sample_build.map_path, fragment)
    page.wait_for_function("window.nkmapReady === true")
    assert page.errors == []
    assert page.evaluate("nkmap.shownCount()") == len(sample_build.result.places)
    assert page.evaluate(f"nkmap.parseHash({json.dumps(fragment)})") is None


@pytest.mark.browser
def test_usable_at_phone_width(sample_build, offline_page):
    page = offline_page
    page.set_viewport_size({"width": 375, "height": 740})
    open_map(page, sample_build.map_path)
    page.wait_for_function("window.nkmapReady === true")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    controls = page.locator(".leaflet-control").evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
    )
    assert all(0 <= c[0] and c[2] <= 375 for c in controls), controls
    head = page.locator(".nkmap-head").bounding_box()
    filters = page.locator(".nkmap-filters").bounding_box()
    assert filters["y"] >= head["y"] + head["height"]  # the filters sit below the title, not over it
    assert page.locator(".nkmap-legend").evaluate("e => e.open") is False  # collapsed on a phone
    legend, credit = (
        page.locator(".nkmap-legend").bounding_box(),
        page.locator(".leaflet-control-attribution").bounding_box(),
    )
    assert legend["y"] + legend["height"] <= credit["y"]  # not hidden under the attribution
    page.evaluate("nkmap.openPlace('armenia')")
    popup = page.locator(".leaflet-popup").bounding_box()
    assert popup["width"] <= 375
    page.locator(".leaflet-popup-content a.nkmap-excerpt").first.click()
    view = page.locator("#nkmap-article.nkmap-open").bounding_box()
    assert view["x"] >= 0 and view["x"] + view["width"] <= 375


@pytest.mark.browser
def test_controls_are_reachable_by_keyboard_with_visible_focus(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(
            page.evaluate(
                "document.activeElement.className + '|' + (document.activeElement.getAttribute('aria-label') || document.activeElement.textContent)"
            )
        )
        if "nkmap-search-input" in reached[-1]:
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none"
    assert any("nkmap-search-input|Search places and articles" in r for r in reached)
    assert any("Filters" in r for r in reached) or page.locator(".nkmap-filters summary").count() == 1
    labels = page.locator("input, button").evaluate_all(
        "els => els.filter(e => !(e.getAttribute('aria-label') || (e.labels && e.labels.length) || e.textContent.trim()))"
        ".map(e => e.outerHTML)"
    )
    assert labels == []  # every control has a name a screen reader can say


def test_the_vendored_supercluster_is_the_release_its_licence_file_names():
    """static/supercluster.min.js is npm's supercluster 9.1.0 unchanged: its sha256 is the one
    recorded beside it with the licences, and the page inlines it after a line naming it."""
    import hashlib
    from importlib import resources

    from nkmap.outputs.web.assets import inline_assets

    static = resources.files("nkmap.outputs.web") / "static"
    code = (static / "supercluster.min.js").read_bytes()
    notice = (static / "supercluster.LICENSE").read_text(encoding="utf-8")
    assert f"sha256 of supercluster.min.js: {hashlib.sha256(code).hexdigest()}" in notice
    assert "supercluster 9.1.0" in notice and notice.count("ISC License") == 2  # supercluster and kdbush
    assert "/* supercluster 9.1.0 (npm), ISC licence" in inline_assets()
    assert "MarkerClusterGroup" not in inline_assets()  # Leaflet.markercluster is gone


def _towns_over_every_town(result, index):
    """towns_near as it was, each place tested against every town of the extent (the reference)."""
    import math

    import numpy as np

    from nkmap.model import WIDE_KINDS
    from nkmap.outputs.web import context as c

    points = [(s.place.lat, s.place.lon) for s in result.places if s.place.kind not in WIDE_KINDS]
    lat, lon, pop = np.asarray(index._lat), np.asarray(index._lon), np.asarray(index._pop)
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    pad_lat = max((north - south) * c.MARGIN, 1.5)
    pad_lon = max((east - west) * c.MARGIN, 1.5 / max(math.cos(math.radians((south + north) / 2)), 0.2))
    inside = (lat >= south - pad_lat) & (lat <= north + pad_lat) & (lon >= west - pad_lon) & (lon <= east + pad_lon)
    wide = np.flatnonzero(inside & (pop >= 15_000))
    chosen = set(wide[np.argsort(-pop[wide], kind="stable")][: c.WIDE_TOWNS].tolist())
    candidates = np.flatnonzero(inside & (pop >= 1_000))
    clat, clon, cpop = lat[candidates], lon[candidates], pop[candidates]
    for plat, plon in list(dict.fromkeys(points))[: c.NEAR_PLACES]:
        hit = np.flatnonzero((np.abs(clat - plat) <= c.NEAR) & (np.abs(clon - plon) <= c.NEAR))
        order = np.lexsort((candidates[hit], -cpop[hit].astype(np.int64)))[: c.NEAR_TOWNS]
        chosen.update(candidates[hit][order].tolist())
    return chosen


@pytest.mark.parametrize("count", [3, 120])
def test_towns_near_each_place_are_those_of_the_test_over_every_town(count, monkeypatch):
    """Each place's towns are looked for in its band of latitude only; they are the towns the test over
    all of the extent's towns finds, places exactly NEAR degrees from a town included."""
    import random

    from nkmap.model import GeoparseResult, Place, PlaceSummary
    from nkmap.outputs.web import context
    from nkmap.sources.geonames import load_geonames

    index = load_geonames()
    rng = random.Random(count)
    places = []
    for i in range(count):
        row = rng.randrange(len(index._lat))
        shift = rng.choice((0.0, context.NEAR, -context.NEAR, 0.3))
        lat, lon = float(index._lat[row]) + shift, float(index._lon[row]) - shift
        places.append(PlaceSummary(Place(f"p{i}", f"Place {i}", lat, lon, "city", "XX"), ()))
    result = GeoparseResult((), (), tuple(places))
    expected = _towns_over_every_town(result, index)
    rows = []
    monkeypatch.setattr(context, "MAX_TOWNS", 10**9)  # every town chosen is listed
    real_place = index.place

    def place(row):
        rows.append(row)
        return real_place(row)

    monkeypatch.setattr(index, "place", place)
    context.towns_near(result, index)
    assert set(rows) == expected and len(expected) > count
