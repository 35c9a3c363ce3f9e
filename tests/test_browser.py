"""The generated map in a real browser (Debian chromium), with the network cut off."""

from __future__ import annotations

import pytest

from .conftest import open_map

pytestmark = pytest.mark.browser


def test_markers_popups_and_article_view(sample_build, offline_page):
    page = offline_page
    open_map(page, sample_build.map_path)
    assert page.evaluate("Object.keys(nkmap.markers).length") == len(sample_build.result.places)
    page.evaluate("nkmap.openPlace('tonashen')")
    popup = page.locator(".leaflet-popup-content .nkmap-popup")
    popup.wait_for()
    assert popup.locator("h3").inner_text() == "Tonashen"
    assert popup.locator("mark.nkmap-hit").inner_text() == "Tonashen"
    popup.locator("a.nkmap-excerpt").first.click()
    view = page.locator("#nkmap-article.nkmap-open")
    view.wait_for()
    assert view.locator("mark#nkmap-current").inner_text() == "Tonashen"
    assert view.locator("mark#nkmap-current").is_visible()
    assert page.errors == []
