"""Fit the resolver's namesake-scoring weights on the dev set, and say how well they do on texts they did not see.

    python bench/fit.py [DEVSET] [--folds 5] [--rounds 2] [--write]

The weights are ``score`` in ``src/nkmap/data/resolve.json`` (the features are defined in
``nkmap/resolve/features.py``), the policy's ``big_city`` and ``small_town`` thresholds, and
``anchor_confidence`` (from which a placed weak name anchors the others). Recognition runs once; each candidate weight vector then only
re-runs resolution. The fit is a coordinate search: for each feature in turn, every value of a
small grid is tried and the best kept (ties keep the current value), for ``--rounds`` rounds.
Each weight's sign is fixed by what the feature means (see ``NEGATIVE``); only its size is fitted.
The objective, on the training articles: gold mentions found *and* resolved within 161 km,
minus false positives (the dev set's scoring, ``bench/scoring.py``).

Held-out figures are pooled over folds, each fold's articles resolved with weights fitted
without them: ``--folds`` folds by article (every article held out once), and
leave-one-topic-out (``topic`` in the dev set's ``index.csv``). They are printed beside the
current weights' figures on the same articles. ``--write`` stores the weights fitted on the
whole dev set into ``resolve.json``; do that only when the held-out figures beat the current
ones. Prints figures only (the dev-set texts are third-party: nothing of them is printed).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "src"))

import scoring  # noqa: E402

GRID = (0.0, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.6)  # magnitudes tried for each weight
# The sign of each weight is fixed, not fitted: a larger place, a named country, a near or neighbouring
# place, the primary name, a capital and the text's containment make a namesake more likely, and a
# country as its only context less. Unconstrained, 46 articles push the population prior negative (their
# misses are big foreign cities for Indonesian regencies), which would wreck every other corpus.
NEGATIVE = frozenset({"country_only"})
# The policy's population thresholds are fitted too, over these values.
POLICY_GRID = {"big_city": (50_000, 100_000, 200_000, 500_000, 1_000_000), "small_town": (0, 500, 1000, 2000, 5000)}
# ... and the confidence from which a weak name anchors the others (above 1: never).
FEATURE_GRID = {"anchor_confidence": (0.5, 0.6, 0.7, 0.8, 2.0)}
RESOLVE_JSON = REPO / "src" / "nkmap" / "data" / "resolve.json"


class Bench:
    """The dev set recognised once: resolving it again with other weights costs a fraction of a second."""

    def __init__(self, devset: Path) -> None:
        import nkmap
        from nkmap.pipeline import ScanRecognizer, default_sources

        self.golds = scoring.load_gold(devset / "gold.jsonl")
        self.index = scoring.load_index(devset / "index.csv")
        self.articles = {a.name: a for a in nkmap.read_articles([devset / "articles"])}
        self.sources = default_sources(nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER))
        recognise = ScanRecognizer(self.sources)
        self.mentions = {name: recognise(a) for name, a in self.articles.items()}
        self.data = json.loads(RESOLVE_JSON.read_text(encoding="utf-8"))

    def with_params(self, params: dict[str, float]) -> dict:
        """resolve.json's data with ``params`` ("score.near", "policy.big_city", ...) set."""
        data = {**self.data, **{k: dict(self.data[k]) for k in ("score", "policy", "features")}}
        for name, value in params.items():
            section, key = name.split(".")
            data[section][key] = value
        return data

    def start(self) -> dict[str, float]:
        return {
            **{f"score.{k}": v for k, v in self.data["score"].items()},
            **{f"policy.{k}": self.data["policy"][k] for k in POLICY_GRID},
            **{f"features.{k}": self.data["features"][k] for k in FEATURE_GRID},
        }

    def predictions(self, weights: dict[str, float], names: Sequence[str]) -> list[scoring.Pred]:
        from nkmap.resolve.resolver import Resolver
        from nkmap.resolve.scorer import ResolveSettings

        settings = ResolveSettings.from_data(self.with_params(weights))
        resolve = Resolver(self.sources, settings=settings)
        preds = []
        for name in names:
            for rm in resolve(self.articles[name], self.mentions[name]).mentions:
                m, p = rm.mention, rm.place
                kind = scoring.category_of_kind(p.kind) if p else None
                preds.append(scoring.Pred(m.article, m.start, m.end, p and p.lat, p and p.lon, kind, m.surface))
        return preds

    def rows(self, preds: list[scoring.Pred], names: Sequence[str]) -> dict[str, scoring.Row]:
        chosen = set(names)
        return scoring.score([g for g in self.golds if g.article in chosen], preds)

    def objective(self, weights: dict[str, float], names: Sequence[str]) -> float:
        r = self.rows(self.predictions(weights, names), names)["all"]
        return sum(1 for e in r.errors if e <= 161.0) - (r.fp or 0)

    def fit(self, names: Sequence[str], start: dict[str, float], rounds: int) -> dict[str, float]:
        weights = dict(start)
        best = self.objective(weights, names)
        for _ in range(rounds):
            changed = False
            for param in weights:
                section, feature = param.split(".")
                grid = {"policy": POLICY_GRID, "features": FEATURE_GRID}.get(section, {}).get(feature, GRID)
                for magnitude in grid:
                    value = -magnitude if feature in NEGATIVE else magnitude
                    if value == weights[param]:
                        continue
                    trial = {**weights, param: value}
                    got = self.objective(trial, names)
                    if got > best:
                        best, weights, changed = got, trial, True
            if not changed:
                break
        return weights


def folds_by_article(names: list[str], k: int, seed: int = 0) -> list[list[str]]:
    shuffled = sorted(names)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i::k] for i in range(k)]


def held_out(bench: Bench, folds: list[list[str]], start: dict[str, float], rounds: int) -> tuple[list, list, list]:
    """Pooled predictions of every fold with the current and with the fitted weights, and the fits."""
    names = sorted(bench.articles)
    current, fitted, fits = [], [], []
    for test in folds:
        train = [n for n in names if n not in set(test)]
        w = bench.fit(train, start, rounds)
        fits.append(w)
        current += bench.predictions(start, test)
        fitted += bench.predictions(w, test)
    return current, fitted, fits


def fmt(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def table(label: str, rows: dict[str, scoring.Row]) -> str:
    a, s = rows["all"], rows["settlement"]
    return (
        f"| {label} | {fmt(a.f1)} | {fmt(a.acc(161.0))} | {fmt(s.f1)} | {fmt(s.acc(10.0))} | "
        f"{sum(1 for e in a.errors if e <= 161.0)} | {a.fp} |"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("devset", nargs="?", default=str(REPO.parent / "shared" / "devset"))
    ap.add_argument("--folds", type=int, default=5, help="folds by article (default 5)")
    ap.add_argument("--rounds", type=int, default=2, help="coordinate-search rounds (default 2)")
    ap.add_argument("--write", action="store_true", help="store the weights fitted on the whole dev set")
    args = ap.parse_args(argv)
    devset = Path(args.devset)
    if not (devset / "gold.jsonl").is_file():
        print(f"skipped: dev set not found at {devset}")
        return 0
    began = time.perf_counter()
    bench = Bench(devset)
    start = bench.start()
    names = sorted(bench.articles)
    topics: dict[str, list[str]] = {}
    for name in names:
        topics.setdefault(bench.index.get(name, {}).get("topic", "?"), []).append(name)
    print(f"Dev set: {len(names)} articles, topics {', '.join(f'{t} ({len(a)})' for t, a in sorted(topics.items()))}")
    print("\n| held out, weights | all F1 | all Acc@161 | settlement F1 | settlement Acc@10 | correct | FP |")
    print("|---|---|---|---|---|---|---|")
    schemes = {
        f"{args.folds}-fold by article": folds_by_article(names, args.folds),
        "leave one topic out": [topics[t] for t in sorted(topics)],
    }
    for scheme, folds in schemes.items():
        current, fitted, fits = held_out(bench, folds, start, args.rounds)
        print(table(f"{scheme}, current", bench.rows(current, names)))
        print(table(f"{scheme}, fitted", bench.rows(fitted, names)))
        for i, w in enumerate(fits):
            changed = {k: v for k, v in w.items() if v != start[k]}
            print(f"<!-- {scheme} fold {i + 1}: changed {changed or 'nothing'} -->")
    whole = bench.fit(names, start, args.rounds)
    print(table("in-sample (whole dev set), fitted", bench.rows(bench.predictions(whole, names), names)))
    print(f"\nweights fitted on the whole dev set: {json.dumps(whole)}")
    print(f"current weights:                     {json.dumps(start)}")
    print(f"({time.perf_counter() - began:.0f} s; correct = found and resolved within 161 km)")
    if args.write:
        data = bench.with_params(whole)
        RESOLVE_JSON.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {RESOLVE_JSON}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
