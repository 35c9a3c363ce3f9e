"""The machine-readable outputs and the map page built from the sample corpus."""

from __future__ import annotations

import json
import re
from collections import Counter

import geopandas as gpd
import pytest

from nkmap.outputs.web.page import json_for_html


def page_data(html: str) -> dict:
    m = re.search(r'<script type="application/json" id="nkmap-data">(.*?)</script>', html, re.DOTALL)
    assert m, "the map page embeds its data once"
    return json.loads(m.group(1))


def test_geojson_outputs_load_with_geopandas(sample_build):
    out = sample_build.map_path.parent
    mentions = gpd.read_file(out / "mentions.geojson")
    places = gpd.read_file(out / "places.geojson")
    assert mentions.crs.to_epsg() == 4326 and places.crs.to_epsg() == 4326
    assert {"article", "start", "end", "surface", "place_id", "place", "sentence"} <= set(mentions.columns)
    assert {"mentions", "articles"} <= set(places.columns)
    assert len(mentions) == len(sample_build.result.mentions)
    assert len(places) == len(sample_build.result.places)


def test_mention_points_are_lon_lat(sample_build):
    data = json.loads((sample_build.map_path.parent / "mentions.geojson").read_text(encoding="utf-8"))
    baku = next(f for f in data["features"] if f["properties"]["place_id"] == "baku")
    lon, lat = baku["geometry"]["coordinates"]
    assert (round(lat, 3), round(lon, 3)) == (40.378, 49.892)


def test_place_counts_agree_with_mentions(sample_build):
    out = sample_build.map_path.parent
    mentions = gpd.read_file(out / "mentions.geojson")
    places = gpd.read_file(out / "places.geojson").set_index("place_id")
    counts = Counter(mentions["place_id"])
    assert dict(places["mentions"]) == dict(counts)
    tonashen_articles = places.loc["tonashen", "articles"]
    assert list(tonashen_articles) == ["002_57a5f8c875698f1e.txt"]


def test_map_holds_one_marker_per_place_with_excerpts_and_links(sample_build):
    html = sample_build.map_path.read_text(encoding="utf-8")
    data = page_data(html)
    f = data["fields"]
    ids = [p[f["p_id"]] for p in data["places"]]
    assert sorted(ids) == sorted(s.place.id for s in sample_build.result.places)
    assert len(ids) == len(set(ids))
    martakert = ids.index("martakert")
    stride = data["mention_stride"]  # mentions are flat: one run of stride numbers each
    rows = [data["mentions"][k : k + stride] for k in range(0, len(data["mentions"]), stride)]
    rows = [m for m in rows if m[f["m_place"]] == martakert]
    assert len(rows) == 1
    article = data["articles"][rows[0][f["m_article"]]]
    start, end = rows[0][f["m_start"]], rows[0][f["m_end"]]
    excerpt = article["text"][rows[0][f["m_sentence_start"]] : rows[0][f["m_sentence_end"]]]
    assert article["text"][start:end] == "Martakert"
    assert "serangan udara Azerbaijan di kota Martakert" in excerpt
    assert article["name"] == "002_57a5f8c875698f1e.txt"


def test_map_page_loads_nothing_from_the_network(sample_build):
    html = sample_build.map_path.read_text(encoding="utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?https?:", html)


@pytest.mark.parametrize("payload", ["</script><script>alert(1)</script>", "<!-- x", "a & b > c", "\u2028"])
def test_embedded_json_cannot_close_its_script_element(payload):
    encoded = json_for_html({"text": payload})
    assert "<" not in encoded and ">" not in encoded and "\u2028" not in encoded
    assert json.loads(encoded) == {"text": payload}
