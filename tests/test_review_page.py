"""The review panel's data in the page: escaped, complete, deterministic (checked on the parsed HTML)."""

from __future__ import annotations

import json
import re

from nkmap.model import Article, Dropped, GeoparseResult, Mention, Place, Reason, ResolvedMention
from nkmap.outputs.web.page import build_map
from nkmap.outputs.web.review_panel import review_payload
from nkmap.pipeline import summarise
from nkmap.sources.corrections import Correction, Corrections

HOSTILE = '</script><img src=x onerror="alert(1)"> & <!-- Velmora'
VELMORA = Place("velmora-north", "Velmora", 50.0, 10.0, "town")
GORIS = Place("goris", "Goris", 39.5, 46.3, "town", "AM")


def result() -> GeoparseResult:
    text = f"Velmora and Goris. {HOSTILE}"
    m1 = Mention("x.txt", 0, 7, "Velmora", text)
    m2 = Mention("x.txt", 12, 17, "Goris", text)
    m3 = Mention("x.txt", 40, 47, "Zorvetka", HOSTILE)
    mentions = (
        ResolvedMention(m1, VELMORA, "population", 0.5),
        ResolvedMention(m2, GORIS, "gazetteer", 1.0),
    )
    dropped = (Dropped(m3, Reason.NO_EVIDENCE, ((GORIS, 0.1),)),)
    return GeoparseResult((Article("x.txt", "x.txt", text),), mentions, summarise(mentions), dropped)


def review_json(html: str) -> dict:
    found = re.findall(r'<script type="application/json" id="nkmap-review">(.*?)</script>', html, re.DOTALL)
    assert len(found) == 1
    assert "<" not in found[0] and ">" not in found[0]  # nothing in it can end the element
    return json.loads(found[0])


def test_the_page_carries_the_review_rows_low_places_and_earlier_corrections():
    earlier = Corrections((Correction("not-a-place", "Tula"),)).bind(lambda _: None)
    html = build_map(result(), corrections=earlier).get_root().render()
    data = review_json(html)
    assert data["threshold"] == 0.6 and data["awaiting"] == 2
    assert [(r["name"], r["status"]) for r in data["rows"]] == [("Zorvetka", "dropped"), ("Velmora", "low confidence")]
    assert data["rows"][0]["example"] == HOSTILE  # exactly the text, shown through textContent
    assert data["low"] == ["velmora-north"]
    assert data["surfaces"] == {"velmora-north": ["Velmora"], "goris": ["Goris"]}
    assert data["corrections"] == [{"action": "not-a-place", "name": "Tula"}]
    assert html.count("window.nkmapReview = review") == 1  # review.js inlined once
    assert "nkmap-review-toggle" in html  # review.css
    assert 'onerror="alert(1)"' not in html.replace("\\u003c", "")  # never raw markup


def test_two_builds_of_the_same_result_are_identical_but_for_folium_ids():
    def render():  # folium names its elements with random ids: map_1f2e...; the page's owner pins them
        return re.sub(r"_[0-9a-f]{32}\b", "_ID", build_map(result()).get_root().render())

    assert render() == render()


def test_the_list_is_capped_and_says_how_many_more():
    data = review_payload(result(), limit=1)
    assert len(data["rows"]) == 1 and data["awaiting"] == 2
