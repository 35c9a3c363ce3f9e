"""Recognition and resolution quality on the hand-annotated dev set: nkmap vs geotext vs flashgeotext.

    python bench/quality.py [DEVSET] [--systems nkmap,geotext,flashgeotext] [--show-errors nkmap]

DEVSET defaults to ``../shared/devset`` relative to the repository root. The dev-set texts
are third-party material: this script reads them at run time and prints figures only
(``--show-errors`` prints short surfaces from the texts to the terminal: do not commit that).
Scoring rules: ``bench/scoring.py`` (as defined in the dev set's README).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import scoring  # noqa: E402
from scoring import Gold, Pred, Row  # noqa: E402

SYSTEMS = ("nkmap", "geotext", "flashgeotext")


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def import_nkmap():
    """nkmap from ``src/`` of this checkout when it has one, else as installed."""
    if (REPO / "src" / "nkmap" / "__init__.py").is_file():
        sys.path.insert(0, str(REPO / "src"))
    import nkmap

    return nkmap


# ------------------------------------------------------------------ systems


def run_nkmap(articles_dir: Path, texts: dict[str, str]) -> list[Pred]:
    nkmap = import_nkmap()
    missing = [n for n in ("read_articles", "geoparse") if not hasattr(nkmap, n)]
    if missing:
        raise RuntimeError(f"nkmap has no {', '.join(missing)} yet")
    articles = nkmap.read_articles([str(articles_dir)])
    kw = {}
    if hasattr(nkmap, "load_gazetteer") and hasattr(nkmap, "DEFAULT_GAZETTEER"):
        kw["gazetteer"] = nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER)
    result = nkmap.geoparse(articles, **kw)
    for a in articles:  # offsets must index the same text the gold indexes
        if a.name in texts and a.text != texts[a.name]:
            print(f"warning: nkmap read {a.name} differently from the dev set file", file=sys.stderr)
    preds = []
    for rm in result.mentions:
        m, pl = rm.mention, rm.place
        preds.append(
            Pred(
                m.article,
                m.start,
                m.end,
                pl.lat if pl else None,
                pl.lon if pl else None,
                scoring.category_of_kind(pl.kind) if pl else None,
                m.surface,
            )
        )
    return preds


def run_peer(name: str, texts: dict[str, str]) -> list[Pred]:
    import peers

    find = peers.PEERS[name]
    resolver = peers.resolver()
    preds = []
    for art, text in texts.items():
        for m in find(text):
            pt = resolver.resolve(m)
            preds.append(Pred(art, m.start, m.end, pt[0] if pt else None, pt[1] if pt else None, m.label, m.surface))
    return preds


# ------------------------------------------------------------------ output


def slices(index: dict[str, dict[str, str]]) -> list[tuple[str, set[str]]]:
    """The dev-set slices: each topic, each language, and "other" texts by language (id+other = regional news)."""
    groups: dict[str, set[str]] = {}
    for art, rec in index.items():
        groups.setdefault(f"topic={rec['topic']}", set()).add(art)
        groups.setdefault(f"lang={rec['language']}", set()).add(art)
        if rec["topic"] != "karabakh":
            groups.setdefault(f"topic={rec['topic']} lang={rec['language']}", set()).add(art)
    order = sorted(groups, key=lambda k: (not k.startswith("topic"), " " in k, k))
    return [(k, groups[k]) for k in order]


def fmt_pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}"


def fmt_km(x: float | None) -> str:
    if x is None:
        return "–"
    if math.isinf(x):
        return "inf"
    return f"{x:.1f}" if x < 100 else f"{x:.0f}"


HEADER = "| system | row | P | R | F1 | Acc@161km | Acc@10km | median km | TP | FP | FN | pairs scored | unresolved |"
RULE = "|" + "---|" * 13


def table_row(*labels_and_row: str | Row) -> str:
    *labels, r = labels_and_row
    assert isinstance(r, Row)
    fp = "–" if r.fp is None else str(r.fp)
    return (
        "| " + " | ".join(map(str, labels)) + f" | {fmt_pct(r.precision)} | {fmt_pct(r.recall)} | "
        f"{fmt_pct(r.f1)} | {fmt_pct(r.acc(161))} | {fmt_pct(r.acc(10))} | "
        f"{fmt_km(r.median_km)} | {r.tp} | {fp} | {r.fn} | {r.pairs} | {r.unresolved} |"
    )


def show_errors(system: str, golds: list[Gold], preds: list[Pred]) -> None:
    m = scoring.match(golds, preds)
    print(f"\n### {system}: errors (surfaces from the dev set: do not commit)\n")
    for p in sorted(m.fp, key=lambda p: (p.article, p.start)):
        print(f"FP   {p.article} {p.start}-{p.end} {p.surface!r} {p.category}")
    for g in sorted(m.fn, key=lambda g: (g.article, g.start)):
        print(f"FN   {g.article} {g.start}-{g.end} {g.surface!r} {g.category}")
    for g, p in sorted(m.tp, key=lambda x: (x[0].article, x[0].start)):
        if g.approx:
            continue
        e = scoring.error_km(g, p)
        if e > 161:
            print(f"FAR  {g.article} {g.start}-{g.end} {g.surface!r} -> {fmt_km(e)} km ({g.name})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "devset",
        nargs="?",
        default=str(REPO.parent / "shared" / "devset"),
        help="dev-set folder (default: ../shared/devset from the repo root)",
    )
    ap.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated, from: " + ", ".join(SYSTEMS))
    ap.add_argument(
        "--show-errors",
        metavar="SYSTEM",
        action="append",
        default=[],
        help="list FP/FN/far-off mentions of SYSTEM (prints dev-set surfaces)",
    )
    ap.add_argument("--write", metavar="PATH", help="also save the tables (figures only) as Markdown")
    args = ap.parse_args(argv)

    devset = Path(args.devset)
    if not (devset / "gold.jsonl").is_file() or not (devset / "articles").is_dir():
        print(f"skipped: dev set not found at {devset}")
        return 0
    golds = scoring.load_gold(devset / "gold.jsonl")
    index = scoring.load_index(devset / "index.csv") if (devset / "index.csv").is_file() else {}
    texts = {p.name: read_text(p) for p in sorted((devset / "articles").glob("*.txt"))}
    for g in golds:
        t = texts.get(g.article)
        if t is None or t[g.start : g.end] != g.surface:
            print(f"warning: gold offsets do not fit {g.article} {g.start}-{g.end}", file=sys.stderr)

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    out: list[str] = []
    req = [g for g in golds if not g.optional]
    out.append(
        f"Dev set: {len(texts)} texts, {len(golds)} gold mentions ({len(req)} required, "
        f"{sum(1 for g in req if g.category == 'settlement')} of them settlements).\n"
    )
    out.append(HEADER)
    out.append(RULE)
    results: dict[str, list[Pred]] = {}
    notes = []
    for s in systems:
        t0 = time.perf_counter()
        try:
            preds = run_nkmap(devset / "articles", texts) if s == "nkmap" else run_peer(s, texts)
        except Exception as e:  # nkmap not merged yet, a peer not installed, ...
            notes.append(f"{s}: not run ({type(e).__name__}: {e})")
            continue
        notes.append(f"{s}: {len(preds)} predictions in {time.perf_counter() - t0:.2f} s (including loading)")
        if s == "nkmap":
            where = Path(import_nkmap().__file__).resolve()
            notes.append(
                f"nkmap imported from {where}" + ("" if where.is_relative_to(REPO) else " (NOT this checkout)")
            )
        results[s] = preds
        rows = scoring.score(golds, preds, labelled=True)
        out.append(table_row(s, "all", rows["all"]))
        out.append(table_row(s, "settlement", rows["settlement"]))

    if results and index:
        out.append("\nEvery slice (index.csv: topic and language), each system side by side:\n")
        out.append(HEADER.replace("| system | row |", "| group | row | system |"))
        out.append(RULE + "---|")
        for gname, arts in slices(index):
            sub = [g for g in golds if g.article in arts]
            for row_name in ("all", "settlement"):
                for s, preds in results.items():
                    rows = scoring.score(sub, [p for p in preds if p.article in arts])
                    out.append(table_row(f"{gname} ({len(arts)})", row_name, s, rows[row_name]))

    out.append("")
    out.extend(notes)
    out.append(
        "\nP/R/F1 and accuracies in %; median km over the pairs scored (non-approx TP), "
        "unresolved = inf. Settlement row: recall and resolution over gold settlements; "
        "FP = unpaired predictions the system labels as a settlement."
    )
    text = "\n".join(out)
    print(text)
    for s in args.show_errors:
        if s in results:
            show_errors(s, golds, results[s])
    if args.write:
        Path(args.write).write_text(
            f"# Dev-set quality ({time.strftime('%Y-%m-%d')})\n\n"
            "Generated by `python bench/quality.py`; figures only.\n\n" + text + "\n",
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
