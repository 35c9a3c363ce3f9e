"""Broken and hostile article files: decoded or skipped with a warning, or one clear error; never a crash."""

from __future__ import annotations

import codecs
import logging
import re

import pytest

import nkmap
from nkmap.inputs.articles import SkippedFile, read_article

from .conftest import GAZETTEER, ROOT, run_nkmap

TEXT = (
    "MOSKOW - Presiden Aliyev mengatakan pasukan Azerbaijan merebut Shusha. "
    "Le président a déclaré à Genève qu’il était très inquiet – “naïve” Müller, 20 €.\n"
)
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489") + b"\x00" * 64


def cli(*args, cwd=ROOT):
    return run_nkmap(*args, cwd=cwd)


def assert_offsets_exact(article, gazetteer):
    result = nkmap.geoparse([article], gazetteer)
    assert result.mentions, "the test text names places"
    for rm in result.mentions:
        m = rm.mention
        assert article.text[m.start : m.end] == m.surface


@pytest.mark.parametrize(
    ("encoding", "data", "label"),
    [
        ("cp1252", TEXT.encode("cp1252"), "cp1252"),
        (
            "latin-1",
            TEXT.replace("–", "-")
            .replace("“", '"')
            .replace("”", '"')
            .replace("’", "'")
            .replace("€", "EUR")
            .encode("latin-1"),
            "cp1252",
        ),
        ("utf-16 LE with BOM", codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), "UTF-16"),
        ("utf-16 BE with BOM", codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), "UTF-16"),
        ("utf-32 with BOM", codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"), "UTF-32"),
    ],
)
def test_other_encodings_are_decoded_with_a_warning(tmp_path, caplog, gazetteer, encoding, data, label):
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        article = read_article(path)
    expected = data.decode({"UTF-16": "utf-16", "UTF-32": "utf-32"}.get(label, "cp1252"))
    assert article.text == expected
    assert [r.getMessage() for r in caplog.records] == [
        f"{path}: not UTF-8; decoded as {label} "
        + (
            "(byte-order mark); save it as UTF-8 to silence this"
            if label.startswith("UTF")
            else "(detected); save it as UTF-8 to be sure"
        )
    ]
    assert_offsets_exact(article, gazetteer)


def test_utf8_bom_is_dropped_and_offsets_stay_exact(tmp_path, caplog, gazetteer):
    path = tmp_path / "a.txt"
    path.write_bytes(codecs.BOM_UTF8 + TEXT.encode("utf-8"))
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        article = read_article(path)
    assert article.text == TEXT and not caplog.records
    assert_offsets_exact(article, gazetteer)
    fronted = tmp_path / "b.txt"
    fronted.write_bytes(codecs.BOM_UTF8 + b"---\ntitle: T\n---\n" + TEXT.encode())
    assert (read_article(fronted).title, read_article(fronted).text) == ("T", TEXT)


def test_crlf_is_kept_as_read_and_offsets_stay_exact(tmp_path, gazetteer):
    path = tmp_path / "a.txt"
    crlf = "---\r\ntitle: Judul\r\n---\r\n" + TEXT.replace("\n", "\r\n") * 3 + "BAKU - Shusha\rlagi.\r\n"
    path.write_bytes(crlf.encode("utf-8"))
    article = read_article(path)
    assert article.title == "Judul"
    assert article.text == crlf.split("---\r\n", 2)[2]
    assert article.text.count("\r\n") == 4
    assert_offsets_exact(article, gazetteer)


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "empty file: no article text"),
        ("blank.txt", b" \r\n\t\n\n  ", "empty or whitespace only: no article text"),
        ("bom-only.txt", codecs.BOM_UTF8, "empty or whitespace only: no article text"),
        ("front-only.txt", b"---\ntitle: T\n---\n\n", "empty or whitespace only: no article text"),
        ("nul.txt", b"MOSKOW - teks\x00\x00\x01 lagi", "binary file (NUL bytes), not text"),
        ("image.txt", PNG, "binary file (NUL bytes), not text"),
        ("controls.txt", bytes(range(1, 9)) * 40 + b"\x1b\x7f" * 50, "binary file (control characters), not text"),
    ],
)
def test_non_articles_are_skipped_with_a_warning(tmp_path, caplog, name, data, problem):
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(SkippedFile, match=re.escape(problem)):
        read_article(tmp_path / name)
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([tmp_path])
    assert [a.name for a in articles] == ["good.txt"]
    assert [r.getMessage() for r in caplog.records] == [f"{tmp_path / name}: {problem}; skipped"]


def test_a_folder_of_only_non_articles_is_an_error(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"")
    (tmp_path / "b.txt").write_bytes(PNG)
    with pytest.raises(nkmap.InputError, match=r"no article text in 2 file\(s\): each was empty or binary"):
        nkmap.read_articles([tmp_path])


def test_a_file_over_the_limit_is_refused_without_reading_it(tmp_path):
    huge = tmp_path / "huge.txt"
    with open(huge, "wb") as f:  # 100 MB, sparse: costs no disk and no time
        f.truncate(100 * 1024 * 1024)
    with pytest.raises(nkmap.InputError) as caught:
        nkmap.read_articles([tmp_path])
    assert str(caught.value) == (
        f"{huge}: larger than the 20 MB limit for one article; split it, or raise the limit with --max-article-size"
    )
    small = tmp_path / "small.txt"
    small.write_text(TEXT, encoding="utf-8")
    assert read_article(small, max_size=len(TEXT.encode())).text == TEXT
    with pytest.raises(nkmap.InputError, match="limit"):
        read_article(small, max_size=len(TEXT.encode()) - 1)


@pytest.mark.slow
def test_cli_prints_warnings_as_one_line_each_and_errors_as_one_line(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(TEXT.encode("cp1252"))
    (corpus / "b.txt").write_bytes(b"")
    (corpus / "c.txt").write_bytes(PNG)
    done = cli("build", corpus, "--gazetteer", GAZETTEER, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        f"Warning: {corpus / 'a.txt'}: not UTF-8; decoded as cp1252 (detected); save it as UTF-8 to be sure",
        f"Warning: {corpus / 'b.txt'}: empty file: no article text; skipped",
        f"Warning: {corpus / 'c.txt'}: binary file (NUL bytes), not text; skipped",
    ]
    (corpus / "a.txt").write_bytes(b"x" * (2 * 1024 * 1024))
    done = cli("build", corpus, "--gazetteer", GAZETTEER, "--out", tmp_path / "out2", "--max-article-size", "1")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"Error: {corpus / 'a.txt'}: larger than the 1 MB limit for one "
        "article; split it, or raise the limit with --max-article-size"
    )
    assert not (tmp_path / "out2").exists()


def with_sidecar(folder, data):
    (folder / "a.json").write_bytes(data)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder / "a.txt"


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: d / "missing.txt", "missing.txt: no such file or folder"),
        (lambda d: (d / "empty").mkdir() or d / "empty", "empty: no article files"),
        (lambda d: with_sidecar(d, b"[[[[" * 100000), "a.json: not a valid JSON sidecar: maximum recursion depth"),
        (lambda d: with_sidecar(d, b"\xff{"), "a.json: not a valid JSON sidecar: 'utf-8' codec can't decode"),
        (lambda d: with_sidecar(d, b'{"url": 1e5'), "a.json: line 1, column 12: not a valid JSON sidecar"),
        (lambda d: with_sidecar(d, b'{"date": "tomorrow"}'), "a.json: field 'date': 'tomorrow' is not a date"),
    ],
)
def test_bad_paths_and_sidecars_are_errors(tmp_path, setup, message):
    with pytest.raises(nkmap.InputError, match=message):
        nkmap.read_articles([setup(tmp_path)])


@pytest.mark.slow
def test_an_output_folder_that_is_a_file_is_one_line_exit_2(tmp_path):
    out = tmp_path / "out"
    out.write_text("not a folder", encoding="utf-8")
    done = cli("build", ROOT / "data" / "articles", "--gazetteer", GAZETTEER, "--out", out / "sub")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"Error: {out / 'sub'}: cannot write here: Not a directory"]
