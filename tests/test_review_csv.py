"""review.csv: every name the pipeline considered and did not map, from its own decisions."""

from __future__ import annotations

import csv
import io

import pytest

import nkmap
from nkmap.model import Article, Dropped, GeoparseResult, Mention, Place, Reason, ResolvedMention
from nkmap.outputs.review import LOW_CONFIDENCE, awaiting_review, review_csv, review_rows, write_review_csv
from nkmap.pipeline import summarise

from .conftest import ARTICLES, GAZETTEER
from .review_corpus import write_corpus, write_gazetteer

TULA_RU = Place("geonames-480562", "Tula", 54.2, 37.6, "city", "RU", 470000, 480562, source="geonames:480562")
TULA_MX = Place("geonames-3515040", "Tula", 20.1, -99.3, "town", "MX", 10000, 3515040, source="geonames:3515040")
GENEVA = Place("geneva", "Geneva", 46.2, 6.1, "city", "CH")


def mention(article, start, surface, sentence):
    return Mention(article, start, start + len(surface), surface, sentence)


def constructed() -> GeoparseResult:
    """A result as the resolver will give it: dropped candidates with the places it weighed."""
    s1 = "Fighting was reported in the Tula area."
    dropped = (
        Dropped(mention("a.txt", 29, "Tula", s1), Reason.FOREIGN_NAMESAKE, ((TULA_RU, 0.41), (TULA_MX, 0.22))),
        Dropped(mention("b.txt", 3, "TULA", "In TULA, nothing."), Reason.FOREIGN_NAMESAKE, ((TULA_RU, 0.52),)),
        Dropped(mention("b.txt", 20, "May", "May was warm."), Reason.COMMON_WORD),
        Dropped(mention("c.txt", 0, "=HYPERLINK", "=HYPERLINK(x) -1+1 warga"), Reason.PERSON),
        Dropped(mention("c.txt", 40, "Goris", "Goris is not here."), Reason.CORRECTION),
    )
    mentions = (
        ResolvedMention(mention("a.txt", 50, "Geneva", "Talks in Geneva."), GENEVA, "gazetteer", 1.0),
        ResolvedMention(mention("b.txt", 40, "Jenewa", "Di Jenewa."), GENEVA, "geonames", 0.3),
        ResolvedMention(mention("c.txt", 60, "Qwxzabad", "Desa Qwxzabad."), None, "unresolved"),
        # an unresolved mention that is also reported as dropped is listed once, as dropped
        ResolvedMention(dropped[2].mention, None, "unresolved"),
    )
    articles = tuple(Article(n, n, "") for n in ("a.txt", "b.txt", "c.txt"))
    return GeoparseResult(articles, mentions, summarise(mentions), dropped)


def test_every_dropped_candidate_is_a_row_with_its_reason_count_articles_and_candidates():
    result = constructed()
    rows = review_rows(result)
    listed = {(r.status, r.candidate.lower(), r.reason): r for r in rows}
    for d in result.dropped:
        row = next(r for r in rows if d.mention in r.mentions)
        assert row.reason == str(d.reason)
    tula = listed[("dropped", "tula", "foreign namesake")]
    assert (tula.count, tula.articles) == (2, ("a.txt", "b.txt"))
    assert [(p.id, s) for p, s in tula.candidates] == [("geonames-480562", 0.52), ("geonames-3515040", 0.22)]
    assert tula.example == "Fighting was reported in the Tula area."
    assert listed[("unresolved", "qwxzabad", "no evidence")].count == 1
    low = listed[("low confidence", "jenewa", "low confidence")]
    assert (low.place.id, low.confidence) == ("geneva", 0.3)
    assert ("low confidence", "geneva", "low confidence") not in listed  # confidence 1.0
    assert [r.status for r in rows] == ["dropped", "dropped", "dropped", "unresolved", "low confidence", "corrected"]
    assert sum(r.count for r in rows) == len(result.dropped) + 2  # every decision once, none twice
    assert awaiting_review(rows) == 5  # the correction's row is settled


def test_csv_is_bom_crlf_and_defuses_formula_cells():
    text = review_csv(review_rows(constructed()))
    assert text.startswith("\ufeffstatus,candidate,reason,count,articles,example,candidates,place_id,confidence\r\n")
    assert "\n" not in text.replace("\r\n", "")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    person = next(r for r in rows if r["reason"] == "person name")
    assert person["candidate"] == "'=HYPERLINK" and person["example"] == "'=HYPERLINK(x) -1+1 warga"
    tula = next(r for r in rows if r["candidate"] == "Tula")
    assert tula["candidates"] == (
        "Tula, RU (city; geonames:480562; 54.20000, 37.60000) 0.52; Tula, MX (town; geonames:3515040; 20.10000, -99.30000) 0.22"
    )
    assert tula["articles"] == "a.txt; b.txt"


def test_review_lists_what_the_pipeline_decided(tmp_path):
    """Against the pipeline's own decisions: every Dropped it produced, every unresolved mention,
    every mapped mention below the threshold; nothing else."""
    folder = write_corpus(tmp_path / "arts")
    (folder / "corrections.json").write_text(
        '{"nkmap_corrections": 1, "corrections": [{"action": "not-a-place", "name": "Goris"}]}', encoding="utf-8"
    )
    report = nkmap.build(
        [folder], gazetteer=write_gazetteer(tmp_path / "g.geojson"), out=tmp_path / "out", formats="csv", geonames=False
    )
    result = report.result
    assert result.dropped  # the correction produced one at least
    rows = review_rows(result)
    listed = [m for r in rows for m in r.mentions]
    expected = {_at(d.mention): d.mention for d in result.dropped}  # unresolved ones are dropped and kept
    for rm in result.mentions:
        if rm.place is None or rm.confidence < LOW_CONFIDENCE:
            expected.setdefault(_at(rm.mention), rm.mention)
    expected = list(expected.values())
    assert any(d.kept for d in result.dropped) and any(not d.kept for d in result.dropped)
    assert sorted(listed, key=_at) == sorted(expected, key=_at)
    with open(tmp_path / "out" / "review.csv", encoding="utf-8-sig", newline="") as f:
        written = list(csv.DictReader(f))
    assert sum(int(r["count"]) for r in written) == len(expected)
    assert {r["candidate"] for r in written} == {"Goris", "Velmora", "Qarnavut"}


def _at(m):
    return (m.article, m.start)


def test_csv_output_never_loads_a_source(tmp_path, monkeypatch):
    """--no-geonames --format csv must not build the GeoNames index to fill review.csv."""
    import nkmap.sources.geonames as geonames

    def refuse(*args, **kwargs):
        raise AssertionError("an output loaded the GeoNames index")

    monkeypatch.setattr(geonames, "load_geonames", refuse)
    write_review_csv(constructed(), tmp_path / "review.csv")
    nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "out", formats="csv", geonames=False)
    assert (tmp_path / "out" / "review.csv").exists()


@pytest.mark.parametrize("threshold, expected", [(0.2, 0), (0.31, 1)])
def test_the_low_confidence_threshold_decides_what_is_listed(threshold, expected):
    rows = review_rows(constructed(), low_confidence=threshold)
    assert sum(r.status == "low confidence" for r in rows) == expected
