"""Provinces on the generated map (static/areas.js) in Chromium, network cut off: borders in a theatre,
their names in the same no-overlap label pass, and a province place drawn as its area."""

from __future__ import annotations

import json

import pytest

import nkmap

from .conftest import GAZETTEER, open_map
from .test_browser import network_requests

pytestmark = pytest.mark.browser

KARABAKH = "[39.95, 46.7]"


def border_pixels(page) -> int:
    """How many sampled pixels of the provinces' canvas are painted."""
    return page.evaluate("""(() => {
        const canvas = document.querySelector('.leaflet-nkmap-admin1-pane canvas');
        if (!canvas) return 0;
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4 * 7) if (data[i] > 0) n++;
        return n;
    })()""")


def test_province_borders_show_in_a_theatre_not_at_world_zoom(sample_build, offline_page):
    open_map(offline_page, sample_build.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    offline_page.evaluate(f"void nkmap.map.setView({KARABAKH}, 9, {{animate: false}})")
    offline_page.wait_for_timeout(100)
    assert offline_page.evaluate("nkmap.map.hasLayer(nkmapAdmin1Layer)")
    assert border_pixels(offline_page) > 200
    offline_page.evaluate(f"void nkmap.map.setView({KARABAKH}, 3, {{animate: false}})")
    assert not offline_page.evaluate("nkmap.map.hasLayer(nkmapAdmin1Layer)")
    legend = offline_page.locator(".nkmap-legend-borders").inner_text()
    assert "province borders" in legend
    assert "provinces: Natural Earth" in offline_page.locator(".leaflet-control-attribution").inner_text()
    assert offline_page.errors == [] and network_requests(offline_page) == []


def overlaps(labels):
    out = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            x, y = a["box"], b["box"]
            if x[0] < y[2] and y[0] < x[2] and x[1] < y[3] and y[1] < x[3]:
                out.append((a["text"], b["text"]))
    return out


@pytest.mark.parametrize("view", [(KARABAKH, 8), (KARABAKH, 9), ("[40.2, 44.6]", 8), ("[55.7, 37.6]", 6)])
def test_province_names_never_overlap_any_other_label(sample_build, offline_page, view):
    open_map(offline_page, sample_build.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    centre, zoom = view
    offline_page.evaluate(f"void nkmap.map.setView({centre}, {zoom}, {{animate: false}})")
    labels = offline_page.evaluate("nkmap.labels()")
    regions = [label for label in labels if label["kind"] == "region"]
    assert len(regions) >= 3, labels  # Karabakh's rayons, Armenia's marzer, the oblasts round Moscow
    assert overlaps(labels) == []
    # and none sits on a drawn marker
    markers = offline_page.evaluate("""nkmap.cluster.getLayers().filter(m => nkmap.map.hasLayer(m)).map(m => {
        const p = nkmap.map.latLngToContainerPoint(m.getLatLng()), r = m.getRadius();
        return {text: 'marker', box: [p.x - r, p.y - r, p.x + r, p.y + r]};
    })""")
    assert [pair for pair in overlaps(regions + markers) if "marker" in pair] == []


@pytest.fixture(scope="module")
def province_build(tmp_path_factory):
    """A corpus naming a province (Tavush, curated) and a village inside it (Koti)."""
    folder = tmp_path_factory.mktemp("articles")
    (folder / "tavush.txt").write_text(
        "Roads reopened in Tavush\n\nCrews cleared the roads of Tavush Province after the storm on Monday. "
        "In Koti, villagers said the bus was running again, and Tavush Province officials thanked them.\n",
        encoding="utf-8",
    )
    return nkmap.build([folder], gazetteer=GAZETTEER, out=tmp_path_factory.mktemp("out"), formats="html")


def click_at(page, lat: float, lon: float) -> None:
    point = page.evaluate(f"""(() => {{
        const p = nkmap.map.latLngToContainerPoint([{lat}, {lon}]);
        const box = nkmap.map.getContainer().getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }})()""")
    page.mouse.click(*point)


def test_a_province_place_is_drawn_as_its_area_and_opens_its_popup(province_build, offline_page):
    ids = {s.place.id for s in province_build.result.places}
    assert {"tavush-province", "koti"} <= ids
    open_map(offline_page, province_build.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    assert offline_page.evaluate("nkmap.markers['tavush-province'] === undefined")  # not a dot
    assert offline_page.evaluate("nkmap.areas.getLayers().some(a => a.nkmapId === 'tavush-province')")
    assert offline_page.locator(".nkmap-legend-areas").count() == 1
    offline_page.evaluate("new Promise(done => nkmap.showPlace('tavush-province', () => done()))")
    # a point inside the outline, far from its edges: the province's label point from the page's data
    label = offline_page.evaluate("nkmapData('nkmap-admin1').labels.find(l => l[0] === 'Tavush')")
    click_at(offline_page, label[2], label[1])
    offline_page.wait_for_selector(".leaflet-popup .nkmap-popup")
    assert offline_page.locator(".leaflet-popup .nkmap-popup h3").inner_text() == "Tavush Province"
    assert "3 mentions" in offline_page.locator(".leaflet-popup .nkmap-popup .nkmap-meta").first.inner_text()
    assert offline_page.errors == [] and network_requests(offline_page) == []


def test_a_marker_inside_a_province_area_still_takes_its_own_click(province_build, offline_page):
    open_map(offline_page, province_build.map_path)
    offline_page.wait_for_function("window.nkmapReady === true")
    offline_page.evaluate("new Promise(done => nkmap.showPlace('koti', () => done()))")
    koti = offline_page.evaluate("(() => { const m = nkmap.markers.koti.getLatLng(); return [m.lat, m.lng]; })()")
    click_at(offline_page, *koti)
    offline_page.wait_for_selector(".leaflet-popup .nkmap-popup")
    assert offline_page.locator(".leaflet-popup .nkmap-popup h3").inner_text() == "Koti"
    # after a filter hides and shows every place again, the area still lies under the marker
    offline_page.evaluate("""(() => {
        const box = document.querySelector('.nkmap-article-list input[type=checkbox]');
        box.click(); box.click();
    })()""")
    offline_page.evaluate("nkmap.settled()")
    offline_page.evaluate("new Promise(done => nkmap.showPlace('koti', () => done()))")
    click_at(offline_page, *koti)
    offline_page.wait_for_selector(".leaflet-popup .nkmap-popup")
    assert offline_page.locator(".leaflet-popup .nkmap-popup h3").inner_text() == "Koti"
    assert json.dumps(offline_page.errors) == "[]"
