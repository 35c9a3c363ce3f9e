"""What the sources keep on disk or in memory once, so that text met once does not pay for it per name:
the memos must answer exactly what the data they stand for answers."""

from __future__ import annotations

import sys

import pytest

from nkmap.sources import admin

OFFICIAL = ("official", "de_facto_official")  # CLDR's statuses that make a language a country's own


@pytest.fixture
def fresh_admin1(monkeypatch):
    """The admin-1 label memo read again in this test, and again after it (no state leaks either way)."""

    def clear() -> None:
        admin._admin1_memo.cache_clear()
        admin._admin1_labels.cache_clear()
        admin._admin1_outline.cache_clear()

    clear()
    yield clear
    clear()


def test_home_countries_are_babels_official_territories_for_every_language():
    from babel.core import get_global

    from nkmap.recognize.language import HOME_COUNTRIES_MAX, home_countries

    table = get_global("territory_languages")
    languages = {language for spoken in table.values() for language in spoken} | {"xx", "en_US"}
    for language in sorted(languages):
        official = frozenset(
            t for t, spoken in table.items() if spoken.get(language, {}).get("official_status") in OFFICIAL
        )
        assert home_countries(language) == (official if len(official) <= HOME_COUNTRIES_MAX else frozenset()), language
    assert home_countries("tr") == {"TR", "CY"} and home_countries("") == frozenset()


def test_admin1_labels_are_built_per_country_and_only_of_that_country(fresh_admin1):
    labels, by_code, by_name, lines = admin._admin1_labels("PK")
    assert labels and {label.country for label in labels} == {"PK"}
    assert [labels[i].code for i in by_name["sindh"]] == ["PK-SD"] and set(lines) == {x.adm1_code for x in labels}
    assert admin._admin1_labels.cache_info().currsize == 1  # no other country was built
    assert admin._admin1_labels("XX") == ([], {}, {}, {})  # a country without units


def test_admin1_memo_reads_the_same_without_msgspec(fresh_admin1, monkeypatch):
    countries = ("ID", "PK", "SD", "UA", "AM")
    with_msgspec = {c: admin._admin1_labels(c) for c in countries}
    assert type(admin._admin1_memo()["ID"]).__name__ == "Raw"  # each country decoded only when asked for
    fresh_admin1()
    monkeypatch.setitem(sys.modules, "msgspec", None)  # import msgspec raises ImportError
    monkeypatch.setitem(sys.modules, "msgspec.json", None)
    assert {c: admin._admin1_labels(c) for c in countries} == with_msgspec
    assert isinstance(admin._admin1_memo()["ID"], list)


@pytest.mark.slow
def test_a_corrupt_admin1_memo_is_computed_again(fresh_admin1, monkeypatch, tmp_path):
    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    first = admin._admin1_labels("ID")
    (memo,) = (tmp_path / "admin1-labels").iterdir()
    text = memo.read_text(encoding="utf-8")
    memo.write_text(text[: len(text) // 2], encoding="utf-8")  # truncated: not JSON
    fresh_admin1()
    assert admin._admin1_labels("ID") == first
    assert memo.read_text(encoding="utf-8") == text  # and kept again, whole


def test_a_label_placed_province_covers_its_towns_through_its_countrys_outline(fresh_admin1):
    from nkmap.model import Place
    from nkmap.sources.geonames import load_geonames

    unit = admin.AdminUnit("Sindh", "province", "PK", code="PK-SD")
    label = admin.admin1_label(unit)
    assert label is not None
    container = Place(
        id="admin-PK-PK-SD",
        name="Sindh",
        lat=label.lat,
        lon=label.lon,
        kind="province",
        country="PK",
        source=f"Province PK-SD (naturalearth:admin1 {label.adm1_code}, label point)",
        origin="admin",
    )
    karachi, lahore = (
        [p for p in load_geonames().lookup(name) if p.country == "PK"][0] for name in ("Karachi", "Lahore")
    )
    assert admin.admin1_covers(container, karachi) is True and admin.admin1_covers(container, lahore) is False


def test_the_common_words_of_several_languages_are_any_of_their_lists():
    from nkmap.recognize.language import _common_words, common_in_any, zipf
    from nkmap.sources.nearmiss import COMMON_IN

    union = common_in_any(COMMON_IN)
    assert set(union.keys()) == {w for language in COMMON_IN for w in _common_words(language)}
    assert all(f > 0 for language in COMMON_IN for f in _common_words(language).values())  # so zipf() is truthy
    for word in ("window", "Fenster", "kemarin", "ventana", "Москва", "vrendoria", "Armenia"):
        assert (word.casefold() in union) == any(zipf(word, language) for language in COMMON_IN), word
    assert len(common_in_any(("xx",))) == 0 and set(common_in_any(("id", "xx"))) == set(common_in_any(("id",)))


def test_the_kept_trie_of_common_words_is_read_back_or_made_again(monkeypatch, tmp_path):
    from nkmap.recognize import language

    monkeypatch.setenv("NKMAP_CACHE_DIR", str(tmp_path))
    languages = ("id", "tr")
    language.common_in_any.cache_clear()
    try:
        made = set(language.common_in_any(languages))
        (kept,) = (tmp_path / "wordfreq-common-any").iterdir()
        language.common_in_any.cache_clear()
        assert set(language.common_in_any(languages)) == made and "kemarin" in made  # read back
        whole = kept.read_bytes()
        kept.write_bytes(whole[:100])  # cut short: not a trie
        language.common_in_any.cache_clear()
        assert set(language.common_in_any(languages)) == made
        assert kept.read_bytes() == whole  # and kept whole again
    finally:
        language.common_in_any.cache_clear()
