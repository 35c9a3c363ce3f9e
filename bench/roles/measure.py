"""Precision and recall of nkmap's mention roles against the hand labels in labels.jsonl.

    python bench/roles/measure.py [DEVSET] [--holdout] [--confusion]

``--holdout`` reads holdout.jsonl instead: labels written after the rule was finished, for a
check that the figures hold on mentions the rule's author had not read.

DEVSET is the development-set folder (default: ../shared/devset beside the repository); its
texts are read from there and never copied. Two tables:

* end to end: ``nkmap.geoparse`` on the labelled articles; each label is paired with the nkmap
  mention that overlaps it, and a label nkmap does not find counts against recall;
* the rule alone: ``tag_roles`` on the labelled spans themselves, so recognition misses do not
  hide how well the rule reads the words around a mention.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import nkmap
from nkmap.model import Mention, ResolvedMention
from nkmap.roles import ROLES, tag_roles

HERE = Path(__file__).resolve().parent
DEFAULT_DEVSET = HERE.parents[2] / "shared" / "devset"
_SENTENCE_END = re.compile(r"[.!?]+[\"”’)]*\s+|\n")


def table(title: str, pairs: list[tuple[str, str | None]]) -> None:
    found = sum(p is not None for _, p in pairs)
    print(f"\n{title}: {len(pairs)} labels, {found} with a mention to tag")
    print(f"{'role':10} {'labelled':>8} {'predicted':>9} {'correct':>7} {'precision':>9} {'recall':>7}")
    for role in ROLES:
        labelled = sum(g == role for g, _ in pairs)
        predicted = sum(p == role for _, p in pairs)
        correct = sum(g == p == role for g, p in pairs)
        precision = f"{correct / predicted:.2f}" if predicted else "-"
        recall = f"{correct / labelled:.2f}" if labelled else "-"
        print(f"{role:10} {labelled:8} {predicted:9} {correct:7} {precision:>9} {recall:>7}")
    if "--confusion" in sys.argv:
        confusion = Counter((g or "''", "missed" if p is None else p or "''") for g, p in pairs)
        print("label -> predicted:", ", ".join(f"{g}->{p}: {n}" for (g, p), n in sorted(confusion.items())))


def on_spans(article: nkmap.Article, labels: list[dict]) -> list[str]:
    """Roles the rule gives the labelled spans themselves."""
    text = article.text
    mentions = []
    for lab in labels:
        starts = [0, *(m.end() for m in _SENTENCE_END.finditer(text, 0, lab["start"]))]
        ends = _SENTENCE_END.search(text, lab["end"])
        s_start, s_end = starts[-1], ends.start() if ends else len(text)
        m = Mention(
            article.name, lab["start"], lab["end"], text[lab["start"] : lab["end"]], text[s_start:s_end], s_start
        )
        mentions.append(ResolvedMention(m, None, "label"))
    return [rm.role for rm in tag_roles(article, mentions)]


def main(argv: list[str]) -> int:
    devset = Path(argv[0]) if argv else DEFAULT_DEVSET
    if not (devset / "articles").is_dir():
        print(f"skipped: no development set at {devset} (pass its folder as the argument)")
        return 0
    labels = [
        json.loads(line)
        for line in (HERE / ("holdout.jsonl" if "--holdout" in sys.argv else "labels.jsonl"))
        .read_text(encoding="utf-8")
        .splitlines()
        if line
    ]
    names = sorted({lab["article"] for lab in labels})
    articles = nkmap.read_articles([devset / "articles" / n for n in names])
    result = nkmap.geoparse(articles)
    by_article: dict[str, list] = {}
    for rm in result.mentions:
        by_article.setdefault(rm.mention.article, []).append(rm)

    end_to_end, rule_alone = [], []
    for article in articles:
        mine = [lab for lab in labels if lab["article"] == article.name]
        for lab, role in zip(mine, on_spans(article, mine)):
            rule_alone.append((lab["role"], role))
            found = [
                rm
                for rm in by_article.get(article.name, ())
                if rm.mention.start < lab["end"] and lab["start"] < rm.mention.end
            ]
            end_to_end.append((lab["role"], found[0].role if found else None))
    print(f"{len(labels)} hand labels in {len(names)} dev-set articles ({', '.join(names)})")
    table("end to end (nkmap.geoparse)", end_to_end)
    table("the rule alone (tag_roles on the labelled spans)", rule_alone)
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if not a.startswith("--")]))
