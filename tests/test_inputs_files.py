"""Which files are read: formats refused or skipped, nested folders, links, FIFOs; unique names; one bad byte."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys

import pytest

import nkmap
from nkmap.inputs.articles import read_article

from .conftest import GAZETTEER, ROOT

TEXT = "MOSKOW - Presiden Aliyev mengatakan pasukan Azerbaijan merebut Shusha di dekat Stepanakert.\n"
OTHER = "YEREVAN - Warga Armenia berkumpul di Yerevan setelah kabar dari Goris dan Kapan tiba.\n"


def messages(caplog):
    return [r.getMessage() for r in caplog.records]


def cli(*args, timeout=120):
    env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin", "NKMAP_CACHE_DIR": os.environ["NKMAP_CACHE_DIR"]}
    return subprocess.run(
        [sys.executable, "-m", "nkmap", *map(str, args)], capture_output=True, text=True, env=env, timeout=timeout
    )


@pytest.mark.slow
def test_an_unknown_suffix_named_explicitly_is_an_error_never_read_as_text(tmp_path):
    doc = tmp_path / "report.docx"
    doc.write_bytes(b"PK\x03\x04 not text")
    with pytest.raises(nkmap.InputError) as caught:
        nkmap.read_articles([doc])
    assert str(caught.value) == (
        f"{doc}: not a format nkmap reads (.docx); it reads .txt, .text, .html, .htm, .xhtml, .jsonl, .ndjson, "
        ".csv, .tsv, .parquet, .pdf (rename a plain-text article to .txt)"
    )
    done = cli("build", doc, "--gazetteer", GAZETTEER, "--out", tmp_path / "out")
    assert (done.returncode, done.stderr.splitlines()) == (2, [f"Error: {caught.value}"])


def test_in_a_folder_other_formats_are_skipped_with_a_warning_and_notes_silently(tmp_path, caplog):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.json").write_text('{"outlet": "Sidecar"}', encoding="utf-8")  # a.txt's sidecar
    (tmp_path / "notes.docx").write_bytes(b"PK\x03\x04")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    (tmp_path / "README.md").write_text("# about this folder", encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\0\0")
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([tmp_path])
    assert [(a.name, a.outlet) for a in articles] == [("a.txt", "Sidecar")]
    assert messages(caplog) == [
        f"{tmp_path / 'notes.docx'}: not a format nkmap reads (.docx); skipped",
        f"{tmp_path / 'photo.jpg'}: not a format nkmap reads (.jpg); skipped",
    ]


def test_nested_folders_need_recursive_and_get_their_path_as_name(tmp_path, caplog):
    (tmp_path / "top.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "2020" / "11").mkdir(parents=True)
    (tmp_path / "2020" / "11" / "deep.txt").write_text(OTHER, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        assert [a.name for a in nkmap.read_articles([tmp_path])] == ["top.txt"]
    assert messages(caplog) == [
        f"{tmp_path / '2020'}: a folder inside the folder; skipped (--recursive reads nested folders)"
    ]
    assert [a.name for a in nkmap.read_articles([tmp_path], recursive=True)] == ["2020/11/deep.txt", "top.txt"]


def test_links_that_leave_the_folder_are_skipped_unless_asked(tmp_path, caplog):
    secret = tmp_path / "outside" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "b.txt").symlink_to(corpus / "a.txt")  # inside: the same file, read once
    (corpus / "leak.txt").symlink_to(secret)
    (corpus / "etc").symlink_to(tmp_path / "outside", target_is_directory=True)
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([corpus], recursive=True)
    assert [a.name for a in articles] == ["a.txt"]
    assert messages(caplog) == [
        f"{corpus / 'etc'}: a link to {tmp_path / 'outside'}, outside the folder; skipped (--follow-links reads it)",
        f"{corpus / 'leak.txt'}: a link to {secret}, outside the folder; skipped (--follow-links reads it)",
        f"{corpus / 'b.txt'}: named twice (also as {corpus / 'a.txt'}); read once",
    ]
    followed = nkmap.read_articles([corpus], recursive=True, follow_links=True)
    assert [a.name for a in followed] == ["a.txt", "etc/passwd.txt"]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_a_clear_error_when_named_and_skipped_in_a_folder_never_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(nkmap.InputError) as caught:
        nkmap.read_articles([fifo])
    assert str(caught.value) == f"{fifo}: not a regular file: a FIFO (named pipe); name an article file or a folder"
    done = cli("build", fifo, "--gazetteer", GAZETTEER, "--out", tmp_path / "out", "--no-geonames", timeout=60)
    assert (done.returncode, done.stderr.splitlines()) == (2, [f"Error: {caught.value}"])
    done = cli("build", tmp_path, "--gazetteer", GAZETTEER, "--out", tmp_path / "out", "--no-geonames", timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [f"Warning: {fifo}: not a regular file: a FIFO (named pipe); skipped"]


def test_a_device_named_as_an_article_is_a_clear_error():
    with pytest.raises(nkmap.InputError, match=r"^/dev/null: not a regular file: a character device"):
        nkmap.read_articles(["/dev/null"])


def test_two_folders_holding_the_same_file_name_do_not_collide(tmp_path):
    for folder, text in (("jakarta", TEXT), ("yerevan", OTHER)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "001.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    report = nkmap.build(
        [tmp_path / "jakarta", tmp_path / "yerevan"], gazetteer=GAZETTEER, out=out, formats="html,geojson"
    )
    articles = {a.name: a for a in report.result.articles}
    assert sorted(articles) == ["jakarta/001.txt", "yerevan/001.txt"]
    for rm in report.result.mentions:
        assert articles[rm.mention.article].text[rm.mention.start : rm.mention.end] == rm.mention.surface
    features = json.loads((out / "mentions.geojson").read_text(encoding="utf-8"))["features"]
    assert {f["properties"]["article"] for f in features} == {"jakarta/001.txt", "yerevan/001.txt"}
    by_article = {}
    for f in features:
        by_article.setdefault(f["properties"]["article"], set()).add(f["properties"]["surface"])
    assert "Yerevan" in by_article["yerevan/001.txt"] and "Yerevan" not in by_article["jakarta/001.txt"]
    page = (out / "map.html").read_text(encoding="utf-8")
    assert "jakarta/001.txt" in page and "yerevan/001.txt" in page


def test_one_folder_keeps_plain_file_names_and_a_file_named_twice_is_read_once(tmp_path, caplog):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(OTHER, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([tmp_path, tmp_path / "a.txt"])
    assert [a.name for a in articles] == ["a.txt", "b.txt"]
    assert messages(caplog) == [f"{tmp_path / 'a.txt'}: named twice (also as {tmp_path / 'a.txt'}); read once"]


def test_one_bad_byte_in_utf8_is_replaced_with_a_warning_giving_its_offset(tmp_path, caplog):
    text = "Ağdam dan Şuşa, kata warga di Stepanakert. " * 3
    raw = text.encode("utf-8")
    path = tmp_path / "a.txt"
    path.write_bytes(raw[:50] + b"\xff" + raw[50:])
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        article = read_article(path)
    assert article.text == text[: len(raw[:50].decode("utf-8"))] + "\ufffd" + raw[50:].decode("utf-8")
    assert article.text.count("Ağdam") == 2 and article.text.count("Şuşa") == 3  # the bad byte fell in one "Ağdam"
    assert messages(caplog) == [f"{path}: byte 50 (0xff): not valid UTF-8; read as UTF-8 with U+FFFD in its place"]


def test_a_single_byte_encoding_is_still_detected_not_replaced(tmp_path, caplog):
    path = tmp_path / "a.txt"
    path.write_bytes("Le président a déclaré à Genève qu'il était inquiet. Ça va très mal.\n".encode("cp1252"))
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        article = read_article(path)
    assert "président" in article.text and "\ufffd" not in article.text
    assert messages(caplog) == [f"{path}: not UTF-8; decoded as cp1252 (detected); save it as UTF-8 to be sure"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_reading_a_fifo_directly_does_not_block(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(nkmap.InputError, match=r"pipe.txt: not a regular file"):
        read_article(fifo)  # no writer: a plain open() would wait for one forever


@pytest.mark.slow
def test_workers_give_the_serial_result_over_exports_pages_and_two_folders(tmp_path):
    for folder, text in (("jakarta", TEXT), ("yerevan", OTHER)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "001.txt").write_text(text, encoding="utf-8")
    examples = ROOT / "data" / "examples"
    inputs = [tmp_path / "jakarta", tmp_path / "yerevan", examples / "export.jsonl", examples / "page.html"]
    serial = nkmap.build(inputs, gazetteer=GAZETTEER, out=tmp_path / "serial", formats="geojson")
    parallel = nkmap.build(inputs, gazetteer=GAZETTEER, out=tmp_path / "parallel", formats="geojson", workers=2)
    assert parallel.result == serial.result
    assert parallel.duplicates == serial.duplicates and len(serial.duplicates) == 1
    assert len({a.name for a in serial.result.articles}) == len(serial.result.articles) == 7
