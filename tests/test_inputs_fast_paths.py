"""Reading's fast paths answer exactly as the plain ones they replace: the language identifier's numpy
count (the same scores to the last bit), and the date and outlet patterns tried only where a match can
start (the same matches)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nkmap.inputs import dates, language, metadata

TEXTS = [
    "",
    "a",
    "ab",
    "abcde",
    "abcdef",
    "abcdefg",
    "Warga mengungsi dari desa itu setelah banjir merendam rumah mereka sejak Senin pagi.",
    "The ferry left the harbour late on Sunday because of the storm over the strait.",
    "Les habitants ont quitté la ville après les inondations de la semaine dernière.",
    "Вода в реке поднялась за ночь и дошла до окраин города, сообщили жители.",
    "Çay gece boyunca yükseldi ve pazartesi günü şehrin kenar mahallelerine ulaştı.",
    "ΤΟ ΠΛΟΙΟ ΕΦΥΓΕ ΑΡΓΑ ΤΗΝ ΚΥΡΙΑΚΗ",  # all upper case: py3langid lower-cases it first
    "東京で大雨が降り、川の水位が上がった。住民は避難した。",
    "Banjir merendam ratusan rumah.\r\n\r\nWarga mengungsi ke masjid di kampung sebelah. " * 20,
]


def _py3langid_scores(identifier, text: str):
    """py3langid's own answer: its byte-by-byte walk and its float16 scoring."""
    from py3langid.langid import visit_counts

    encoded = identifier._encode(text)
    visits = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, encoded)
    if not visits:
        return np.zeros(len(identifier.nb_classes), dtype=np.float32)
    return identifier._sparse_score(visits, identifier.nb_ptc)


def test_the_numpy_count_scores_exactly_as_py3langid():
    identifier = language._identifier()
    assert type(identifier).__name__ == "Counting", "the fast identifier is the one in use"
    rng = random.Random(7)
    noise = [
        "".join(rng.choice("aeiou ntrskdlmgbhyw.,ÄÖéçñ\n") for _ in range(rng.randint(1, 2000))) for _ in range(60)
    ]
    for text in TEXTS + noise + [t[:n] for t in TEXTS for n in (language.SAMPLE, language.LONG_SAMPLE)]:
        mine = identifier._raw_score(identifier._encode(text))
        theirs = _py3langid_scores(identifier, text)
        assert mine.dtype == theirs.dtype and np.array_equal(mine, theirs), text[:40]
        assert identifier.classify(text) == _classify_plainly(identifier, text)


def _classify_plainly(identifier, text: str):
    import math

    scores = _py3langid_scores(identifier, text)
    encoded = identifier._encode(text)
    scores *= 1.0 / math.sqrt(len(encoded) or 1)
    np.exp(scores - scores.max(), out=scores)
    scores /= scores.sum()
    for i, j in identifier._alias_pairs:
        scores[i] += scores[j]
        scores[j] = 0.0
    best = int(scores.argmax())
    return identifier.nb_classes[best], float(scores[best])


def test_random_bytes_count_as_py3langid_counts():
    from py3langid.langid import visit_counts

    identifier = language._identifier()
    rng = np.random.default_rng(3)
    for size in [1, 2, 5, 6, 7, 64, 700, 3000]:
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        visits = visit_counts(identifier.tk_nextmove, identifier._rowbase, identifier.tk_output, data)
        expected = identifier._sparse_score(visits, identifier.nb_ptc) if visits else np.zeros(1, np.float32)
        got = identifier._raw_score(data)
        assert np.array_equal(got, expected) if visits else not got.any()


@pytest.mark.slow
def test_the_automaton_forgets_its_start_within_the_window():
    """The proof WINDOW rests on: from every pair of states, every byte string of WINDOW bytes leads both
    to one state (pairs that differ are followed byte by byte until none is left)."""
    from importlib.metadata import version

    identifier = language._identifier()
    window = language.WINDOW.get(version("py3langid"))
    assert window, f"py3langid {version('py3langid')} is not listed in nkmap.inputs.language.WINDOW: prove it here"
    moves = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32).astype(np.int64)
    rows = np.asarray(identifier._rowbase, dtype=np.int64)
    states = len(rows)
    a, b = np.arange(states, dtype=np.int64), np.zeros(states, dtype=np.int64)  # (any state, the start)
    for _ in range(window):
        parts = [np.zeros(0, dtype=np.int64)]
        for byte in range(256):
            x, y = moves[rows[a] + byte], moves[rows[b] + byte]
            apart = x != y
            parts.append(x[apart] * states + y[apart])
            if len(parts) > 32:  # keep memory bounded: the distinct pairs so far
                parts = [np.unique(np.concatenate(parts))]
        keys = np.unique(np.concatenate(parts))
        a, b = keys // states, keys % states
    assert len(a) == 0, f"{len(a)} pairs of states still apart after {window} bytes"


PIECES = [
    "Rabu",
    "rabu",
    "RABU",
    "Jum'at",
    "xSenin",
    "Senin",
    " ",
    "  ",
    "\n",
    "\u00a0",
    "(",
    ")",
    "/",
    "4",
    "11",
    "2020",
    "12345",
    "Oct",
    "oct.",
    "OKTOBER",
    "October",
    "17",
    "17th",
    "ST",
    ",",
    ".",
    "a",
    "May",
    "mayo",
    "ſt",
    "Sept",
    "-",
    "1999",
    "2020-11-04",
    "MOSCOW, ",
    "\n\n",
    "Ä",
    "Nov",
]


def _spans(matches):
    return [(m.span(), m.groups()) for m in matches]


def test_dates_are_found_where_the_plain_patterns_find_them():
    rng = random.Random(11)
    texts = [
        "JAKARTA - Warga kampung itu, Rabu (4/11/2020), mengungsi. Kamis (5/11) hujan reda.",
        "Published October 17, 2020 and updated Oct. 18 2020; see also May 5th, 2019 and sept 9 2021.",
        "Senin  \n (28/09) lalu, banjir. Selasa(29/09/2020) surut.",
        "MOSCOW, November 15. /TASS/. The talks\nBAKU, 25 Nov 2020 (Reuters) -\n 4/11/2020 and 2020-11-04, 12 Mei 2021",
    ] + ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))) for _ in range(20_000)]
    marked = dates._matches_from
    for text in texts:
        assert _spans(dates._lead_dates(text)) == _spans(dates._LEAD_DATE.finditer(text)), text
        assert _spans(dates._month_day_years(text)) == _spans(dates._MONTH_DAY_YEAR.finditer(text)), text
        day_first = (m.start() for m in dates._DAY_MONTH_MARK.finditer(text))
        assert _spans(marked(dates._DAY_MONTH_YEAR, text, day_first)) == _spans(dates._DAY_MONTH_YEAR.finditer(text))
        assert _spans(marked(dates._NUMERIC, text, dates._numeric_starts(text))) == _spans(
            dates._NUMERIC.finditer(text)
        ), text
        lines = dates._upper_line_starts(text)
        assert _spans(marked(dates._DATELINE_DATE, text, lines)) == _spans(dates._DATELINE_DATE.finditer(text)), text


def test_the_outlet_is_the_first_domain_the_plain_search_finds():
    rng = random.Random(5)
    pieces = ["a", "x" * 63, "x" * 64, "-", ".", ".com", ".COM", ".co.id", ".id", "id", " ", ".news", "é", "_", "1"]
    texts = ["lihat (voa-islam.com) hari ini", "x" * 64 + ".com", "SERAMBINEWS.COM, MOSKWA - Warga"] + [
        "".join(rng.choice(pieces) for _ in range(rng.randint(1, 25))) for _ in range(20_000)
    ]
    for text in texts:
        plain = metadata._DOMAIN.search(text)
        assert metadata.find_outlet(text) == (plain.group(0) if plain else ""), text


def test_shared_counts_what_intersect1d_finds():
    from nkmap.inputs.duplicates import _shared

    rng = np.random.default_rng(9)
    for size_a, size_b in [(0, 0), (0, 5), (5, 0), (1, 1), (40, 300), (300, 40), (1000, 1000)]:
        a = np.unique(rng.integers(0, 2000, size_a, dtype=np.uint64))
        b = np.unique(rng.integers(0, 2000, size_b, dtype=np.uint64))
        assert _shared(a, b) == len(np.intersect1d(a, b, assume_unique=True))
