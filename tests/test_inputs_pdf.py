"""PDF reports (optional extra nkmap[pdf]): the text layer read with pypdf; scans and broken files skipped."""

from __future__ import annotations

import logging
import sys

import pytest

import nkmap
from nkmap.inputs.articles import SkippedFile, read_article

from .conftest import ROOT

pytest.importorskip("pypdf")
REPORT = ROOT / "data" / "examples" / "report.pdf"


def make_pdf(path, lines, title=""):
    """A PDF with a real text layer, drawn by matplotlib (a dependency) with embedded TrueType fonts."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"pdf.fonttype": 42}):
        fig = Figure(figsize=(8.27, 11.69))
        for i, line in enumerate(lines):
            fig.text(0.08, 0.92 - i * 0.03, line, fontsize=11)
        fig.savefig(path, metadata={"Title": title} if title else {})


def test_the_example_report_is_read_with_its_title_and_places(gazetteer):
    article = read_article(REPORT)
    assert article.title == "Situation report: floods along the Nile"
    assert "In Omdurman about" in article.text and article.dateline == "KHARTOUM"
    assert article.language == "en"
    result = nkmap.geoparse([article], gazetteer)
    assert {"Khartoum", "Omdurman", "Atbara", "Kassala"} <= {s.place.name for s in result.places}
    for rm in result.mentions:
        assert article.text[rm.mention.start : rm.mention.end] == rm.mention.surface


def test_a_pdf_without_text_and_a_broken_pdf_are_skipped_with_a_warning(tmp_path, caplog):
    make_pdf(tmp_path / "scan.pdf", [])
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not really a pdf\n")
    make_pdf(tmp_path / "ok.pdf", ["GORIS - Buses from Goris to Yerevan ran again on Friday, drivers said."])
    with caplog.at_level(logging.WARNING, logger="nkmap"):
        articles = nkmap.read_articles([tmp_path])
    assert [a.name for a in articles] == ["ok.pdf"]
    warned = [r.getMessage() for r in caplog.records]
    assert len(warned) == 2, warned
    assert warned[1] == f"{tmp_path / 'scan.pdf'}: a PDF without a text layer (a scan?): no article text; skipped"
    assert warned[0].startswith(f"{tmp_path / 'broken.pdf'}: not a readable PDF (") and warned[0].endswith("; skipped")
    with pytest.raises(SkippedFile):
        read_article(tmp_path / "scan.pdf")


def test_without_pypdf_a_pdf_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "pypdf", None)
    with pytest.raises(nkmap.InputError) as caught:
        read_article(REPORT)
    assert str(caught.value) == f"{REPORT}: reading PDF needs pypdf: pip install 'nkmap[pdf]'"
