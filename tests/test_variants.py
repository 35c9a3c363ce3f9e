"""Arabic names with or without their article (al-, el-, and the assimilated ash-, ar-, an-...)."""

from __future__ import annotations

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.sources.variants import ArticleVariants, variants


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("qamishli", ["al qamishli", "el qamishli"]),
        ("al shaddadah", ["shaddadah", "el shaddadah", "ash shaddadah"]),
        ("raqqa", ["al raqqa", "el raqqa", "ar raqqa"]),
        ("ab", []),  # too short to say
    ],
)
def test_the_article_forms_of_a_name(key, expected):
    assert variants(key) == expected


def test_a_name_written_without_its_article_reaches_its_place(gazetteer):
    from nkmap.pipeline import default_sources
    from nkmap.sources.geonames import load_geonames

    geonames = load_geonames()
    source = ArticleVariants([geonames])
    assert "qamishli" not in geonames and "qamishli" in source.names().folded
    assert source.lookup("Qamishli")[0].country == "SY"
    text = "Kurdish forces patrolled the countryside of Qamishli, near the Turkish border in Syria."
    result = nkmap.geoparse([article_from_text("t.txt", text)], sources=default_sources(gazetteer))
    found = {rm.mention.surface: rm.place for rm in result.mentions}
    assert found["Qamishli"] is not None and found["Qamishli"].country == "SY"
