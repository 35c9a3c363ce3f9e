"""The review loop in Chromium: review the map, correct it in the page, export, rebuild, see the change."""

from __future__ import annotations

import json

import pytest

import nkmap
from nkmap.sources.corrections import load_corrections

from .conftest import open_map
from .review_corpus import write_corpus, write_gazetteer

pytestmark = pytest.mark.browser


def build(folder, gazetteer, out, corrections=None):
    return nkmap.build(
        [folder], gazetteer=gazetteer, out=out, formats="html,csv", geonames=False, corrections=corrections
    )


def open_review(page, path):
    open_map(page, path)
    page.wait_for_function("window.nkmapReady === true && window.nkmapReviewState !== undefined")
    assert not page.locator(".nkmap-review-body").is_visible()  # off by default
    page.locator(".nkmap-review-toggle").click()
    page.locator(".nkmap-review-body").wait_for(state="visible")


def review_names(page):
    return page.locator(".nkmap-review-row .nkmap-review-name").all_inner_texts()


def popup_of(page, place_id):
    page.evaluate(f"nkmap.openPlace({json.dumps(place_id)})")
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    return popup


def export(page, folder):
    """Download the corrections file the page offers, and check it is the text shown to copy."""
    with page.expect_download() as download:
        page.locator("a.nkmap-review-download").click()
    target = folder / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == "corrections.json"
    assert target.read_text(encoding="utf-8") == page.locator("textarea.nkmap-review-text").input_value()
    return target


def test_not_a_place_then_wrong_place_in_the_page_and_rebuild(tmp_path, offline_page):
    page = offline_page
    gazetteer = write_gazetteer(tmp_path / "g.geojson")
    folder = write_corpus(tmp_path / "arts")
    first = build(folder, gazetteer, tmp_path / "out1")
    open_review(page, first.map_path)
    assert page.locator(".nkmap-review-toggle").inner_text() == "Review (2)"
    assert sorted(review_names(page)) == ["Qarnavut", "Velmora"]

    # the low-confidence place looks different, and the legend says so
    style = page.evaluate(
        "(() => { const o = nkmap.markers['velmora-north'].options; return [o.dashArray, o.color]; })()"
    )
    assert style == ["4 3", "#b45309"]
    assert "low confidence" in page.locator(".nkmap-review-legend").inner_text()
    assert page.evaluate("nkmap.markers['goris'].options.dashArray") is None

    # "not a place" from the marker's popup, exported as the corrections file
    popup = popup_of(page, "velmora-north")
    assert popup.locator(".nkmap-review-low").inner_text() == "low confidence"
    popup.locator("button.nkmap-review-not-a-place").click()
    assert "marked: not a place" in popup.inner_text()
    exported = export(page, folder)
    assert [(c.action, c.name) for c in load_corrections(exported).entries] == [("not-a-place", "Velmora")]
    assert page.errors == []

    second = build(folder, gazetteer, tmp_path / "out2", corrections=exported)
    open_review(page, second.map_path)
    ids = page.evaluate("Object.keys(nkmap.markers)")
    assert "velmora-north" not in ids and "velmora-south" not in ids  # the place is gone
    assert review_names(page) == ["Qarnavut"]  # and the review list is shorter
    assert page.locator(".nkmap-review-toggle").inner_text() == "Review (1)"
    assert "not-a-place Velmora" in page.locator(".nkmap-review-corrections").inner_text()  # kept from the file

    # "wrong place": pin Stepanakert to a point; the exported file keeps the earlier correction
    before = page.evaluate("(() => { const p = nkmap.markers['stepanakert'].getLatLng(); return [p.lat, p.lng]; })()")
    popup = popup_of(page, "stepanakert")
    popup.locator("button.nkmap-review-wrong-place").click()
    popup.locator(".nkmap-review-pin input").fill("13.6, 25.3")
    popup.locator(".nkmap-review-pin button", has_text="Pin").click()
    exported = export(page, folder)
    entries = {(c.action, c.name): c for c in load_corrections(exported).entries}
    assert set(entries) == {("not-a-place", "Velmora"), ("pin", "Stepanakert")}
    assert (entries[("pin", "Stepanakert")].lat, entries[("pin", "Stepanakert")].lon) == (13.6, 25.3)

    third = build(folder, gazetteer, tmp_path / "out3", corrections=exported)
    open_map(page, third.map_path)
    moved = page.evaluate("""Object.values(nkmap.markers).filter(m => m.nkmapId.startsWith('correction-stepanakert'))
                             .map(m => [m.getLatLng().lat, m.getLatLng().lng])""")
    assert moved == [[13.6, 25.3]] and before != moved[0]  # the marker moved
    assert "stepanakert" not in page.evaluate("Object.keys(nkmap.markers)")
    assert page.errors == []


def test_review_text_is_escaped_and_a_dropped_name_can_be_pinned(tmp_path, offline_page):
    page = offline_page
    folder = write_corpus(
        tmp_path / "arts",
        {"x.txt": 'Aid reached the village of Zorvetka <img src=x onerror="window.pwned=1"> after a week.\n'},
    )
    report = build(folder, write_gazetteer(tmp_path / "g.geojson"), tmp_path / "out")
    open_review(page, report.map_path)
    example = page.locator(".nkmap-review-example").inner_text()
    assert '<img src=x onerror="window.pwned=1">' in example  # shown as text
    assert page.locator(".nkmap-review img, .nkmap-review script").count() == 0
    assert page.evaluate("window.pwned") is None
    row = page.locator(".nkmap-review-row").first
    row.locator("button.nkmap-review-wrong-place").click()
    row.locator(".nkmap-review-pin input").fill("not a place id!")
    row.locator(".nkmap-review-pin button", has_text="Pin").click()
    assert "not a gazetteer id" in row.inner_text()  # refused, nothing collected
    row.locator(".nkmap-review-pin input").fill("goris")
    row.locator(".nkmap-review-pin button", has_text="Pin").click()
    text = page.locator("textarea.nkmap-review-text").input_value()
    assert json.loads(text)["corrections"] == [{"action": "pin", "name": "Zorvetka", "to": "goris"}]
    assert page.errors == []
