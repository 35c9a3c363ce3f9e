"""The streamed writers (no frame, no geometry object per mention; the page in pieces) write what
the frame writers and the one-string page wrote: the same bytes, read back as the same content."""

from __future__ import annotations

import csv
import datetime
import json
import random

import pytest

from nkmap.model import Article, GeoparseResult, Mention, Place, ResolvedMention, summarise
from nkmap.outputs import tables
from nkmap.outputs.web import page
from nkmap.outputs.web.basemap import json_for_html

# Text that every writer must carry exactly (GeoJSON) or defused (CSV): quotes, separators, line
# breaks, formula starts, control characters, characters beyond the BMP, lone surrogates.
AWKWARD = (
    'He said "Baku, then Ganja"',
    '=HYPERLINK("http://example.org")',
    "-1+1 votes in Shusha",
    "+Kelbajar",
    "@Lachin",
    "\tTartar",
    "\rAghdam\nnext line",
    "line one\r\nline two, with a comma",
    "bell \x07 and escape \x1b in Fuzuli",
    "an emoji 🚩 and an astral 𝔸 in Jabrayil",
    "</script><script>alert(1)</script> & <!-- in Zangilan",
    "line\u2028separator\u2029in Qubadli",
    "",
)


def awkward_result() -> GeoparseResult:
    baku = Place(
        "baku", 'Baku, "capital"', 40.37767, 49.89201, "city", "AZ", geonameid=587084, source="geonames:587084"
    )
    odd = Place("=odd", "=Odd place", -0.000000001, -179.99999999, "village", "", source="+src")
    articles = []
    mentions = []
    for i, text in enumerate(AWKWARD):
        name = f'{i:02d}, "a".txt' if i % 3 == 0 else f"=a{i}.txt"
        body = f"Baku. {text}"
        date = datetime.date(2020, 10, i + 1) if i % 2 else None
        articles.append(Article(name, name, body, date=date, language="az" if i % 2 else ""))
        for j, place in enumerate((baku, odd, None)):
            m = Mention(name, 0, 4, "Baku" if j else "=Baku", text, sentence_start=6)
            confidence = (0.1 + 0.2, 1, 0.0)[j]
            mentions.append(
                ResolvedMention(
                    m, place, "gazetteer" if place else "unresolved", confidence, role=("", "@event", "dateline")[j]
                )
            )
    return GeoparseResult(tuple(articles), tuple(mentions), summarise(mentions))


@pytest.fixture(params=["sample", "awkward"])
def result(request, sample_result):
    return sample_result if request.param == "sample" else awkward_result()


def test_streamed_geojson_and_csv_are_the_bytes_the_frame_writers_wrote(result, tmp_path):
    mentions, places = tables.to_geodataframes(result)
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir(), new.mkdir()
    tables.write_geojson(mentions, old / "mentions.geojson")
    tables.write_geojson(places, old / "places.geojson")
    tables.write_csv(mentions, old / "mentions.csv")
    tables.write_csv(places, old / "places.csv")
    tables.write_outputs(result, new, formats="geojson,csv")
    for name in ("mentions.geojson", "places.geojson", "mentions.csv", "places.csv"):
        assert (new / name).read_bytes() == (old / name).read_bytes(), name


def test_streamed_geojson_reads_back_as_the_result(tmp_path):
    result = awkward_result()
    tables.write_outputs(result, tmp_path, formats="geojson")
    features = json.loads((tmp_path / "mentions.geojson").read_text(encoding="utf-8"))["features"]
    assert len(features) == len(result.mentions)
    for feature, rm in zip(features, result.mentions):
        props = feature["properties"]
        assert (props["article"], props["surface"], props["sentence"]) == (
            rm.mention.article,
            rm.mention.surface,
            rm.mention.sentence,
        )
        assert props["role"] == rm.role and props["confidence"] == pytest.approx(rm.confidence, abs=1e-15)
        if rm.place is None:
            assert feature["geometry"] is None and props["place_id"] is None
        else:
            lon, lat = feature["geometry"]["coordinates"]
            assert (lon, lat) == pytest.approx((rm.place.lon, rm.place.lat), abs=1e-7)  # 7 decimals, RFC 7946
    places = json.loads((tmp_path / "places.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["properties"]["articles"] for f in places] == [list(s.articles) for s in result.places]


def test_streamed_csv_is_defused_and_reads_back(tmp_path):
    result = awkward_result()
    tables.write_outputs(result, tmp_path, formats="csv")
    with open(tmp_path / "mentions.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(result.mentions)
    for row, rm in zip(rows, result.mentions):
        for column, value in (("sentence", rm.mention.sentence), ("surface", rm.mention.surface), ("role", rm.role)):
            expected = "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
            assert row[column] == expected
        assert row["article"][:1] not in ("=", "+", "-", "@")
    assert (tmp_path / "mentions.csv").read_bytes().count(b"\r\n") >= len(rows) + 1


def test_page_pieces_join_to_the_one_string(monkeypatch):
    monkeypatch.setattr(page, "TEXT_PIECE", 7)  # every text is cut, astral characters and escapes included
    monkeypatch.setattr(page, "ROWS_PIECE", 4)
    result = awkward_result()
    payload = page.map_payload(result, towns=False)
    assert "".join(page.payload_json_pieces(payload)) == json_for_html(payload)
    made_while_written = page.mention_values(result, payload["methods"], payload["roles"])
    lazy = dict(payload, mentions=made_while_written)
    assert "".join(page.payload_json_pieces(lazy)) == json_for_html(payload)
    empty = dict(payload, mentions=iter([]))
    assert "".join(page.payload_json_pieces(empty)) == json_for_html(dict(payload, mentions=[]))


def test_the_page_written_in_pieces_is_the_page_rendered_at_once(result, tmp_path, monkeypatch):
    monkeypatch.setattr(page, "TEXT_PIECE", 5)
    monkeypatch.setattr(page, "ROWS_PIECE", 3)
    rendered = page.build_map(result, towns=False).get_root().render()
    page.write_map(result, tmp_path / "map.html", towns=False)
    assert (tmp_path / "map.html").read_text(encoding="utf-8") == rendered
    assert rendered.count("<script") == rendered.count("</script>")  # no article text closed an element


@pytest.mark.parametrize(
    "tiles",
    [
        "none",
        "osm",
        "https://tiles.example.org/{z}/{x}/{y}.png?key=a&b='c'",
        page.Tiles("https://t.example.org/{z}/{x}/{y}.png", "<b>Ünïcode</b> & 'quotes' \"too\" </script>"),
    ],
)
def test_the_page_written_without_folium_is_the_page_folium_renders(result, tiles, tmp_path):
    """map.html is written without importing folium; its bytes are folium's, tiles or none, for any title."""
    title = "A <title> & \"quotes\" {{ 7*7 }} 'here' 🚩"
    rendered = page.build_map(result, title, tiles=tiles, towns=False).get_root().render()
    page.write_map(result, tmp_path / "map.html", title, tiles=tiles, towns=False)
    assert (tmp_path / "map.html").read_text(encoding="utf-8") == rendered
    assert "49" not in rendered.split("<title>")[1].split("</title>")[0]


def test_writing_the_page_imports_no_folium(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys; from nkmap.model import GeoparseResult; from nkmap.outputs.web.page import write_map; "
        f"write_map(GeoparseResult((), (), ()), {str(tmp_path / 'map.html')!r}, towns=False); "
        "print(sorted(m for m in ('folium', 'branca', 'jinja2') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    assert (tmp_path / "map.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_rows_given_a_chunk_at_a_time_join_to_the_one_string(monkeypatch):
    result = awkward_result()
    payload = page.map_payload(result, towns=False)
    flat = payload["mentions"]
    chunks = page.RowChunks([flat[:9], [], flat[9:40], flat[40:]])
    assert "".join(page.payload_json_pieces(dict(payload, mentions=chunks))) == json_for_html(payload)
    empty = page.RowChunks([[], []])
    assert "".join(page.payload_json_pieces(dict(payload, mentions=empty))) == json_for_html(dict(payload, mentions=[]))


def test_spilled_columns_read_back_what_was_written_and_widen():
    """The page's mention columns, written a batch at a time, read back as the arrays joined; a column
    whose later batches hold wider numbers (offsets past 2**31) is read back in the wider type."""
    from array import array

    from nkmap.outputs.stream import _SpilledColumns

    spilled = _SpilledColumns("iqd")
    try:
        spilled.write([array("i", [1, 2]), array("i", [5, -6]), array("d", [0.1 + 0.2, 1.0])])
        spilled.write([array("i"), array("i"), array("d")])  # a batch with no mention
        spilled.write([array("i", [3]), array("q", [2**40]), array("d", [0.5])])
        first, wide, floats = spilled.read()
        assert spilled.rows == 3
        assert first.dtype.itemsize == 4 and first.tolist() == [1, 2, 3]
        assert wide.dtype.itemsize == 8 and wide.tolist() == [5, -6, 2**40]
        assert floats.tolist() == [0.1 + 0.2, 1.0, 0.5]
    finally:
        spilled.close()
    empty = _SpilledColumns("i")
    assert empty.read() == [None]
    empty.close()


def test_the_stream_holds_no_page_row_between_batches(sample_result, tmp_path):
    """What the page's mention rows take in memory does not grow with the corpus: after each batch
    they are in the temporary files (and with no page, not kept at all)."""
    from nkmap.infra import atomic
    from nkmap.outputs.stream import OutputStream

    from .test_stream_build import per_article

    for wanted in (("html", "csv"), ("csv",)):
        out = tmp_path / "-".join(wanted)
        with atomic.replaced_together(out), OutputStream(out, wanted) as stream:
            for batch in per_article(sample_result):
                stream.add(*batch)
                assert not any(stream._page_columns())
            assert stream.mentions == len(sample_result.mentions)
            if "html" in wanted:
                placed = sum(rm.place is not None for rm in sample_result.mentions)
                assert stream._spilled is not None and stream._spilled.rows == placed > 0
            stream.finish()


def test_spilled_columns_come_back_in_order_a_slice_at_a_time():
    """The columns put in a given order and read back some rows at a time are the columns indexed by it."""
    from array import array

    import numpy as np

    from nkmap.outputs.stream import _SpilledColumns

    rng = random.Random(3)
    ints = [rng.randrange(-(2**31), 2**31) for _ in range(1003)]
    floats = [rng.random() for _ in range(1003)]
    spilled = _SpilledColumns("idi")
    try:
        for start in range(0, 1003, 97):
            spilled.write([array("i", ints[start : start + 97]), array("d", floats[start : start + 97]), array("i")])
        order = np.array(rng.sample(range(1003), 1003))
        chunks = list(spilled.in_order(order, 100))
        assert [len(c[0]) for c in chunks] == [100] * 10 + [3]
        assert [v for c in chunks for v in c[0].tolist()] == [ints[k] for k in order]
        assert [v for c in chunks for v in c[1].tolist()] == [floats[k] for k in order]
        assert all(c[2] is None for c in chunks)
    finally:
        spilled.close()
