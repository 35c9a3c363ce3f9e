"""Recognition of names as they are written: particles, suffixes, common words, languages."""

from __future__ import annotations

import pytest

import nkmap
from nkmap.inputs.articles import article_from_text
from nkmap.recognize.language import detect, zipf
from nkmap.sources.countries import CountryNames
from nkmap.sources.gazetteer import Gazetteer
from nkmap.sources.geonames import load_geonames


@pytest.fixture(scope="module")
def bare_sources():
    geonames = load_geonames()
    return [Gazetteer([]), CountryNames((), geonames), geonames]


def surfaces(text, sources, language=""):
    article = article_from_text("t.txt", text)
    if language:
        from dataclasses import replace

        article = replace(article, language=language)
    return [rm.mention.surface for rm in nkmap.geoparse([article], sources=sources).mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pasukan itu menyerang el-Fasher pada malam hari.", "el-Fasher"),
        ("Fighting spread around El Fasher in Sudan last week.", "El Fasher"),
        ("Shelling hit Deir el-Balah before dawn, residents said.", "Deir el-Balah"),
        ("Aid trucks reached Deir ez-Zor in Syria on Monday.", "Deir ez-Zor"),
        ("Insurgents attacked Mocímboa da Praia again, in Mozambique.", "Mocímboa da Praia"),
        ("The delegation flew on to La Paz in Bolivia.", "La Paz"),
    ],
)
def test_articles_and_particles_are_part_of_the_name(bare_sources, text, expected):
    assert expected in surfaces(text, bare_sources)


def test_no_half_names_around_a_particle(bare_sources):
    found = surfaces("Insurgents attacked Mocímboa da Praia again, in Mozambique.", bare_sources)
    assert "Praia" not in found


def test_turkish_case_suffixes_after_an_apostrophe(bare_sources):
    text = "Dün gece sel Kastamonu'nun ilçelerini vurdu, Sinop’ta ise köprüler yıkıldı ve evler boşaltıldı."
    assert detect(text) == "tr"
    found = surfaces(text, bare_sources)
    assert "Kastamonu" in found and "Sinop" in found


def test_an_apostrophe_in_an_english_text_is_not_a_suffix(bare_sources):
    assert "Sina" not in surfaces("The men were held in the Sina’a prison for a year, the report said.", bare_sources)


def test_ordinary_words_of_the_language_are_not_small_places(bare_sources):
    text = "Warga berkumpul di Rumah adat, Maka anak-anak mengungsi ke Jakarta dan Malang."
    found = surfaces(text, bare_sources)
    assert "Rumah" not in found and "Maka" not in found  # a small Rumah (SA); Maka only names Makkah
    assert "Jakarta" in found and "Malang" in found  # frequent words too, but large cities keep their names


def test_a_place_word_keeps_a_common_word_name(bare_sources):
    assert "Pasar" in surfaces("Warga mengungsi dari desa Pasar di pesisir, kata petugas.", bare_sources)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Warga mengungsi dari desa itu karena banjir yang datang pada malam hari.", "id"),
        ("The river burst its banks and the water reached the houses in the night.", "en"),
        ("Las lluvias de la noche dejaron a miles de personas sin casa en el sur.", "es"),
        ("Les pluies de la nuit ont laissé des milliers de personnes sans abri dans le sud.", "fr"),
        ("12 34 !!", ""),
    ],
)
def test_the_language_of_an_article(text, language):
    assert detect(text) == language


def test_word_frequencies_come_from_wordfreq():
    assert zipf("ruang", "id") > zipf("ruang", "en")
    assert zipf("anything", "xx") == 0.0


@pytest.mark.parametrize(
    ("text", "absent", "present"),
    [
        ("The Sudan People's Liberation Movement met envoys in Juba on Monday.", "Sudan", "Juba"),
        ("Laporan itu dikutip dari PikiranRakyat-Cirebon.com pada Senin, kata warga Bandung.", "Cirebon", "Bandung"),
        ("Koresponden BBC Turki melaporkan gempa susulan di Malatya pada malam hari.", "Turki", "Malatya"),
        ("An editorial in the New York Times praised the aid convoy to Kherson.", "New York", "Kherson"),
    ],
)
def test_places_inside_the_names_of_bodies_and_outlets_are_not_mentions(bare_sources, text, absent, present):
    found = surfaces(text, bare_sources)
    assert absent not in found and present in found


def test_state_organs_and_lower_case_words_before_names_stay_mentions(bare_sources):
    found = surfaces("Kementerian Pertahanan Rusia menyebut bentrokan antara Armenia dan Azerbaijan.", bare_sources)
    assert {"Rusia", "Armenia", "Azerbaijan"} <= set(found)


def test_decomposed_unicode_is_found_like_composed_text():
    import unicodedata

    text = "Pasukan memasuki Ağdam dan Şuşa pada hari Jumat, lalu bergerak ke Kəlbəcər."
    found = {}
    for form in ("NFC", "NFD"):
        written = unicodedata.normalize(form, text)
        result = nkmap.geoparse([article_from_text("t.txt", written)])
        assert all(written[rm.mention.start : rm.mention.end] == rm.mention.surface for rm in result.mentions)
        found[form] = [
            (unicodedata.normalize("NFC", rm.mention.surface), rm.place and rm.place.id) for rm in result.mentions
        ]
    assert found["NFD"] == found["NFC"] and len(found["NFC"]) == 3


def test_an_alias_a_user_adds_matches_under_the_same_rules():
    feature = {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [10.0, 10.0]},  # a made-up place for the test
        "properties": {"id": "zendawi", "name": "Zendawi", "aliases": ["al-Zendawi", "El Zendawi"], "kind": "town"},
    }
    sources = [Gazetteer([feature])]
    for text in ("Shelling hit al-Zendawi overnight.", "Shelling hit El Zendawi overnight.", "Aid reached el-Zendawi."):
        (rm,) = nkmap.geoparse([article_from_text("t.txt", text)], sources=sources).mentions
        assert rm.place is not None and rm.place.id == "zendawi", text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Status Gunung Semeru dinaikkan menjadi siaga oleh petugas pagi ini.", "Semeru"),
        ("Di Belgia, Sungai Vesdre meluap dan merendam rumah warga.", "Vesdre"),
        ("The water level of the Indus River rose again near the town.", "Indus River"),
        ("Villagers fled as the Poyo ravine overflowed on Tuesday night.", "Poyo ravine"),
        ("Dün gece taşan Ezine Çayı köprüyü yıktı ve evler su altında kaldı.", "Ezine Çayı"),
    ],
)
def test_named_features_with_a_generic_word(bare_sources, text, expected):
    assert expected in candidates(text, bare_sources)


def candidates(text, sources):
    """What the recogniser finds, before resolution (names no source knows go to review, not the map)."""
    from nkmap.recognize.scan import NameIndex, find_mentions

    return [m.surface for m in find_mentions(article_from_text("t.txt", text), NameIndex.from_sources(*sources))]


def test_a_feature_word_does_not_swallow_the_next_name_or_sentence(bare_sources):
    found = candidates("Kecelakaan terjadi di Sungai Ampal Jakarta, kata polisi.", bare_sources)
    assert "Jakarta" in found and "Ampal Jakarta" not in found
    assert "Temuan" not in candidates("Jasad ditemukan di tepi sungai. Temuan itu dilaporkan warga.", bare_sources)


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Among the dead is Lourdes, 34 years old, a teacher from the coast.", "Lourdes"),
        ("“Kami takut,” kata Wali kota Marlon Sutedja kepada wartawan di balai desa.", "Marlon Sutedja"),
        ("“No sabemos nada”, dijo Lourdes a los periodistas en la plaza del pueblo.", "Lourdes"),
        ("Reporters waited while Victoria said the town had been cut off for a week.", "Victoria"),
    ],
)
def test_the_text_around_a_name_can_say_it_is_a_person(bare_sources, text, person):
    assert person not in candidates(text, bare_sources)


def test_after_a_preposition_a_name_before_said_is_still_a_place(bare_sources):
    found = candidates("Aid groups in Port Sudan said lorries with tents were on their way.", bare_sources)
    assert "Port Sudan" in found
