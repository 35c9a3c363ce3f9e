"""Synthetic corpora of a given size, made only of paragraphs of real articles.

    python bench/corpus.py --sizes 1,10,50     # prints the corpus folders

Sources: the repository's sample corpus ``data/articles/*.txt`` and, when present, the dev
set's ``articles/*.txt`` (``../shared/devset`` from the repository root). Each non-empty line
of a source text is a paragraph (the sources separate paragraphs by one or two newlines).
The paragraphs are shuffled with a fixed seed and recombined into article files of 2–5 KB
(``"\\n\\n"``-joined), cycling through a fresh permutation whenever all have been used, until
the corpus reaches its size. No text is invented; with ~70 KB of sources a 50 MB corpus
repeats every paragraph several hundred times (in a different order and company each time).

The corpora are cached under ``bench/.corpora/`` (git-ignored: they contain third-party
text and must not be committed), keyed by size, seed and a hash of the sources.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CACHE = HERE / ".corpora"
# $NKMAP_DEVSET, else ../shared/devset from the repository root; from a worktree one level deeper (wt/NAME), ../../shared/devset
DEFAULT_DEVSET = (
    Path(os.environ["NKMAP_DEVSET"])
    if os.environ.get("NKMAP_DEVSET")
    else next(
        (p for p in (REPO.parent / "shared" / "devset", REPO.parent.parent / "shared" / "devset") if p.is_dir()),
        REPO.parent / "shared" / "devset",
    )
)
MB = 1_000_000
SEED = 20201110
MIN_BYTES, MAX_BYTES = 2_000, 5_000


def read_text(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def source_files(devset: Path | None = DEFAULT_DEVSET) -> list[Path]:
    files = sorted((REPO / "data" / "articles").glob("*.txt"))
    if devset is not None and (devset / "articles").is_dir():
        files += sorted((devset / "articles").glob("*.txt"))
    return files


def paragraphs(files: list[Path]) -> list[str]:
    out = []
    for f in files:
        for line in read_text(f).replace("\r\n", "\n").split("\n"):
            line = line.strip()
            if line:
                out.append(line)
    return out


def _ensure_gitignore() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    gi = CACHE / ".gitignore"
    if not gi.exists():
        gi.write_text("# generated corpora of third-party text: never commit\n*\n!.gitignore\n", encoding="utf-8")


def build(size_mb: float, devset: Path | None = DEFAULT_DEVSET, seed: int = SEED) -> Path:
    """The folder of a corpus of ``size_mb`` MB (10^6 bytes of UTF-8), built if not cached."""
    files = source_files(devset)
    if not files:
        raise FileNotFoundError("no source articles: data/articles/*.txt is missing")
    paras = paragraphs(files)
    h = hashlib.sha256()
    for p in paras:
        h.update(p.encode("utf-8") + b"\0")
    key = {
        "size_mb": size_mb,
        "seed": seed,
        "sources": len(files),
        "sha256": h.hexdigest()[:16],
        "article_bytes": [MIN_BYTES, MAX_BYTES],
    }
    out = CACHE / f"{size_mb:g}mb"
    stamp = out / "CORPUS.json"
    if stamp.is_file() and json.loads(stamp.read_text())["key"] == key:
        return out
    _ensure_gitignore()
    if out.exists():
        shutil.rmtree(out)
    tmp = CACHE / f".tmp-{size_mb:g}mb"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)

    rng = random.Random(seed)
    target = int(size_mb * MB)
    order: list[str] = []
    total = n = 0
    while total < target:
        want = min(rng.randint(MIN_BYTES, MAX_BYTES), max(target - total, 1))
        parts: list[str] = []
        size = 0
        while size < want:
            if not order:
                order = paras[:]
                rng.shuffle(order)
            p = order.pop()
            parts.append(p)
            size += len(p.encode("utf-8")) + 2
        data = "\n\n".join(parts).encode("utf-8")
        (tmp / f"{n:06d}.txt").write_bytes(data)
        total += len(data)
        n += 1
    (tmp / "CORPUS.json").write_text(
        json.dumps({"key": key, "files": n, "bytes": total, "paragraphs": len(paras)}, indent=1)
    )
    tmp.rename(out)
    return out


def corpus_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def corpus_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in corpus_files(folder))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="build the synthetic benchmark corpora")
    ap.add_argument("--sizes", default="1,10,50", help="sizes in MB, comma-separated")
    ap.add_argument("--devset", default=str(DEFAULT_DEVSET))
    args = ap.parse_args(argv)
    for s in args.sizes.split(","):
        d = build(float(s), Path(args.devset))
        info = json.loads((d / "CORPUS.json").read_text())
        print(
            f"{d}: {info['files']} files, {info['bytes']:,} bytes "
            f"from {info['paragraphs']} paragraphs of {info['key']['sources']} articles"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
