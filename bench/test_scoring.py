"""The matching and scoring rules of the dev-set README, on tiny hand-made examples.

Run: ``python -m pytest bench/test_scoring.py``. No dev-set text is used here.
"""

import math

import pytest
from scoring import (
    Gold,
    Pred,
    category_of_kind,
    error_km,
    haversine_km,
    match,
    match_article,
    row,
    score,
)

A = "a.txt"
# "Troops left Baku for Ganja, Azerbaijan." (a sentence written for this test)
BAKU = (40.37767, 49.89201)
GANJA = (40.68278, 46.36056)


def g(start, end, cat="settlement", pt=BAKU, **kw):
    return Gold(A, start, end, "", cat, pt[0], pt[1], **kw)


def p(start, end, pt=BAKU, cat=None):
    lat, lon = pt if pt else (None, None)
    return Pred(A, start, end, lat, lon, cat)


def test_exact_match_is_tp():
    s = score([g(12, 16)], [p(12, 16)])["all"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)
    assert s.precision == s.recall == s.f1 == 1.0
    assert s.acc(10) == 1.0 and s.median_km == 0.0


def test_partial_overlap_is_enough():
    s = score([g(12, 16)], [p(10, 14)])["all"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def test_touching_spans_do_not_overlap():
    s = score([g(12, 16)], [p(16, 20)])["all"]
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_different_articles_never_match():
    s = score([g(12, 16)], [Pred("b.txt", 12, 16, *BAKU)])["all"]
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)


def test_prediction_covering_two_golds_pairs_with_one():
    # gold "Baku" [0,4) and "Ganja" [6,11); one prediction over "Baku, Ganja" [0,11)
    golds = [g(0, 4), g(6, 11, pt=GANJA)]
    s = score(golds, [p(0, 11, pt=GANJA)])["all"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 1)
    # it pairs with the longer overlap: Ganja (5 chars) over Baku (4)
    pairs = match_article(golds, [p(0, 11)])
    assert pairs == [(1, 0)]


def test_greedy_longest_overlap_first_then_start_difference():
    golds = [g(0, 10)]
    preds = [p(0, 3), p(2, 10)]  # overlaps 3 and 8: the second wins
    assert match_article(golds, preds) == [(0, 1)]
    preds = [p(0, 4), p(6, 10)]  # equal overlap 4: smaller start difference wins
    assert match_article(golds, preds) == [(0, 0)]
    s = score(golds, preds)["all"]
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)


def test_one_to_one_second_prediction_on_same_gold_is_fp():
    s = score([g(0, 4)], [p(0, 4), p(0, 4)])["all"]
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)


def test_optional_gold_pair_is_neither_tp_nor_fp():
    s = score([g(0, 4, optional=True)], [p(0, 4)])["all"]
    assert (s.tp, s.fp, s.fn) == (0, 0, 0)


def test_optional_gold_missed_is_not_fn():
    s = score([g(0, 4, optional=True), g(10, 14)], [p(10, 14)])["all"]
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)


def test_unpaired_prediction_overlapping_optional_is_ignored():
    # two predictions on one optional gold: one pairs (dropped), the other is unpaired
    # but overlaps the optional mention, so it is ignored too
    m = match([g(0, 10, optional=True)], [p(0, 4), p(5, 10)])
    assert m.fp == [] and m.tp == [] and len(m.ignored) == 2


def test_optional_gold_can_take_a_prediction_from_a_required_one():
    # greedy matching includes optional golds: the longer overlap wins
    golds = [g(0, 8, optional=True), g(6, 12)]
    s = score(golds, [p(0, 8)])["all"]
    assert (s.tp, s.fp, s.fn) == (0, 0, 1)


def test_approx_counts_for_recognition_not_resolution():
    golds = [g(0, 4, approx=True), g(10, 15, pt=GANJA)]
    s = score(golds, [p(0, 4, pt=GANJA), p(10, 15, pt=GANJA)])["all"]
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.pairs == 1 and s.acc(10) == 1.0


def test_alt_point_is_accepted():
    gd = g(0, 4, pt=(40.1, 47.6), alt=(BAKU,))  # centroid, capital as alt
    assert error_km(gd, p(0, 4)) == 0.0
    assert error_km(gd, p(0, 4, pt=(40.1, 47.6))) == 0.0


def test_unresolved_match_is_infinite_error():
    golds = [g(0, 4), g(10, 14), g(20, 24)]
    preds = [p(0, 4, pt=None), p(10, 14, pt=None), p(20, 24)]
    s = score(golds, preds)["all"]
    assert s.tp == 3 and s.pairs == 3 and s.unresolved == 2
    assert s.acc(161) == pytest.approx(1 / 3)
    assert math.isinf(s.median_km)


def test_haversine_known_distance():
    # Baku to Ganja, about 300 km; one degree of latitude = R * pi / 180
    assert 290 < haversine_km(*BAKU, *GANJA) < 310
    assert haversine_km(0, 0, 1, 0) == pytest.approx(6371.0088 * math.pi / 180)


def test_thresholds_are_inclusive():
    d = haversine_km(0, 0, 1, 0)  # ~111.2 km
    s = score([Gold(A, 0, 4, "", "settlement", 0, 0)], [Pred(A, 0, 4, 1, 0)])["all"]
    assert s.acc(161) == 1.0 and s.acc(10) == 0.0
    assert s.median_km == pytest.approx(d)


def test_settlement_row():
    golds = [g(0, 4), g(10, 17, cat="country", pt=GANJA), g(20, 25)]
    preds = [
        p(0, 4, cat="settlement"),  # TP settlement
        p(10, 17, cat="settlement"),  # paired with a country: not a settlement FP
        p(30, 35, cat="settlement"),  # unpaired, labelled settlement: FP
        p(40, 45, cat="country"),  # unpaired, labelled country: FP in "all" only
    ]
    r = score(golds, preds)
    assert (r["all"].tp, r["all"].fp, r["all"].fn) == (2, 2, 1)
    st = r["settlement"]
    assert (st.tp, st.fp, st.fn) == (1, 1, 1)
    assert st.precision == 0.5 and st.recall == 0.5
    # a system that does not label: no settlement precision
    st = row(match(golds, preds), "settlement", labelled=False)
    assert st.fp is None and st.precision is None and st.f1 is None and st.recall == 0.5


def test_category_of_kind():
    assert [category_of_kind(k) for k in ("city", "town", "village")] == ["settlement"] * 3
    assert category_of_kind("country") == "country"
    assert category_of_kind("district") == "region"
    assert category_of_kind(None) is None


def test_fit_folds_hold_every_article_out_exactly_once():
    import fit

    names = [f"d{i:02d}.txt" for i in range(1, 47)]
    folds = fit.folds_by_article(names, 5)
    assert len(folds) == 5 and sorted(n for f in folds for n in f) == names
    assert max(map(len, folds)) - min(map(len, folds)) <= 1
    assert folds == fit.folds_by_article(list(reversed(names)), 5)  # the same folds whatever the order given


def test_fit_fixes_the_sign_of_every_feature_weight():
    import json

    import fit

    weights = json.loads(fit.RESOLVE_JSON.read_text(encoding="utf-8"))["score"]
    for name, weight in weights.items():
        assert (weight <= 0) if name in fit.NEGATIVE else (weight >= 0), name
    assert all(g >= 0 for g in fit.GRID)
