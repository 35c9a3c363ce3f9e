"""The streamed build (``nkmap.outputs.stream``) writes, an article at a time, the bytes that
``write_outputs`` writes from the whole result; and its memory hardly grows with the corpus."""

from __future__ import annotations

import dataclasses
import random
import sys
from collections.abc import Iterator

import pytest

import nkmap
import nkmap.pipeline
from nkmap.model import Article, Dropped, GeoparseResult, ResolvedMention
from nkmap.outputs import tables
from nkmap.outputs.stream import stream_outputs

from .conftest import ARTICLES, GAZETTEER, nkmap_env
from .test_big_article_memory import peak_mb
from .test_streamed_outputs import awkward_result

FORMATS = ("html", "geojson", "csv", "kml", "svg")


def per_article(result: GeoparseResult) -> Iterator[tuple[list[Article], list[ResolvedMention], list[Dropped]]]:
    """``result`` an article at a time, each with its mentions and drops (as geoparsing gives them)."""
    mentions: dict[str, list[ResolvedMention]] = {}
    dropped: dict[str, list[Dropped]] = {}
    for rm in result.mentions:
        mentions.setdefault(rm.mention.article, []).append(rm)
    for d in result.dropped:
        dropped.setdefault(d.mention.article, []).append(d)
    for a in result.articles:
        yield [a], mentions.get(a.name, []), dropped.get(a.name, [])


def odd_named(result: GeoparseResult) -> GeoparseResult:
    """``result`` with an article name that is not UTF-8 (a lone surrogate, shown by its bytes)."""
    first = result.articles[0].name
    odd = "caf\udce9 " + first

    def rename(m):
        return dataclasses.replace(m, article=odd) if m.article == first else m

    mentions = [dataclasses.replace(rm, mention=rename(rm.mention)) for rm in result.mentions]
    articles = [dataclasses.replace(a, name=odd) if a.name == first else a for a in result.articles]
    dropped = [dataclasses.replace(d, mention=rename(d.mention)) for d in result.dropped]
    return GeoparseResult.of(articles, mentions, dropped)


@pytest.fixture(params=["sample", "awkward", "odd name"])
def result(request, sample_result):
    if request.param == "awkward":
        return awkward_result()
    return sample_result if request.param == "sample" else odd_named(sample_result)


def test_the_streamed_outputs_are_the_bytes_of_write_outputs(result, tmp_path):
    whole = tables.write_outputs(result, tmp_path / "whole", formats=FORMATS, embed=True)
    streamed, counts = stream_outputs(per_article(result), tmp_path / "streamed", FORMATS, embed=True)
    assert [p.name for p in streamed] == [p.name for p in whole]
    for old, new in zip(whole, streamed):
        assert new.read_bytes() == old.read_bytes(), old.name
    assert (counts.articles, counts.mentions, counts.places) == (
        len(result.articles),
        len(result.mentions),
        len(result.places),
    )
    assert counts.unresolved == len(result.unresolved)


def test_a_failed_stream_leaves_the_previous_files(sample_result, tmp_path):
    out = tmp_path / "out"
    before = {p.name: p.read_bytes() for p in tables.write_outputs(sample_result, out, formats=FORMATS)}

    def failing():
        yield from list(per_article(sample_result))[:3]
        raise RuntimeError("the fourth article failed")

    with pytest.raises(RuntimeError, match="fourth"):
        stream_outputs(failing(), out, FORMATS)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporary left either


def test_build_without_keeping_the_result_writes_the_same_files(tmp_path, monkeypatch):
    monkeypatch.setattr(nkmap.pipeline, "BATCH_BYTES", 1)  # a batch an article
    kept = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "kept", cache=False)
    light = nkmap.build([ARTICLES], gazetteer=GAZETTEER, out=tmp_path / "light", cache=False, keep_result=False)
    assert light.result is None and kept.result is not None
    assert light.counts == kept.counts == nkmap.pipeline.counted(kept.result)
    assert [p.name for p in light.files] == [p.name for p in kept.files]
    for a, b in zip(kept.files, light.files):
        assert a.read_bytes() == b.read_bytes(), a.name
    whole = tables.write_outputs(kept.result, tmp_path / "whole")  # from the whole result, not streamed
    for a, b in zip(whole, light.files):
        assert a.read_bytes() == b.read_bytes(), a.name


# --- memory -----------------------------------------------------------------------------------

PLACES = ("Baku", "Ganja", "Yerevan", "Goris", "Shusha", "Stepanakert", "Tartar", "Moscow", "Jakarta", "Ankara")
SENTENCES = (  # written for this test
    "Reporters in {a} said the convoy reached {b} before noon on {day}.",
    "Officials in {a} denied the account and said the road to {b} stayed closed.",
    "The ministry in {a} gave no figures, and the talks were moved to another week.",
    "Aid groups said they would reach {b} once the weather cleared over {a}.",
    "Nothing else was announced in {a}, and the markets stayed quiet all afternoon.",
)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


def corpus(folder, megabytes: float) -> None:
    """Articles of ~3 KB made of the sentences above, about ``megabytes`` of them."""
    rng = random.Random(15)
    folder.mkdir()
    size, n = 0, 0
    while size < megabytes * 1_000_000:
        text = " ".join(
            rng.choice(SENTENCES).format(a=rng.choice(PLACES), b=rng.choice(PLACES), day=rng.choice(DAYS))
            for _ in range(40)
        )
        (folder / f"{n:05d}.txt").write_text(f"Report {n}\n\n{text}\n", encoding="utf-8")
        size += len(text)
        n += 1


@pytest.mark.slow
def test_the_build_s_peak_memory_hardly_grows_with_the_corpus(tmp_path):
    """From 1 to 4 MB of articles the CLI's build peaks at most 18 MB higher: here +3 MB, 159 -> 162 MB
    (the page's mention columns go to disk as they come). Holding the whole result, as builds did before
    the streamed outputs, it peaked 33 MB higher (314 -> 347 MB then)."""
    env = nkmap_env()
    peaks = []
    for mb in (1, 4):
        corpus(tmp_path / f"in{mb}", mb)
        args = [sys.executable, "-m", "nkmap", "build", str(tmp_path / f"in{mb}"), "--out", str(tmp_path / f"out{mb}")]
        peaks.append(peak_mb([*args, "-q", "--no-cache", "--keep-duplicates"], env))
        assert (tmp_path / f"out{mb}" / "mentions.csv").stat().st_size > mb * 1_000_000
    assert peaks[1] - peaks[0] <= 18, f"peak RSS {peaks[0]:.0f} MB at 1 MB, {peaks[1]:.0f} MB at 4 MB"


def test_batches_of_articles_with_their_mentions_interleaved_give_the_bytes_of_write_outputs(sample_result, tmp_path):
    """A batch of several articles whose mentions and drops come interleaved (not article by article): each
    place's and each review row's articles are listed once, in the order first met, as write_outputs lists them."""
    rng = random.Random(11)
    mentions, dropped = list(sample_result.mentions) * 2, list(sample_result.dropped) * 2  # each met twice
    rng.shuffle(mentions)
    rng.shuffle(dropped)
    shuffled = GeoparseResult.of(list(sample_result.articles), mentions, dropped)
    names = [a.name for a in shuffled.articles]
    batches = []
    for start in range(0, len(names), 4):  # four articles a batch, each batch's mentions in the shuffled order
        four = set(names[start : start + 4])
        batches.append(
            (
                [a for a in shuffled.articles if a.name in four],
                [rm for rm in shuffled.mentions if rm.mention.article in four],
                [d for d in shuffled.dropped if d.mention.article in four],
            )
        )
    in_order = GeoparseResult.of(
        [a for b in batches for a in b[0]], [m for b in batches for m in b[1]], [d for b in batches for d in b[2]]
    )
    whole = tables.write_outputs(in_order, tmp_path / "whole", formats=FORMATS)
    streamed, _ = stream_outputs(batches, tmp_path / "streamed", FORMATS)
    assert len({a for p in in_order.places for a in p.articles}) > 4  # places met in several batches
    for old, new in zip(whole, streamed):
        assert new.read_bytes() == old.read_bytes(), old.name
