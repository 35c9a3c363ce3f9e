"""Publication dates: each sample article's date decided by reading it, and the rules on short texts we wrote."""

from __future__ import annotations

from datetime import date

import pytest

import nkmap
from nkmap.inputs.dates import parse_date, publication_date
from nkmap.inputs.metadata import header_lines

# Read from the articles themselves (see data/articles/SOURCES.md):
SAMPLE_DATES = {
    # the lead's "dilansir dari Independent, Rabu (4/11/2020)"; 4 Nov 2020 was a Wednesday
    "000_4629ed3933c90710.txt": date(2020, 11, 4),
    # only "Senin (28/09)" and no complete date anywhere (1991 and 1994 are history, not dates):
    # 28 September fell on a Monday in 2009, 2015 and 2020, so the year cannot be read honestly
    "001_a94cd352ff4a83aa.txt": None,
    # "dilansir dari BBC pada Kamis (1/10/2020)", the first lead date; "Minggu (27/9/2020)" is the war's start
    "002_57a5f8c875698f1e.txt": date(2020, 10, 1),
    # the only complete date is a photo caption's "Rabu, 1 Juli 2020"; "27 September" has no year
    "003_6aa9c62a79b914aa.txt": None,
    # the header line "Sabtu, 7 Rajab 1446 H / 31 Oktober 2020 22:25 wib" and the lead "Sabtu (31/10/2020)"
    "004_faf092c22d1790bb.txt": date(2020, 10, 31),
}


@pytest.mark.parametrize("name", sorted(SAMPLE_DATES))
def test_sample_article_dates(sample_articles, name):
    article = next(a for a in sample_articles if a.name == name)
    assert article.date == SAMPLE_DATES[name]
    assert article.date_source == ("text" if SAMPLE_DATES[name] else "")


def pub(text: str) -> date | None:
    return publication_date(text, header_lines(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # header date lines, with the furniture pages put around them
        ("Judul berita yang cukup panjang di sini\nSelasa, 17 November 2020 11:30 WIB\nIsi.", date(2020, 11, 17)),
        ("Judul berita yang cukup panjang di sini\n- 24 November 2020, 18:25 WIB\nIsi.", date(2020, 11, 24)),
        ("Judul\nSelasa, 01 Dec 2020\nIsi.", date(2020, 12, 1)),
        ("Headline of the story goes here\nPublished: October 17, 2020 10:32 GMT\nText.", date(2020, 10, 17)),
        ("Headline\nTuesday 17th November 2020\nText.", date(2020, 11, 17)),
        # a short line that mentions a date in a sentence is not a date line
        ("Judul\nWarga kembali ke rumah mereka di kota itu pada 13 November 2020.\nIsi.", None),
        # dated datelines; a missing year comes from the article's complete dates
        ("MOSCOW, November 15. /TASS/. Posts were set up since November 10, 2020.", date(2020, 11, 15)),
        ("BAKU, 25 Nov (Reuters) - Troops moved. On 10 November 2020 a deal was signed.", date(2020, 11, 25)),
        ("BAKU, November 25, 2020 - Troops moved.", date(2020, 11, 25)),
        ("MOSCOW, November 15. /TASS/. No year anywhere.", None),
        # the lead's "Weekday (d/m[/yyyy])"
        ("Presiden pada Selasa (10/11/2020) pagi mengumumkan kesepakatan.", date(2020, 11, 10)),
        ("Senin (28/09) pasukan bergerak. Pada 27 September 2020 pertempuran dimulai.", date(2020, 9, 28)),
        ("Jumat (16/7) banjir surut. Laporan 14 Juli 2021 menyebut korban.", date(2021, 7, 16)),
        # the weekday must agree with the inferred year: 28/9/2019 was a Saturday
        ("Senin (28/09) pasukan bergerak. Pada 27 September 2019 pertempuran dimulai.", None),
        # of two candidate years, the one the weekday fits
        ("Senin (28/09) pasukan bergerak. Laporan 1 Mei 2019, 2 Mei 2019 dan 3 Januari 2020.", date(2020, 9, 28)),
        ("Senin (28/09) pasukan bergerak.", None),  # never invented
        # a caption's date in prose is not a publication date
        (
            "Judul berita\nPresiden tiba untuk memberikan suara di tempat pemungutan suara di Moskwa, Rusia, "
            "Rabu, 1 Juli 2020.\nIsi berita tanpa tanggal.",
            None,
        ),
    ],
)
def test_publication_date_rules(text, expected):
    assert pub(text) == expected


def test_header_date_wins_over_the_lead():
    text = "Judul\n31 Oktober 2020\nMOSKOW - Rusia pada Jumat (30/10/2020) mengatakan sesuatu."
    assert pub(text) == date(2020, 10, 31)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sabtu, 7 Rajab 1446 H / 31 Oktober 2020 22:25 wib", date(2020, 10, 31)),
        ("Kamis (1/10/2020)", date(2020, 10, 1)),
        ("October 17, 2020", date(2020, 10, 17)),
        ("Oct. 17 2020", date(2020, 10, 17)),
        ("17th November 2020", date(2020, 11, 17)),
        ("01 Dec 2020", date(2020, 12, 1)),
        ("2021-04-05", date(2021, 4, 5)),
        ("31 Februari 2020", None),
        ("30/02/2020", None),
        ("no date here", None),
    ],
)
def test_parse_date_forms(text, expected):
    assert parse_date(text) == expected


def test_metadata_date_wins_and_says_so(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("---\ndate: 2020-11-05\n---\nMOSKOW - Rusia pada Rabu (4/11/2020) mengatakan.\n", encoding="utf-8")
    article = nkmap.read_article(path)
    assert (article.date, article.date_source) == (date(2020, 11, 5), "metadata")
    path.write_text("MOSKOW - Rusia pada Rabu (4/11/2020) mengatakan.\n", encoding="utf-8")
    article = nkmap.read_article(path)
    assert (article.date, article.date_source) == (date(2020, 11, 4), "text")
