"""What the outputs do to be quick leaves nothing behind: the collector's frozen objects given back, the
same bytes written."""

from __future__ import annotations

import gc

import pytest

from nkmap.outputs.stream import stream_outputs

from .test_stream_build import per_article


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
