"""Dump every mention and dropped candidate of ``geoparse`` over a corpus, one JSON line each, to compare
two versions of the code for output identity (``diff`` the files).

    python bench/identity.py CORPUS_DIR OUT.jsonl [--first N] [--no-geonames]

Each line: the mention (article, span, surface, excerpt and its offset, evidence), then the place id,
method, confidence and role (mentions) or the reason, candidates with scores and kept (dropped).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path


def mention_row(m) -> list:
    return [m.article, m.start, m.end, m.surface, m.sentence, m.sentence_start, str(m.evidence.cue), m.evidence.word]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("out")
    ap.add_argument("--first", type=int, default=0, help="only the first N files (sorted by name)")
    ap.add_argument("--no-geonames", action="store_true")
    a = ap.parse_args(argv)
    import nkmap

    files = sorted(Path(a.corpus).glob("*.txt"))
    if a.first:
        files = files[: a.first]
    articles = nkmap.read_articles([str(f) for f in files])
    t0 = time.process_time()
    result = nkmap.geoparse(articles, nkmap.load_gazetteer(nkmap.DEFAULT_GAZETTEER), geonames=not a.no_geonames)
    cpu = time.process_time() - t0
    with open(a.out, "w", encoding="utf-8") as out:
        for rm in result.mentions:
            row = ["M", *mention_row(rm.mention), rm.place.id if rm.place else None, rm.method, rm.confidence, rm.role]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        for d in result.dropped:
            cands = [[p.id, s] for p, s in d.candidates]
            row = ["D", *mention_row(d.mention), str(d.reason), cands, d.kept]
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    nbytes = sum(len(x.text.encode("utf-8")) for x in articles)
    print(
        f"{len(articles)} articles, {nbytes / 1e6:.2f} MB, {len(result.mentions)} mentions, "
        f"{len(result.dropped)} dropped, geoparse {cpu:.2f} s CPU ({nbytes / 1e6 / cpu:.2f} MB/s)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
