"""Article reading and the metadata read from the text."""

from __future__ import annotations

from datetime import date

import pytest

import nkmap

EXPECTED = {
    # name: (title start, outlet, date, dateline)
    "000_4629ed3933c90710.txt": ("Russia: 2.000 Militan Timur Tengah", "", date(2020, 11, 4), "MOSKOW"),
    "001_a94cd352ff4a83aa.txt": ("Kremlin Desak Armenia-Azerbaijan", "ARRAHMAHNEWS.COM", None, ""),
    "002_57a5f8c875698f1e.txt": (
        "Perang Armenia dan Azerbaijan Terus Berlanjut",
        "SERAMBINEWS.COM",
        date(2020, 10, 1),
        "MOSKWA",
    ),
    # The only full date in 003 is a photo caption's: not the publication date.
    "003_6aa9c62a79b914aa.txt": ("Rusia Turun Tangan", "TRIBUNnews.com", None, ""),
    "004_faf092c22d1790bb.txt": ("Rusia Bersumpah Bantu Yerevan", "voa-islam.com", date(2020, 10, 31), "MOSKOW"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_sample_metadata(sample_articles, name):
    article = next(a for a in sample_articles if a.name == name)
    title, outlet, when, dateline = EXPECTED[name]
    assert article.title.startswith(title)
    assert article.outlet == outlet
    assert article.date == when
    assert article.date_source == ("text" if when else "")
    assert article.dateline == dateline
    assert article.url == ""


def test_text_is_kept_exactly_as_read(sample_articles):
    for article in sample_articles:
        with open(article.path, encoding="utf-8", newline="") as f:
            assert article.text == f.read()


def test_front_matter_and_sidecar_supply_metadata(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(
        "---\ntitle: Given title\nurl: https://example.org/a\n---\nMOSKOW - Teks berita.\n", encoding="utf-8"
    )
    (tmp_path / "a.json").write_text('{"date": "2020-11-04", "outlet": "Outlet"}', encoding="utf-8")
    article = nkmap.read_article(path)
    assert (article.title, article.url, article.outlet) == ("Given title", "https://example.org/a", "Outlet")
    assert (article.date, article.date_source) == (date(2020, 11, 4), "metadata")
    assert article.text == "MOSKOW - Teks berita.\n"
    assert article.dateline == "MOSKOW"


def test_only_http_urls_are_kept(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("---\nurl: javascript:alert(1)\n---\nTeks.\n", encoding="utf-8")
    assert nkmap.read_article(path).url == ""


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.txt", "missing.txt: no such file or folder"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "empty: no article files"),
    ],
)
def test_bad_paths_are_errors(tmp_path, setup, message):
    with pytest.raises(nkmap.InputError, match=message):
        nkmap.read_articles([setup(tmp_path)])
