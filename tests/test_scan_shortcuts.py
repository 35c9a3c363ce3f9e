"""The recogniser's shortcuts give what the plain scans they replace give, offset for offset.

Each shortcut (a pattern led differently, an answer read around one offset instead of a scan of the whole
text, a remembered answer) is compared with the plain form, written out here, on texts made at random from
place words, capitals, spaces and punctuation, and on sentences written for this test.
"""

from __future__ import annotations

import random
import re

import pytest

from nkmap.recognize import scan as S

RULES = S.RecognitionRules.default()
# The plain form of the sentence-end pattern: the ends of its matches are the sentence starts.
PLAIN_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)\]]*\s+|\n+")
WORDS = [
    "desa", "Desa", "kota", "Kota", "city", "of", "Of", "the", "town", "near", "village", "villages", "gunung", "Gunung",
    "GUNUNG", "danau", "Danau", "Lake", "lake", "bay", "Bay", "g", "G", "g.", "G.", "dataran", "tinggi", "Tinggi",
    "sea", "Sungai", "sungai", "River", "river", "X", "Ruang", "(desa", "x", "село", "Село", "ibu", "provincia", "de",
    "l'armée", "armée", "Armée", "’s", "al-Mawasi", "Ağdam", "e\u0301", "1999", "Semeru",
]  # fmt: skip
SEPARATORS = [" ", "  ", "\u00a0", " \u00a0 ", ", ", ". ", "! ", '." ', "\n", "\n\n ", "-", "", "…) "]
WRITTEN = [
    "The village of Sukamaju lies near the town of Pleasantville, by Danau Gunung Semeru.",
    "Warga desa Sukamaju dan kota Batu mengungsi ke Gunung Api; G. Ruang meletus lagi.",
    "Dataran Tinggi Dieng is cold. The town Of Nowhere is made up!\n\nLake Toba, Indus River.",
    "near the" + " " * 300 + "town of Gaza",
    "desa" + "\u00a0" * 260 + "Kota",
]


def texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    made = ["".join(rng.choice(WORDS) + rng.choice(SEPARATORS) for _ in range(rng.randint(1, 12))) for _ in range(n)]
    return WRITTEN + made


@pytest.mark.parametrize("seed", [1, 2])
def test_place_and_feature_word_ends_are_the_word_led_scans(seed):
    place = S._place_word_ends(RULES.place_triggers)
    feature = S._feature_before_ends(RULES.feature_before)
    assert place.local and feature.local  # today's lists allow the reading around an offset
    led = [
        (place, S._place_word_pattern(RULES.place_triggers)),
        (feature, S._feature_before_pattern(RULES.feature_before)),
    ]
    for text in texts(seed, 3000):
        for ends, pattern in led:
            assert sorted(ends.ends(text)) == [m.end() for m in pattern.finditer(text)], text


@pytest.mark.parametrize("seed", [3, 4])
def test_after_place_word_is_membership_of_the_whole_text_scan(seed):
    for text in texts(seed, 2000):
        whole = S._Scan(text, RULES).after_place_words()
        scan = S._Scan(text, RULES)
        differ = [c for c in range(len(text) + 1) if scan.after_place_word(c) != (c in whole)]
        assert not differ, (text, differ)


def test_sentence_starts_are_those_of_the_plain_pattern():
    for text in texts(5, 3000):
        assert S._sentence_starts(text) == [0, *(m.end() for m in PLAIN_SENTENCE_END.finditer(text))], text


def test_lower_case_words_are_read_at_their_occurrences():
    for text in texts(6, 3000):
        words = set(S._LOWER_WORD.findall(text))
        for surface in ("Desa", "Kota", "Armée", "Lake", "Of", "Sungai", "Tinggi"):
            scan = S._Scan(text, RULES)
            assert scan.written_in_lower_case(surface) == (surface.lower() in words), (text, surface)


def test_many_occurrences_fall_back_to_the_word_set():
    text = "Kota " + "kotamadya " * (S.LOWER_LOOKS + 5) + "dan kota."
    scan = S._Scan(text, RULES)
    assert scan.written_in_lower_case("Kota") and scan._lowercase is not None
    assert not S._Scan("Kota " + "kotamadya " * (S.LOWER_LOOKS + 5), RULES).written_in_lower_case("Kota")


def test_feature_after_is_the_pattern_matched_at_the_offset():
    pattern = S._feature_after_pattern(RULES.feature_after)
    for text in [*texts(7, 1500), "Great Salt Lake City", "the Great Salt Lake River and Indus River Valley"]:
        scan = S._Scan(text, RULES)
        for c in range(len(text) + 1):
            got, want = scan.feature_after(c), pattern.match(text, c)
            assert (got and got.span()) == (want and want.span()), (text, c)


def test_an_index_remembers_what_it_would_answer():
    index = S.NameIndex(folded=["nusa tenggara timur", "sukamaju"], exact=["US"], weak=None)
    for surface in ("Sukamaju", "SUKAMAJU", "Nusa Tenggara Timur", "Nusa Tenggara", "US", "Us", "Pleasantville"):
        want = (index._tier(surface), S.name_key(surface), index.is_admin(S.name_key(surface)))
        assert index.span(surface) == want == index.span(surface)
    words = ["Nusa", "Sukamaju", "US", "Pleasantville", "Nusa"]
    assert index.word_infos(words) == [index.word_info(w) for w in words]
    assert index.word_infos(words) == [S.LONGER, S.NAME, S.NAME, 0, S.LONGER]


@pytest.mark.slow
@pytest.mark.parametrize("word", ["Jawa", "Sudan", "Kecamatan", "Zzyzx", "South", "Papua"])
def test_start_flags_say_what_the_word_alone_and_the_longer_names_are(word):
    import nkmap
    from nkmap.pipeline import ScanRecognizer, default_sources

    names = ScanRecognizer(default_sources(nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER))).names
    (flags,) = names.start_flags([word])
    key = S.name_key(word)
    countries = names.country_source.names().folded
    assert bool(flags & S.ADMIN_NAME) == (key in names.admin)
    assert bool(flags & S.ADMIN_LONGER) == names.admin.starts_longer(key)
    assert bool(flags & S.COUNTRY_NAME) == (key in countries)
    assert bool(flags & S.COUNTRY_LONGER) == any(k.startswith(key + " ") for k in countries)


def test_feature_after_pattern_taking_letters_possessively_matches_as_the_plain_pattern():
    possessive = S._feature_after_pattern(RULES.feature_after)
    assert "*+" in possessive.pattern
    plain = re.compile(possessive.pattern.replace("*+", "*"))
    for text in texts(5, 3000) + ["Danau Toba lake", "Indus River Delta river", "Sungai Kapuas-Hulu Lake Poso"]:
        want = [(m.span(), m.group(1)) for m in plain.finditer(text)]
        assert [(m.span(), m.group(1)) for m in possessive.finditer(text)] == want, text


def test_next_word_starts_only_at_a_joiner():
    # the scans skip _NEXT_WORD where the character is no joiner: it could not match there
    for text in texts(6, 1500):
        for i in range(len(text) + 1):
            if text[i : i + 1] not in S._JOINERS:
                assert S._NEXT_WORD.match(text, i) is None, (text, i)


def test_written_in_lower_case_asked_again_gives_the_same_answer():
    text = "Batu di kota Batu. Warga membawa batu ke Malang; Malang tenang, Sungai meluap di sungai Brantas."
    for word in ("Batu", "Malang", "Sungai", "Brantas"):
        fresh = S._Scan(text, RULES).written_in_lower_case(word)
        scan = S._Scan(text, RULES)
        assert [scan.written_in_lower_case(word) for _ in range(3)] == [fresh] * 3
    assert S._Scan(text, RULES).written_in_lower_case("Batu") and not S._Scan(text, RULES).written_in_lower_case(
        "Malang"
    )


def _weak_index(*keys: str) -> S.NameIndex:
    from nkmap.sources.base import SortedKeys

    return S.NameIndex(weak=SortedKeys(keys), weak_max_words=3)


def test_a_surface_verdict_is_what_place_check_says_in_every_context():
    # The shortcut turns a weak name down on its surface alone, before the words around it are read: in each
    # context place_check must turn it down with that reason, and a name the surface lets pass is read on.
    contexts = ["{} lies here.", "Warga desa {} mengungsi.", "the town of {} said", "Presiden {} (34) tiba.", "{}"]
    surfaces = {"The": S.Reason.STOP_WORD, "Ab": S.Reason.TOO_SHORT, "Armenian": S.Reason.DEMONYM}
    surfaces |= {"Sukamaju Desa": S.Reason.STOP_WORD, "Sukamaju": None, "Nusa Tenggara": None}
    for surface, reason in surfaces.items():
        for context in contexts:
            text = context.format(surface)
            scan = S._Scan(text, RULES)
            start = text.index(surface)
            assert scan.surface_verdict(surface)[0] is reason
            assert scan.surface_verdict(surface) == scan._surface_verdict(surface)  # remembered: the same answer
            trigger, previous = scan.trigger_before(start)
            if reason is not None:
                assert scan.place_check(start, start + len(surface), trigger, previous) is None
                assert scan.why is reason, (surface, context)
    assert S._Scan("x", RULES).surface_verdict("Sukamaju")[1] and not S._Scan("x", RULES).surface_verdict("Nusa Dua")[1]


def test_a_weak_name_its_surface_turns_down_is_reported_with_that_reason():
    # "Sukamaju Desa" (weak, its last word a stop word) is turned down whole, with the reason, unless a
    # shorter name stands in it ("Sukamaju")
    text = "Warga Sukamaju Desa pergi ke desa Pleasantville."
    article = S.Article("a.txt", "a.txt", text)
    mentions, dropped = S.find_candidates(article, _weak_index("sukamaju desa", "pleasantville"), RULES)
    assert [m.surface for m in mentions] == ["Pleasantville"]
    assert [(d.mention.surface, d.reason) for d in dropped] == [("Sukamaju Desa", S.Reason.STOP_WORD)]
    mentions, dropped = S.find_candidates(article, _weak_index("sukamaju desa", "sukamaju", "pleasantville"), RULES)
    assert [m.surface for m in mentions] == ["Sukamaju", "Pleasantville"] and not dropped


def _plain_anchored(scan: S._Scan) -> set[int]:
    """admin_anchored's first tally written unit by unit (the form it replaces), then the same growth."""
    names, admin = scan.names, scan.names.admin
    present: dict[int, bool] = {}
    for start, end in scan._admin_spans():
        surface = scan.text[start:end]
        key = S.name_key(surface)
        word = scan.admin_word_near(start, end)
        for u, level, country in names.admin_levels(key):
            own = bool(word)
            if not word and level in ("province", "regency"):
                common = scan.common_word(surface) or (surface.isupper() and len(surface) <= 4)
                home = S.home_countries(scan.language)
                own = " " in key or not common or country in home or country in scan.article_countries()
            present[u] = present.get(u, False) or own
    anchored = {u for u, own in present.items() if own}
    grown = True
    while grown:
        above = {a for u in anchored for a in admin.ancestry(u)}
        grown = {
            u
            for u in present
            if u not in anchored
            and (u in above or not anchored.isdisjoint(admin.ancestry(u)))
            and not scan.hierarchy_common_word(admin.unit(u).name)
        }
        anchored |= grown
    return anchored


@pytest.mark.slow
def test_the_areas_an_article_anchors_are_those_of_the_unit_by_unit_tally():
    from nkmap.sources.admin import load_admin
    from nkmap.sources.countries import CountryNames
    from nkmap.sources.geonames import load_geonames

    names = S.NameIndex.from_sources(CountryNames((), load_geonames()), load_admin())
    written = [
        "Warga Desa Sukamaju di Kecamatan Cibeber, Kabupaten Cianjur, Jawa Barat mengungsi ke Cianjur.",
        "Banjir melanda Kabupaten Bandung. Di Bandung, warga Baleendah dan Dayeuhkolot mengungsi.",
        "Puncak dan Bogor macet; di Papua, Jayapura dan Sentani hujan. Aceh, Sumatra Utara, Medan.",
        "The governor of Sindh province met officials in Karachi, Hyderabad and Sukkur in Pakistan.",
        "Sukamaju, Cibeber and Papua: a list of names with no word around them, in English.",
    ]
    for language in ("id", "en", ""):
        for text in written:
            scan = S._Scan(text, RULES, language, names)
            assert scan.admin_anchored() == _plain_anchored(S._Scan(text, RULES, language, names)), text
    scan = S._Scan(written[0], RULES, "id", names)
    assert scan.admin_anchored()  # the sentences do anchor some areas: the comparison is not of empty sets


def test_a_curated_word_alone_is_found_as_the_longest_name_finds_it():
    # find_candidates takes a curated name of one word (NAME: no longer name, no glued part) without asking
    # _longest_name, unless a feature's name starts or runs over it: what _longest_name would answer there
    index = S.NameIndex(folded=["sukamaju", "toba", "pleasantville"])
    texts = [
        "Sukamaju, 3 Mei - Warga Sukamaju pergi ke Pleasantville.",
        "Warga melihat Toba Lake dari Sukamaju; Danau Toba tenang.",
        "PLEASANTVILLE - The town of Pleasantville by the Sukamaju River.",
    ]
    for text in texts:
        article = S.Article("a.txt", "a.txt", text)
        mentions, _ = S.find_candidates(article, index, RULES)
        scan = S._Scan(text, RULES, "", index, S.dateline_of(article)[1])
        want = []
        for m in S._CAPITALISED.finditer(text):
            if want and m.start() < want[-1][1]:
                continue
            if index.word_info(m.group()) and (
                span := S._longest_name(scan, m.start(), m.end(), index, index.word_info(m.group()))
            ):
                want.append(span)
        assert [(m.start, m.end, m.evidence) for m in mentions] == want, text
    mentions, _ = S.find_candidates(S.Article("a.txt", "a.txt", texts[1]), index, RULES)
    assert "Toba Lake" in [m.surface for m in mentions] and "Sukamaju" in [m.surface for m in mentions]
    mentions, _ = S.find_candidates(S.Article("a.txt", "a.txt", texts[2]), index, RULES)
    assert mentions[0].evidence.cue is S.Cue.DATELINE and mentions[0].surface == "PLEASANTVILLE"


def test_the_steps_a_run_of_names_remembers_are_those_read_afresh():
    # _longest_name and _admin_spans share each step of a run (the end of the next word of a name): every
    # remembered step is what _name_word_after reads there, and the names found are those of a fresh scan
    index = S.NameIndex(folded=["nusa tenggara timur", "nusa dua", "mocimboa da praia", "rostov-on-don"])
    for text in [*texts(10, 1500), "Di Nusa Tenggara Timur, Nusa Dua dan Mocímboa da Praia; Rostov-on-Don."]:
        scan = S._Scan(text, RULES, "", index)
        spans = [S._longest_name(scan, m.start(), m.end(), index, S.LONGER | S.NAME) for m in scan.capitalised()]
        for pos, step in scan.steps.items():
            assert step == S._name_word_after(text, pos, RULES.particles), (text, pos)
        fresh = S._Scan(text, RULES, "", index)
        assert spans == [
            S._longest_name(fresh, m.start(), m.end(), index, S.LONGER | S.NAME) for m in fresh.capitalised()
        ]
    scan = S._Scan("Di Nusa Tenggara Timur hujan.", RULES, "", index)
    assert S._longest_name(scan, 3, 7, index, S.LONGER | S.NAME)[:2] == (3, 22) and scan.steps


def test_what_a_word_before_a_capital_may_end_is_remembered_as_computed():
    place, feature = S._place_word_ends(RULES.place_triggers), S._feature_before_ends(RULES.feature_before)
    for text in texts(11, 800):
        scan = S._Scan(text, RULES)
        first = [scan.after_place_word(c) for c in range(len(text) + 1)]
        assert first == [scan.after_place_word(c) for c in range(len(text) + 1)]  # asked again: from the memo
    remembered = S._rules_memo(RULES, "befores")
    assert remembered and ("desa" in remembered or "Desa" in remembered)
    for word, (in_place, in_feature) in remembered.items():
        assert in_place == (place.form(word) in place.last_words) and in_feature == (
            feature.form(word) in feature.last_words
        )


def test_evidence_is_one_object_per_cue_and_word():
    made = S._evidence(S.Cue.PLACE_WORD, "desa")
    assert made == S.Evidence(S.Cue.PLACE_WORD, "desa") and S._evidence(S.Cue.PLACE_WORD, "desa") is made
    assert S._evidence(S.Cue.DATELINE) == S.Evidence(S.Cue.DATELINE) != made
    index = S.NameIndex(folded=["sukamaju"])
    text = "SUKAMAJU - Warga desa Pleasantville dan desa Sukamulya mengungsi."
    mentions, _ = S.find_candidates(S.Article("a.txt", "a.txt", text), index, RULES)
    assert [(m.surface, m.evidence) for m in mentions] == [
        ("SUKAMAJU", S.Evidence(S.Cue.DATELINE)),
        ("Pleasantville", S.Evidence(S.Cue.PLACE_WORD, "desa")),
        ("Sukamulya", S.Evidence(S.Cue.PLACE_WORD, "desa")),
    ]
    assert mentions[1].evidence is mentions[2].evidence
