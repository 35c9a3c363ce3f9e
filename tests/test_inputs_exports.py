"""News exports (JSONL/NDJSON, CSV/TSV): one article per row, columns found by name or named; bad rows named by line."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest

import nkmap
from nkmap.inputs.exports import Fields, _date

from .conftest import GAZETTEER, ROOT, run_nkmap

EXAMPLES = ROOT / "data" / "examples"
TEXT = "BATAM - Ferries between Batam and Tanjung Pinang sailed again on Saturday after two days in port."


def cli(*args):
    return run_nkmap(*args, cwd=None)


def messages(caplog):
    return [r.getMessage() for r in caplog.records]


def test_a_news_api_jsonl_export_is_one_article_per_row():
    articles = nkmap.read_articles([EXAMPLES / "export.jsonl"])
    assert [a.name for a in articles] == [f"export.jsonl#rc-04{n}" for n in range(12, 17)]
    first, demak, _, makassar, copy = articles
    assert first.title == "Ferry service to Tanjung Pinang resumes after storm"
    assert first.outlet == "The River Courier"  # {"source": {"id": ..., "name": ...}}
    assert first.url == "https://river-courier.example/2024/03/02/ferry-tanjung-pinang"
    assert (first.date, first.date_source) == (date(2024, 3, 2), "metadata")
    assert first.text.startswith("BATAM - Ferries") and first.dateline == "BATAM"
    assert (demak.language, demak.outlet) == ("id", "Kabar Pesisir")
    assert makassar.language == "id"  # no language column in that row: detected
    assert copy.outlet == "Island Wire"


def test_a_csv_export_with_other_column_names_is_read():
    articles = nkmap.read_articles([EXAMPLES / "export.csv"])
    assert [a.name for a in articles] == [f"export.csv#csv-{n}" for n in range(1, 6)]
    tbilisi = articles[0]
    assert tbilisi.title == "Bridge over the Kura reopens in Tbilisi"  # headline
    assert tbilisi.date == date(2023, 5, 14)  # published
    assert tbilisi.url == "https://caucasus-notes.example/2023/05/14/tbilisi-bridge"  # link
    assert tbilisi.outlet == "Caucasus Notes"
    assert tbilisi.language == "en"


def test_places_in_the_rows_are_found_and_keyed_by_the_row(gazetteer):
    result = nkmap.geoparse(nkmap.read_articles([EXAMPLES / "export.csv"]), gazetteer)
    by_article = {}
    for rm in result.resolved:
        by_article.setdefault(rm.mention.article, set()).add(rm.place.name)
    assert {"Tbilisi", "Rustavi", "Mtskheta"} <= by_article["export.csv#csv-1"]
    assert {"Baku", "Aktau"} <= by_article["export.csv#csv-3"]
    texts = {a.name: a.text for a in result.articles}
    for rm in result.mentions:
        assert texts[rm.mention.article][rm.mention.start : rm.mention.end] == rm.mention.surface


def test_bad_rows_are_named_by_line_and_the_rest_is_read(tmp_path, caplog):
    export = tmp_path / "x.jsonl"
    lines = [
        json.dumps({"text": TEXT, "title": "One"}),
        "",
        '{"text": "broken',
        "[1, 2]",
        json.dumps({"title": "No text here"}),
        json.dumps({"text": TEXT + " Two.", "date": "tomorrow"}),
        json.dumps({"text": "   "}),
    ]
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([export])
    assert [(a.name, a.title, a.date) for a in articles] == [
        ("x.jsonl#1", "One", None),
        ("x.jsonl#6", TEXT + " Two.", None),
    ]
    assert messages(caplog) == [
        f"{export}: line 3: not JSON (Unterminated string starting at, column 10); skipped",
        f"{export}: line 4: not a JSON object but list; skipped",
        f"{export}: line 6: 'tomorrow' is not a date; read undated",
        f"{export}: 2 row(s) without text (line 5, 7); skipped",
    ]


@pytest.mark.slow
def test_an_export_where_no_row_has_text_is_an_error_exit_2(tmp_path):
    export = tmp_path / "x.csv"
    export.write_text("headline,story_body\nOne,BATAM - Ferries sailed.\n", encoding="utf-8")
    with pytest.raises(nkmap.InputError) as caught:
        nkmap.read_articles([export])
    assert str(caught.value) == (
        f"{export}: no row has text (looked for a column text, content, body, article_text, full_text, fulltext, "
        "maintext, article, story; columns seen: headline, story_body); name it with --text-field"
    )
    done = cli("build", export, "--gazetteer", GAZETTEER, "--out", tmp_path / "out", "--no-geonames")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"Error: {caught.value}"]
    assert not (tmp_path / "out").exists()
    done = cli("build", export, "--text-field", "story_body", "--gazetteer", GAZETTEER, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("articles:   1\n")


def test_fields_can_be_named_and_reach_into_objects(tmp_path):
    export = tmp_path / "feed.ndjson"
    row = {
        "doc": {"body": TEXT, "headline": "H"},
        "meta": {"when": "20201104T120000Z", "where": "https://a.example/x", "site": {"label": "Site"}},
        "key": 7,
    }
    export.write_text(json.dumps(row) + "\n", encoding="utf-8")
    fields = Fields(text="doc.body", title="doc.headline", date="meta.when", url="meta.where", outlet="meta.site.label")
    (article,) = nkmap.read_articles([export], fields=fields)
    assert (article.title, article.date, article.url, article.outlet) == (
        "H",
        date(2020, 11, 4),
        "https://a.example/x",
        "Site",
    )
    assert article.name == "feed.ndjson#1"
    (article,) = nkmap.read_articles([export], fields=Fields(text="doc.body", id="key"))
    assert article.name == "feed.ndjson#7"


def test_tsv_and_semicolon_csv_and_multiline_cells(tmp_path, caplog):
    tsv = tmp_path / "a.tsv"
    tsv.write_text("title\tcontent\tlang\nT\t" + TEXT + "\ten\n", encoding="utf-8")
    semi = tmp_path / "b.csv"
    semi.write_bytes(
        (
            '\ufefftitel;text;date\r\nEins;"' + TEXT + '\r\nZweite Zeile; mit Semikolon";04.11.2020\r\n'
            "Zwei;" + TEXT + ";2020-11-05;extra\r\nDrei;" + TEXT + ";\r\n"
        ).encode("utf-8")
    )
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([tsv, semi])
    assert [a.name for a in articles] == ["a.tsv#2", "b.csv#2", "b.csv#5"]
    assert articles[1].text == TEXT + "\r\nZweite Zeile; mit Semikolon"
    assert articles[1].date == date(2020, 11, 4)
    assert messages(caplog) == [f"{semi}: line 4: 4 fields, the header has 3; skipped"]


def test_row_names_are_unique_when_ids_repeat(tmp_path):
    export = tmp_path / "x.jsonl"
    export.write_text(
        "\n".join(json.dumps({"id": "same", "text": f"{TEXT} {n}"}) for n in range(3)) + "\n", encoding="utf-8"
    )
    assert [a.name for a in nkmap.read_articles([export])] == ["x.jsonl#same", "x.jsonl#line-2", "x.jsonl#line-3"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2020-11-04", date(2020, 11, 4)),
        ("2020-11-04T23:30:00Z", date(2020, 11, 4)),
        ("2020-11-04 10:00:00+07:00", date(2020, 11, 4)),
        ("20201104T120000Z", date(2020, 11, 4)),  # GDELT seendate
        ("20201104120000", date(2020, 11, 4)),
        ("1604448000", date(2020, 11, 4)),  # Unix seconds
        ("04.11.2020", date(2020, 11, 4)),
        ("31.02.2020", None),
        ("4 November 2020", date(2020, 11, 4)),
        ("Rabu, 4 November 2020", date(2020, 11, 4)),
        ("soon", None),
        ("", None),
    ],
)
def test_export_dates(value, expected):
    assert _date(value) == expected


@pytest.mark.slow
def test_cli_reads_exports_and_says_which_rows_are_duplicates(tmp_path):
    done = cli(
        "build", EXAMPLES / "export.jsonl", "--gazetteer", GAZETTEER, "--out", tmp_path / "out", "--format", "csv"
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("articles:   4 (and 1 duplicate(s) counted once)\n")
    warnings = [line for line in done.stderr.splitlines() if not line.startswith("nkmap: ")]  # not first-run notes
    assert warnings == [
        "Warning: export.jsonl#rc-0416: a near duplicate of export.jsonl#rc-0412 (96% of word sequences shared); "
        "counted once (--keep-duplicates keeps it)"
    ]
    rows = (tmp_path / "out" / "mentions.csv").read_text(encoding="utf-8-sig")
    assert "export.jsonl#rc-0413" in rows and "export.jsonl#rc-0416" not in rows


def test_a_csv_with_a_bad_byte_is_read_with_a_warning(tmp_path, caplog):
    export = tmp_path / "x.csv"
    export.write_bytes(
        b"title,text\nA,Warga Stepanakert \xff berkumpul di " + "Ağdam.".encode() + b"\nB," + TEXT.encode() + b"\n"
    )
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([export])
    assert [a.title for a in articles] == ["A", "B"] and "\ufffd" in articles[0].text
    assert messages(caplog) == [f"{export}: line 2: bytes that are not UTF-8, replaced with U+FFFD (save it as UTF-8)"]


def test_a_parquet_export_is_read_like_the_others(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "id": ["p-1", "p-2"],
            "headline": ["Ferries sail again", "Buses run again"],
            "seendate": ["20240302T071500Z", "20240303T080000Z"],
            "text": [TEXT, "GORIS - Buses from Goris to Yerevan ran again on Friday, drivers said."],
        }
    )
    export = tmp_path / "gdelt.parquet"
    pq.write_table(table, export)
    articles = nkmap.read_articles([export])
    assert [(a.name, a.title, a.date) for a in articles] == [
        ("gdelt.parquet#p-1", "Ferries sail again", date(2024, 3, 2)),
        ("gdelt.parquet#p-2", "Buses run again", date(2024, 3, 3)),
    ]
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 not really")
    with pytest.raises(nkmap.InputError, match=r"broken.parquet: not a readable Parquet file"):
        nkmap.read_articles([broken])
