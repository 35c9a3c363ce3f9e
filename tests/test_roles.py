"""Mention roles: the rules on short sentences written for these tests, and the pipeline on the sample corpus."""

from __future__ import annotations

import dataclasses
import re

import pytest

from nkmap.inputs.articles import article_from_text
from nkmap.model import Mention, Place, ResolvedMention
from nkmap.roles import default_words, tag_roles


def roles_of(text: str, *names: str, kind: str = "country") -> list[tuple[str, str]]:
    """(surface, role) for every occurrence of ``names`` in ``text``, each sentence one line."""
    article = article_from_text("t.txt", text)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)")
    mentions = []
    for m in pattern.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        sentence = text[line_start : line_end if line_end != -1 else len(text)]
        mention = Mention("t.txt", m.start(), m.end(), m.group(), sentence, line_start)
        mentions.append(ResolvedMention(mention, Place(m.group().lower(), m.group(), 0.0, 0.0, kind=kind), "test", 1.0))
    return [(rm.mention.surface, rm.role) for rm in tag_roles(article, mentions)]


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [
        # datelines, with the country and the outlet the dateline may carry
        ("MOSKOW - Menteri itu berbicara.", ["MOSKOW"], ["dateline"]),
        (
            "MOSKOW, RUSIA (contoh.com) - Rusia pada Sabtu (31/10/2020) mengatakan sesuatu.",
            ["MOSKOW", "RUSIA", "Rusia"],
            ["dateline", "dateline", "speaker"],
        ),
        # speakers: the place itself speaks or acts
        ("Pada hari Minggu, Baku mengumumkan serangan balik.", ["Baku"], ["speaker"]),
        ("Juru bicara itu menekankan bahwa Moskow memiliki peluang besar.", ["Moskow"], ["speaker"]),
        ("Rusia mengatakan akan membantu.", ["Rusia"], ["speaker"]),
        ("The Kremlin urges both sides to stop.", ["Kremlin"], ["speaker"]),
        ("Armenia dan Azerbaijan sepakat berunding.", ["Armenia", "Azerbaijan"], ["speaker", "speaker"]),
        ("Wilayah itu diduduki oleh Armenia selama puluhan tahun.", ["Armenia"], ["speaker"]),
        ("The talks were led by Russia.", ["Russia"], ["speaker"]),
        # not speakers: the place only names who the actor belongs to
        ("Presiden Rusia mengatakan akan membantu.", ["Rusia"], [""]),
        ("Tentara Azerbaijan memasuki kota itu.", ["Azerbaijan"], [""]),
        ("Armenia's foreign ministry said nothing.", ["Armenia"], [""]),
        ("Efforts by Russia failed.", ["Russia"], [""]),
        # events: where something happened
        ("Tembakan artileri menghantam kota Shushi pada malam hari.", ["Shushi"], ["event"]),
        ("Warga berkumpul di Stepanakert setelah serangan.", ["Stepanakert"], ["event"]),
        ("Houses were burned in the village of Charektar.", ["Charektar"], ["event"]),
        ("A missile hit Riyadh on Friday.", ["Riyadh"], ["event"]),
        # not events: where a place lies, a continent
        ("Residents of the district in Azerbaijan left.", ["Azerbaijan"], [""]),
        ("Kota Stepanakert di Karabakh sepi.", ["Stepanakert", "Karabakh"], ["", ""]),
        ("Kemarin tidak ada yang terjadi.", ["Kemarin"], [""]),
    ],
)
def test_role_rules(text, names, expected):
    assert [role for _, role in roles_of(text, *names)] == expected


def test_a_continent_is_no_event():
    assert roles_of("Organisasi untuk Keamanan dan Kerja Sama di Eropa.", "Eropa", kind="continent") == [("Eropa", "")]


def test_tag_roles_returns_new_frozen_mentions():
    article = article_from_text("t.txt", "Baku mengumumkan serangan.")
    original = ResolvedMention(Mention("t.txt", 0, 4, "Baku", "Baku mengumumkan serangan.", 0), None, "unresolved")
    (tagged,) = tag_roles(article, [original])
    assert (original.role, tagged.role) == ("", "speaker")
    assert tagged.mention is original.mention and tagged.place is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        tagged.role = "event"


def test_word_lists_are_data():
    words = default_words()
    assert "mengumumkan" in words.speaker_verbs and "said" in words.speaker_verbs
    assert ("in",) in words.event_triggers and ("mundur", "dari") in words.event_triggers


def test_pipeline_tags_the_sample_corpus(sample_result):
    roles = {(rm.mention.article[:3], rm.mention.start): rm.role for rm in sample_result.mentions}
    text = {a.name[:3]: a.text for a in sample_result.articles}
    assert roles["000", text["000"].index("MOSKOW -")] == "dateline"
    assert roles["001", text["001"].index("Baku mengumumkan")] == "speaker"
    assert roles["001", text["001"].index("Moskow memiliki")] == "speaker"
    assert roles["000", text["000"].index("Shushi")] == "event"
    assert roles["004", text["004"].index("Jenewa")] == "event"
    assert roles["004", text["004"].index("Presiden Rusia") + len("Presiden ")] == ""
    assert set(roles.values()) == {"", "dateline", "speaker", "event"}


def test_role_reaches_the_outputs(sample_build):
    import geopandas as gpd

    mentions = gpd.read_file(sample_build.map_path.parent / "mentions.geojson")
    assert (
        (mentions["role"] == "dateline").sum() == sum(rm.role == "dateline" for rm in sample_build.result.mentions) > 0
    )


def test_every_word_the_rules_use_comes_from_the_data():
    """No word list is hard-coded in roles.py: swapping the coordinator or the agent marker changes the result."""
    import json

    from nkmap.datafiles import packaged_json
    from nkmap.roles import RoleWords

    data = packaged_json("roles.json")
    article = article_from_text("t.txt", "Wilayah itu diduduki oleh Armenia.")
    mention = Mention("t.txt", 26, 33, "Armenia", "Wilayah itu diduduki oleh Armenia.", 0)
    rm = ResolvedMention(mention, None, "unresolved")
    assert tag_roles(article, [rm])[0].role == "speaker"
    changed = json.loads(json.dumps(data))
    changed["agent_markers"] = {"oleh": {"prefix": "ter"}}  # no longer a di- passive
    assert tag_roles(article, [rm], RoleWords.from_json(changed))[0].role == ""
    import nkmap.roles

    code = open(nkmap.roles.__file__, encoding="utf-8").read()
    for word in ('"dan"', '"and"', '"serta"', '"oleh"', '"the"', '"seluruh"'):
        assert word not in code
