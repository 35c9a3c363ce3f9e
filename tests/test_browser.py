"""The generated map in a real browser (Debian chromium via Playwright), with the network cut off."""

from __future__ import annotations

import json
from datetime import date

import pytest

import nkmap

from .conftest import ARTICLES, GAZETTEER, open_map

pytestmark = pytest.mark.browser


def network_requests(page):
    """Every request that would leave the machine: anything but the page's own file and data: URIs."""
    return [url for url in page.requests if not url.startswith(("file:", "data:", "blob:", "about:"))]


def click_place(page, place_id):
    """Bring a marker on screen (zoom, spiderfy) and click it with the mouse where it is drawn."""
    page.evaluate(f"new Promise(done => nkmap.showPlace({json.dumps(place_id)}, () => done()))")
    point = page.evaluate(f"""(() => {{
        const m = nkmap.markers[{json.dumps(place_id)}];
        const p = nkmap.map.latLngToContainerPoint(m.getLatLng());
        const box = nkmap.map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }})()""")
    page.mouse.click(*point)


def test_loads_offline_with_no_error_and_no_request(sample_build, offline_page):
    open_map(offline_page, sample_build.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    assert offline_page.errors == []
    assert network_requests(offline_page) == []  # --tiles none (the default): not one request


def test_every_place_is_shown_as_a_marker_or_a_shaded_country(sample_build, offline_page):
    open_map(offline_page, sample_build.map_path)
    places = json.loads((sample_build.map_path.parent / "places.geojson").read_text(encoding="utf-8"))["features"]
    countries = [f for f in places if f["properties"]["kind"] == "country"]
    counts = offline_page.evaluate("[Object.keys(nkmap.markers).length, nkmap.shadedCount(), nkmap.shownCount()]")
    assert counts == [len(places) - len(countries), len(countries), len(places)]
    # at the first zoom every marker is drawn, alone or inside a cluster icon
    assert offline_page.evaluate("nkmap.drawnCount()") == len(places) - len(countries)


def test_basemap_is_drawn(sample_build, offline_page):
    open_map(offline_page, sample_build.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    assert offline_page.evaluate("nkmapBasemapLayer.getLayers().length") > 200
    colours = offline_page.evaluate("""(() => {
        const canvas = document.querySelector('.leaflet-nkmap-basemap-pane canvas');
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        const seen = new Set();
        for (let i = 0; i < data.length; i += 4 * 97) seen.add(data.slice(i, i + 4).join(','));
        return seen.size;
    })()""")
    assert colours >= 3  # land, borders and empty sea at least: not a blank canvas


def test_clicking_tonashen_opens_excerpt_and_article_view(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    click_place(page, "tonashen")
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == "Tonashen"
    assert popup.locator("mark.nkmap-hit").all_inner_texts() == ["Tonashen"]
    popup.locator("a.nkmap-excerpt").first.click()
    view = page.locator("#nkmap-article.nkmap-open")
    view.wait_for()
    current = view.locator("mark#nkmap-current")
    assert current.inner_text() == "Tonashen"
    box, panel = current.bounding_box(), view.locator(".nkmap-text").bounding_box()
    assert panel["y"] <= box["y"] and box["y"] + box["height"] <= panel["y"] + panel["height"]  # scrolled into view
    assert "#article=002_57a5f8c875698f1e.txt" in page.url
    assert page.errors == []


def test_country_popup_from_the_shaded_area(sample_build, offline_page):
    open_map(offline_page, sample_build.map_path)
    offline_page.evaluate("nkmap.openPlace('armenia')")
    popup = offline_page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == "Armenia"
    assert "56 mentions in 5 articles" in popup.locator(".nkmap-meta").first.inner_text()
    # three excerpts per article at first; "more" shows the rest of that article's
    while popup.locator("button.nkmap-more-excerpts:visible").count():
        popup.locator("button.nkmap-more-excerpts:visible").first.click()
    assert popup.locator("mark.nkmap-hit").all_inner_texts() == ["Armenia"] * 56


def test_injected_markup_never_runs_and_shows_as_text(tmp_path, offline_page):
    folder = tmp_path / "articles"
    folder.mkdir()
    title = 'Serangan <script>window.__pwnedTitle = 1</script> di "Baku"'
    body = (
        "MOSKOW - Pasukan bergerak ke Stepanakert. <script>window.__pwnedText = 1</script> "
        'Lalu <img src=x onerror="window.__pwnedImg = 1"> di Baku.\n'
    )
    (folder / "x.txt").write_text(f"---\ntitle: {title}\n---\n{body}", encoding="utf-8")
    report = nkmap.build([folder], gazetteer=GAZETTEER, out=tmp_path / "out", formats="html")
    page = offline_page
    open_map(page, report.map_path)
    page.evaluate("nkmap.openPlace('baku')")
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert "<script>window.__pwnedTitle = 1</script>" in popup.inner_text()
    assert '<img src=x onerror="window.__pwnedImg = 1">' in popup.inner_text()
    popup.locator("a.nkmap-excerpt").first.click()
    page.locator("#nkmap-article.nkmap-open").wait_for()
    assert "<script>window.__pwnedText = 1</script>" in page.locator("#nkmap-article .nkmap-text").inner_text()
    assert page.evaluate("[window.__pwnedTitle, window.__pwnedText, window.__pwnedImg]") == [None, None, None]
    assert page.locator("#nkmap-article img, .leaflet-popup img").count() == 0


def test_online_tiles_are_an_option_over_the_offline_basemap(tmp_path, offline_page):
    report = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path, formats="html", tiles="osm")
    open_map(offline_page, report.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    assert any("openstreetmap" in url for url in network_requests(offline_page))  # it asks for tiles...
    assert offline_page.evaluate("nkmapBasemapLayer.getLayers().length") > 200  # ...and reads well without them
    assert "OpenStreetMap" in offline_page.locator(".leaflet-control-attribution").inner_text()


def test_time_control_filters_markers_and_keeps_undated_articles(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    all_places = page.evaluate("nkmap.shownCount()")
    page.locator(".nkmap-filters summary").click()
    assert "2 undated articles always shown" in page.locator(".nkmap-undated").inner_text()
    dated = [a for a in sample_build.result.articles if a.date]
    latest = max(a.date for a in dated)
    # move the "from" thumb to the latest date: only that article and the undated ones remain
    page.evaluate("""(() => { const s = document.querySelector('input.nkmap-from');
                              s.value = s.max; s.dispatchEvent(new Event('input')); })()""")
    page.evaluate("nkmap.settled()")  # the slider applies its range in the next frame
    kept = [a.name for a in sample_build.result.articles if a.date in (None, latest)]
    expected = {s.place.id for s in sample_build.result.places if any(a in kept for a in s.articles)}
    assert page.evaluate("nkmap.shownCount()") == len(expected) < all_places
    assert latest == date(2020, 11, 4)


def test_outlet_filter_hides_places_only_that_outlet_reported(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    page.locator(".nkmap-filters summary").click()
    before = page.evaluate("nkmap.shownCount()")
    page.locator(".nkmap-checks input[value='SERAMBINEWS.COM']").uncheck()
    # Tonashen and Martakert are named only by the SERAMBINEWS.COM article
    assert page.evaluate("nkmap.shownCount()") == before - 2
    assert page.evaluate("nkmap.cluster.hasLayer(nkmap.markers.tonashen)") is False


def test_clusters_hold_every_shown_place_before_and_after_a_filter(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    page.wait_for_function("window.nkmapReady === true")
    drawn_places = """(() => { let n = 0;
        nkmap.points.eachLayer(l => { n += l.nkmapCluster ? l.nkmapCluster.count : 1; }); return n; })()"""
    markers = page.evaluate("nkmap.shownCount() - nkmap.shadedCount()")
    assert page.evaluate(drawn_places) == markers  # the first view holds them all, alone or in a cluster
    icons = page.locator(".nkmap-cluster")
    assert icons.count() >= 1
    assert (
        sum(int(t) for t in icons.all_inner_texts())
        + page.evaluate(
            "(() => { let n = 0; nkmap.points.eachLayer(l => { if (!l.nkmapCluster) n++; }); return n; })()"
        )
        == markers
    )
    page.locator(".nkmap-filters summary").click()
    page.locator(".nkmap-checks input[value='SERAMBINEWS.COM']").uncheck()
    assert page.evaluate(drawn_places) == markers - 2  # Tonashen and Martakert left the clusters
    assert page.evaluate("nkmap.cluster.hasLayer(nkmap.markers.martakert)") is False


def test_a_cluster_zooms_in_on_a_click_and_on_enter(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    page.wait_for_function("window.nkmapReady === true")
    zoom = page.evaluate("nkmap.map.getZoom()")
    icon = page.locator(".nkmap-cluster").first
    icon.click()
    after_click = page.evaluate("nkmap.map.getZoom()")
    assert after_click > zoom
    page.evaluate(f"void nkmap.map.setZoom({zoom}, {{animate: false}})")
    page.locator(".nkmap-cluster").first.focus()  # keyboard only: the icon takes the focus, Enter opens it
    page.keyboard.press("Enter")
    page.wait_for_function(f"nkmap.map.getZoom() > {zoom}")
    assert page.errors == []


def test_a_cluster_is_labelled_by_its_most_mentioned_place(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    page.wait_for_function("window.nkmapReady === true")
    # the place ids in each cluster drawn now
    clusters = page.evaluate("""(() => {
        const id = {}; Object.values(nkmap.markers).forEach(m => { id[m.nkmapIndex] = m.nkmapId; });
        const out = [];
        nkmap.points.eachLayer(l => { if (l.nkmapCluster) out.push(
            l.nkmapCluster.index.getLeaves(l.nkmapCluster.id, Infinity).map(f => id[f.properties.i])); });
        return out; })()""")
    order = [s.place.id for s in sample_build.result.places]  # most mentioned first
    names = {s.place.id: s.place.name for s in sample_build.result.places}
    expected = {f"{names[min(ids, key=order.index)]} +{len(ids) - 1}" for ids in clusters}
    labels = {label["text"] for label in page.evaluate("nkmap.labels()") if " +" in label["text"]}
    assert clusters and labels and labels <= expected


def test_role_filter(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    page.locator(".nkmap-filters summary").click()
    roles = page.locator("fieldset.nkmap-checks:has(legend:text('Mention roles')) input").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )
    assert "dateline" in roles
    page.locator("fieldset.nkmap-checks:has(legend:text('Mention roles')) input[value='dateline']").uncheck()
    page.evaluate("nkmap.openPlace('moscow')")
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    datelines = [rm for rm in sample_build.result.mentions if rm.place.id == "moscow" and rm.role == "dateline"]
    total = sum(1 for rm in sample_build.result.mentions if rm.place.id == "moscow")
    assert len(datelines) == 3
    assert popup.locator("mark.nkmap-hit").count() == total - len(datelines)


def test_screenshot(sample_build, offline_page, tmp_path):
    offline_page.set_viewport_size({"width": 1200, "height": 700})
    open_map(offline_page, sample_build.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    shot = tmp_path / "map.png"
    offline_page.screenshot(path=str(shot))
    assert shot.stat().st_size > 50_000  # a drawn map, not a blank page


def test_highlight_is_exact_after_characters_beyond_the_bmp(tmp_path, offline_page):
    """Python counts code points, JavaScript UTF-16 units: an emoji before a name must not shift it."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "e.txt").write_text("Warga 😀🇦🇲 mengungsi dari Stepanakert ke Yerevan.\n", encoding="utf-8")
    report = nkmap.build([folder], gazetteer=GAZETTEER, out=tmp_path / "out", formats="html")
    open_map(offline_page, report.map_path)
    offline_page.evaluate("nkmap.openPlace('yerevan')")
    popup = offline_page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert popup.locator("mark.nkmap-hit").inner_text() == "Yerevan"
    popup.locator("a.nkmap-excerpt").first.click()
    assert offline_page.locator("mark#nkmap-current").inner_text() == "Yerevan"


def test_language_filter_hides_places_only_articles_in_that_language_name(tmp_path, offline_page):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "en.txt").write_text(
        "---\nlanguage: en\n---\nFamilies left Stepanakert for Yerevan on Tuesday, officials said.\n", encoding="utf-8"
    )
    (folder / "id.txt").write_text(
        "---\nlanguage: id\n---\nWarga mengungsi dari Baku ke Yerevan pada hari Selasa, kata pejabat.\n",
        encoding="utf-8",
    )
    (folder / "unknown.txt").write_text("Ganja.\n", encoding="utf-8")  # too short to tell its language
    report = nkmap.build([folder], gazetteer=GAZETTEER, out=tmp_path / "out", formats="html")
    assert sorted(a.language for a in report.result.articles) == ["", "en", "id"]
    page = offline_page
    open_map(page, report.map_path)
    page.locator(".nkmap-filters summary").click()
    box = page.locator("fieldset.nkmap-checks:has(legend:text('Languages'))")
    assert box.locator("label").all_inner_texts() == ["English (en) (1)", "Indonesian (id) (1)", "unknown (1)"]
    shown = "Object.keys(nkmap.markers).filter(id => nkmap.cluster.hasLayer(nkmap.markers[id])).sort()"
    assert page.evaluate(shown) == ["baku", "ganja", "stepanakert", "yerevan"]
    box.locator("input[value='en']").uncheck()
    assert page.evaluate(shown) == ["baku", "ganja", "yerevan"]  # Yerevan is named in Indonesian too
    box.locator("input[value='unknown']").uncheck()
    assert page.evaluate(shown) == ["baku", "yerevan"]
    box.locator("input[value='en']").check()
    assert page.evaluate(shown) == ["baku", "stepanakert", "yerevan"]
    assert page.errors == []


def test_a_fast_slider_drag_applies_its_last_range(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    all_places = page.evaluate("nkmap.shownCount()")
    page.locator(".nkmap-filters summary").click()
    # steps to the latest date and back to the first in one burst: only the last one counts
    page.evaluate("""(() => { const s = document.querySelector('input.nkmap-from');
                              for (const v of [s.max, 1, s.max, 0]) { s.value = v; s.dispatchEvent(new Event('input')); }
                            })()""")
    page.evaluate("nkmap.settled()")
    assert page.evaluate("nkmap.shownCount()") == all_places
    page.evaluate("""(() => { const s = document.querySelector('input.nkmap-from');
                              for (const v of [0, 1, s.max]) { s.value = v; s.dispatchEvent(new Event('input')); } })()""")
    page.evaluate("nkmap.settled()")
    assert page.evaluate("nkmap.shownCount()") < all_places
    assert page.errors == []
