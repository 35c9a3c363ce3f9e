"""Saved web pages: the article's main text and the page's own metadata; none of its menus, sidebars or lists."""

from __future__ import annotations

import logging
from datetime import date

import pytest

import nkmap
from nkmap.inputs.articles import SkippedFile, read_article
from nkmap.inputs.html import article_from_html

from .conftest import GAZETTEER, ROOT

EXAMPLES = ROOT / "data" / "examples"
PAGE = EXAMPLES / "page.html"
BODY_PLACES = {"Khartoum", "Omdurman", "Port Sudan", "Atbara", "Wad Medani"}
# Named by the page's menu, ads, "read also" list, "most read" sidebar and footer: not by the article.
FURNITURE = {"Gaza", "Kyiv", "Jakarta", "Doha", "Lisbon", "Madrid", "Nairobi", "Cairo", "Mumbai", "Tokyo"}
FURNITURE |= {"Geneva", "Athens", "Dubai", "London", "Beirut"}


@pytest.fixture(scope="module")
def page():
    return read_article(PAGE)


def test_the_page_metadata_is_read_from_the_page(page):
    assert page.name == "page.html"
    assert page.title == "Nile floods reach the outskirts of Khartoum"
    assert page.outlet == "The River Courier"
    assert page.url == "https://river-courier.example/2024/08/12/nile-floods-khartoum"
    assert (page.date, page.date_source) == (date(2024, 8, 12), "metadata")
    assert page.language == "en"
    assert page.dateline == "KHARTOUM"


def test_the_text_is_the_article_without_the_page_furniture(page):
    assert "Families in Omdurman carried mattresses" in page.text
    assert "Farmers near Wad Madani" in page.text
    for word in ("Read also", "Most read", "Advertisement", "All rights reserved", "Sport", "<p>", "</"):
        assert word not in page.text
    for name in FURNITURE:
        assert name not in page.text


def test_places_come_from_the_body_only_and_offsets_index_the_extracted_text(page, gazetteer):
    result = nkmap.geoparse([page], gazetteer)
    found = {s.place.name for s in result.places}
    assert BODY_PLACES <= found
    assert not found & FURNITURE
    for rm in result.mentions:
        assert page.text[rm.mention.start : rm.mention.end] == rm.mention.surface
        assert rm.mention.sentence in page.text


def test_build_on_a_saved_page_maps_the_article_and_shows_the_extracted_text(tmp_path):
    report = nkmap.build([PAGE], gazetteer=GAZETTEER, out=tmp_path, formats="html,geojson")
    (article,) = report.result.articles
    assert article.text == read_article(PAGE).text
    geojson = (tmp_path / "mentions.geojson").read_text(encoding="utf-8")
    assert '"article": "page.html"' in geojson
    assert "Nairobi" not in (tmp_path / "map.html").read_text(encoding="utf-8")


def test_a_folder_of_htm_pages_is_read_with_each_page_language(tmp_path):
    (tmp_path / "a.htm").write_text(
        '<html lang="id-ID"><head><title>Banjir di Demak</title></head><body><nav><a href="/">Jakarta</a></nav>'
        "<article><p>DEMAK - Banjir merendam ratusan rumah di Kabupaten Demak setelah tanggul sungai jebol pada "
        "Minggu dini hari, dan warga mengungsi ke balai desa.</p><p>Petugas dari Semarang membantu mendirikan dapur "
        "umum bagi para pengungsi di dekat masjid.</p></article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "b.html").write_text(
        "<html><head><title>Ferries</title></head><body><article><p>BATAM - Ferries between Batam and Tanjung Pinang "
        "sailed again on Saturday after two days in port, the harbour office said.</p><p>Passengers who had waited "
        "since Thursday boarded the first boat at seven in the morning.</p></article></body></html>",
        encoding="utf-8",
    )
    articles = nkmap.read_articles([tmp_path])
    assert [(a.name, a.language) for a in articles] == [("a.htm", "id"), ("b.html", "en")]
    assert "Jakarta" not in articles[0].text
    assert articles[0].title == "Banjir di Demak"


def test_a_page_without_article_text_is_skipped_with_a_warning(tmp_path, caplog):
    (tmp_path / "empty.html").write_text("<html><body><nav><a href='/'>Home</a></nav></body></html>", encoding="utf-8")
    (tmp_path / "good.html").write_bytes(PAGE.read_bytes())
    with pytest.raises(SkippedFile, match="no article text found in the web page"):
        read_article(tmp_path / "empty.html")
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        assert [a.name for a in nkmap.read_articles([tmp_path])] == ["good.html"]
    assert [r.getMessage() for r in caplog.records] == [
        f"{tmp_path / 'empty.html'}: no article text found in the web page; skipped"
    ]


def test_a_sidecar_overrides_the_page_metadata(tmp_path):
    (tmp_path / "p.html").write_bytes(PAGE.read_bytes())
    (tmp_path / "p.json").write_text('{"outlet": "Given Outlet", "date": "2024-08-13"}', encoding="utf-8")
    article = read_article(tmp_path / "p.html")
    assert (article.outlet, article.date, article.title) == (
        "Given Outlet",
        date(2024, 8, 13),
        "Nile floods reach the outskirts of Khartoum",
    )


def test_markup_in_the_page_never_reaches_the_text_as_markup():
    html = (
        "<html><head><title>T</title></head><body><article><p>KASSALA - Cargo flights landed at Kassala on Thursday "
        "for the first time in three weeks, bringing seed and fuel for farmers.</p><script>alert(1)</script>"
        "<p>Traders said goods from Gedaref would reach the market by the weekend, &lt;b&gt;they hoped&lt;/b&gt;.</p>"
        "</article></body></html>"
    )
    article = article_from_html("x.html", html)
    assert "alert(1)" not in article.text
    assert "<b>they hoped</b>" in article.text  # entities decoded to the text they stand for, escaped by the page


def test_a_hostile_head_costs_no_time():
    import time

    head = "<html " + "x" * 400 + ("<html lang" * 6000) + "<meta http-equiv=content-language " * 2000
    started = time.perf_counter()
    article_from_html("x.html", head + "<body><article><p>" + "Warga Goris berkumpul di alun-alun kota. " * 5)
    assert time.perf_counter() - started < 5
