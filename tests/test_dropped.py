"""Nothing disappears silently: the names a source knows that the recogniser's rules turn down
are reported (GeoparseResult.dropped, review.csv) with the rule's reason; the map is unchanged."""

from __future__ import annotations

from dataclasses import replace

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.model import Reason
from nkmap.outputs.review import review_rows
from nkmap.pipeline import ScanRecognizer, default_sources
from nkmap.recognize.scan import find_candidates, find_mentions
from nkmap.sources.corrections import parse_corrections


@pytest.fixture(scope="module")
def sources(gazetteer):
    return default_sources(gazetteer)


def parse(text, sources, language="en"):
    article = replace(article_from_text("t.txt", text), language=language)
    return nkmap.geoparse([article], sources=sources)


def dropped(result):
    return [(d.mention.surface, d.reason) for d in result.dropped]


@pytest.mark.parametrize(
    ("text", "language", "surface", "reason"),
    [
        (
            "Mobile phones were cheap there. The mobile shop in Leeds closed on Monday.",
            "en",
            "Mobile",
            Reason.COMMON_WORD,
        ),
        ("Officials met in Leeds on Monday. Aurora said the talks went well.", "en", "Aurora", Reason.PERSON),
        (
            "Officials met in Leeds on Monday, said Florence, a volunteer at the shelter.",
            "en",
            "Florence",
            Reason.PERSON,
        ),
        ("Reporters for the Denver Post came to Leeds on Monday.", "en", "Denver", Reason.ORGANISATION),
        ("The Sudan People's Liberation Movement met in Juba on Monday.", "en", "Sudan", Reason.ORGANISATION),
        ("Officials met in Leeds on Monday, and the BBC filmed them.", "en", "BBC", Reason.ACRONYM),
        ("Luar negeri mengirim bantuan ke Jakarta pada hari Senin.", "id", "Luar", Reason.NO_EVIDENCE),
    ],
)
def test_a_name_the_rules_turn_down_is_reported_with_the_reason(sources, text, language, surface, reason):
    result = parse(text, sources, language)
    assert (surface, reason) in dropped(result)
    assert surface not in [rm.mention.surface for rm in result.mentions]
    d = next(d for d in result.dropped if d.mention.surface == surface)
    assert not d.kept
    assert text[d.mention.start : d.mention.end] == surface
    assert d.mention.sentence in text and surface in d.mention.sentence


def test_the_rows_of_review_csv_carry_the_recognisers_reason(sources):
    text = "Officials met in Leeds on Monday. Aurora said the talks went well. Aurora, 34 years old, left."
    rows = [r for r in review_rows(parse(text, sources)) if r.candidate == "Aurora"]
    assert [(r.status, r.reason, r.count) for r in rows] == [("dropped", str(Reason.PERSON), 2)]
    assert rows[0].example == "Aurora said the talks went well."


def test_a_capitalised_word_no_source_knows_is_not_a_candidate(sources):
    result = parse("Officials met in Leeds on Monday. Zorblaxian engineers said Qwertyvale was quiet.", sources)
    assert not [s for s, _ in dropped(result) if s.startswith(("Zorblax", "Qwerty"))]


def test_a_word_of_the_stop_lists_alone_is_not_put_to_review(sources):
    result = parse("The talks in Leeds ended on Monday. The minister left.", sources)
    assert "The" not in [s for s, _ in dropped(result)]


def test_a_turned_down_run_that_overlaps_a_mention_is_not_reported(sources):
    result = parse("Warga Desa Sukamaju mengungsi ke kota pada hari Senin pagi.", sources, "id")
    assert "Sukamaju" in [rm.mention.surface for rm in result.mentions]
    spans = [(rm.mention.start, rm.mention.end) for rm in result.mentions]
    for d in result.dropped:
        assert all(d.mention.end <= s or e <= d.mention.start for s, e in spans), d


def test_the_mentions_are_those_of_find_mentions(sources, sample_articles):
    recognizer = ScanRecognizer(sources)
    total = 0
    for article in sample_articles:
        mentions, rejected = find_candidates(article, recognizer.names, recognizer.rules)
        assert mentions == find_mentions(article, recognizer.names, recognizer.rules)
        spans = [(m.start, m.end) for m in mentions]
        for d in rejected:
            assert all(d.mention.end <= s or e <= d.mention.start for s, e in spans)
            assert article.text[d.mention.start : d.mention.end] == d.mention.surface
        total += len(rejected)
    assert total > 0


def test_the_sample_corpus_reports_the_recognisers_rejections(sample_result):
    reasons = {d.reason for d in sample_result.dropped}
    assert {Reason.COMMON_WORD, Reason.ACRONYM, Reason.DEMONYM, Reason.NO_EVIDENCE} <= reasons


def test_a_name_marked_not_a_place_is_settled_not_awaiting_review(sources):
    text = "Officials met in Leeds on Monday. Aurora said the talks went well."
    article = replace(article_from_text("t.txt", text), language="en")
    doc = '{"nkmap_corrections": 1, "corrections": [{"action": "not-a-place", "name": "Aurora"}]}'
    corrections = parse_corrections(doc).bind(lambda _id: None)
    result = nkmap.geoparse([article], sources=sources, corrections=corrections)
    assert dropped(result) == [("Aurora", Reason.CORRECTION)]
    assert [r.status for r in review_rows(result) if r.candidate == "Aurora"] == ["corrected"]
