"""What the outputs do to be quick leaves nothing behind: the collector's frozen objects given back, the
same bytes written."""

from __future__ import annotations

import dataclasses
import gc

import pytest

from nkmap.outputs import tables
from nkmap.outputs.stream import stream_outputs

from .test_stream_build import per_article
from .test_streamed_outputs import awkward_result


def test_streaming_freezes_what_lives_and_gives_it_back(sample_result, tmp_path):
    before = gc.get_freeze_count()
    frozen_between_batches = []

    def batches():
        for i, batch in enumerate(per_article(sample_result)):
            if i:
                frozen_between_batches.append(gc.get_freeze_count())
            yield batch

    stream_outputs(batches(), tmp_path / "out", ("geojson", "csv"))
    assert frozen_between_batches and min(frozen_between_batches) > before
    assert gc.get_freeze_count() == before


def test_a_failed_stream_gives_the_frozen_objects_back(sample_result, tmp_path):
    before = gc.get_freeze_count()

    def failing():
        yield from list(per_article(sample_result))[:2]
        raise RuntimeError("the third article failed")

    with pytest.raises(RuntimeError, match="third"):
        stream_outputs(failing(), tmp_path / "out", ("geojson", "csv"))
    assert gc.get_freeze_count() == before


@pytest.mark.parametrize("lines", [tables.GeojsonMentionLines, tables.CsvMentionLines])
def test_mention_lines_are_the_same_whatever_they_remember(lines, sample_result, monkeypatch):
    result = awkward_result()
    mentions = list(sample_result.mentions) + list(result.mentions)
    columns = tables.article_columns(list(sample_result.articles) + list(result.articles))
    remembering = list(map(lines(columns), mentions))
    monkeypatch.setattr(lines, "MEMO", 1)  # forgets every surface and column run after each
    forgetting = list(map(lines(columns), mentions))
    # a sentence equal to the one before but another object, and a new one between two equal ones
    copies = [
        dataclasses.replace(rm, mention=dataclasses.replace(rm.mention, sentence="".join(rm.mention.sentence)))
        for rm in mentions
    ]
    again = list(map(lines(columns), [x for pair in zip(mentions, copies) for x in pair]))
    assert forgetting == remembering
    assert again == [x for line in remembering for x in (line, line)]
    assert len(set(remembering)) > 10


def test_the_provinces_memos_are_decoded_once_and_a_bad_one_is_made_again(sample_result, tmp_path, monkeypatch):
    import json

    from nkmap.outputs.web import context

    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path / "cache"))
    fresh = context.admin1_payload(sample_result)
    memos = sorted((tmp_path / "cache" / "admin1").glob("*.json"))
    assert fresh["lines"] and memos
    import msgspec.json

    decoded = []
    decode = msgspec.json.decode  # what remembered_json reads a memo with
    monkeypatch.setattr(msgspec.json, "decode", lambda text, *a, **k: decoded.append(text) or decode(text, *a, **k))
    calls = []
    country = context._admin1_country
    monkeypatch.setattr(context, "_admin1_country", lambda *a: calls.append(a) or country(*a))
    assert context.admin1_payload(sample_result) == fresh
    texts = {memo.read_text(encoding="utf-8") for memo in memos}
    assert len(calls) >= len(memos) and len([t for t in decoded if t in texts]) == len(calls)  # it was twice a call
    monkeypatch.setattr(msgspec.json, "decode", decode)
    for memo in memos:
        memo.write_text('{"units": [', encoding="utf-8")
    assert context.admin1_payload(sample_result) == fresh
    assert all(json.loads(memo.read_text(encoding="utf-8")) for memo in memos)
