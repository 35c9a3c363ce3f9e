"""The pipeline's stages can be swapped: tests pass small fakes for each."""

from __future__ import annotations

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.model import Dropped, GeoparseResult, Mention, Place, Reason, ResolvedMention
from nkmap.resolve.resolver import Resolution

ZENDA = Place("zenda", "Zenda", 10.0, 20.0, kind="town", origin="fake")
ARTICLES = [article_from_text("a.txt", "Zenda and Zenda again."), article_from_text("b.txt", "Nothing here.")]


def every_zenda(article):
    return [
        Mention(article.name, i, i + 5, "Zenda", article.text)
        for i in range(len(article.text))
        if article.text.startswith("Zenda", i)
    ]


def first_only(article, mentions):
    """Maps the first mention, drops the rest with a reason."""
    return Resolution(
        tuple(ResolvedMention(m, ZENDA, "fake", 1.0) for m in mentions[:1]),
        tuple(Dropped(m, Reason.LOW_CONFIDENCE) for m in mentions[1:]),
    )


def test_fake_stages_replace_the_defaults_and_no_source_is_loaded():
    tagged = []

    def tagger(article, mentions):
        tagged.append(article.name)
        return [ResolvedMention(rm.mention, rm.place, rm.method, rm.confidence, role="event") for rm in mentions]

    result = nkmap.geoparse(ARTICLES, recognizer=every_zenda, resolver=first_only, tagger=tagger)
    assert [(rm.mention.start, rm.role) for rm in result.mentions] == [(0, "event")]
    assert [(d.mention.start, d.reason) for d in result.dropped] == [(10, Reason.LOW_CONFIDENCE)]
    assert tagged == ["a.txt", "b.txt"]
    assert [(s.place, len(s.mentions)) for s in result.places] == [(ZENDA, 1)]


def test_a_resolver_may_return_plain_mentions():
    result = nkmap.geoparse(
        ARTICLES, recognizer=every_zenda, resolver=lambda a, ms: [ResolvedMention(m, None, "unresolved") for m in ms]
    )
    assert len(result.unresolved) == 2 and result.dropped == ()


def test_result_builds_its_own_place_summaries():
    other = Place("other", "Other", 0.0, 0.0, origin="fake")
    m = [ResolvedMention(Mention("a.txt", i, i + 1, "x", "x"), p, "fake") for i, p in enumerate([other, ZENDA, ZENDA])]
    result = GeoparseResult.of(ARTICLES, m)
    assert [(s.place.id, [rm.mention.start for rm in s.mentions]) for s in result.places] == [
        ("zenda", [1, 2]),
        ("other", [0]),
    ]


def test_parallel_imports_nothing_of_the_pipeline():
    """parallel.py is a plain executor: of nkmap it may import only the errors and the infrastructure (the
    collector's settings), nothing of the stages or the pipeline."""
    import ast
    import inspect

    import nkmap.parallel

    tree = ast.parse(inspect.getsource(nkmap.parallel))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert {m for m in imported if m and m.startswith("nkmap")} == {"nkmap.errors", "nkmap.infra"}


def test_a_geoparser_given_batches_gives_the_result_of_one_call(sample_articles, sample_result, gazetteer):
    """The streamed build geoparses a batch at a time with one set of stages: what the stages
    remember of a name from an earlier batch must not change a later batch's result."""
    from nkmap.pipeline import geoparser

    stages = geoparser(gazetteer)
    parts = [stages(sample_articles[i : i + 2]) for i in range(0, len(sample_articles), 2)]
    parts += [stages(sample_articles)]  # every name seen before: all from what was remembered
    assert [m for p in parts[:-1] for m in p.mentions] == list(sample_result.mentions)
    assert [d for p in parts[:-1] for d in p.dropped] == list(sample_result.dropped)
    assert parts[-1].mentions == sample_result.mentions and parts[-1].dropped == sample_result.dropped


def test_a_build_makes_its_resolver_once(tmp_path, monkeypatch):
    from nkmap import pipeline
    from nkmap.resolve import resolver

    made = []
    monkeypatch.setattr(pipeline, "BATCH_BYTES", 1)  # a batch an article
    monkeypatch.setattr(pipeline, "Resolver", lambda *a, **k: made.append(1) or resolver.Resolver(*a, **k))
    from .conftest import ARTICLES, GAZETTEER

    report = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "out", cache=False, formats="csv")
    assert report.counts.articles == 5 and len(made) == 1
