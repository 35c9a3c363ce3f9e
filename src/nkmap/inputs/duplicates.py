"""Find articles that are the same text twice: saved twice, or syndicated with small changes.

Exact duplicates have the same normalised text (Unicode NFKC, case folded, whitespace and
punctuation ignored, so CRLF or a byte-order mark make no difference). Near duplicates share
most of their word 5-grams ("shingles"): a deterministic sample of each article's shingles
(those whose CRC-32 is divisible by :data:`SAMPLE`, Broder's mod-m sketch; all of them for
short texts) is compared through an inverted index, and two articles whose samples overlap
by a Jaccard similarity of :data:`THRESHOLD` or more are near duplicates. Only the first of a
group enters the index, so 500 copies of one text cost 500 look-ups, not 125,000 pairs.

The first article (in corpus order) of each group is kept; the others are reported with what
they duplicate.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nkmap.model import Article

SHINGLE = 5  # words per shingle
SAMPLE = 8  # keep shingles whose hash is divisible by this
MIN_SAMPLE = 12  # fewer sampled shingles than this: use them all
THRESHOLD = 0.8  # Jaccard similarity of the sampled shingles
COMMON = 200  # a shingle in more kept articles than this (boilerplate) is not used to find candidates
MAX_LISTED = 20  # duplicates listed one per warning; the rest are counted in one more
log = logging.getLogger(__name__)
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """``article`` repeats ``original``: exactly (similarity 1.0) or nearly."""

    article: str
    original: str
    similarity: float
    exact: bool

    def describe(self) -> str:
        if self.exact:
            return f"{self.article}: the same text as {self.original}"
        return f"{self.article}: a near duplicate of {self.original} ({self.similarity:.0%} of word sequences shared)"


def find_duplicates(articles: Iterable[Article]) -> list[Duplicate]:
    """Every article that repeats an earlier one, with the earlier one it repeats."""
    exact: dict[bytes, str] = {}
    index: dict[int, list[int]] = {}
    kept: list[tuple[str, frozenset[int]]] = []
    found: list[Duplicate] = []
    for article in articles:
        words = _WORD.findall(unicodedata.normalize("NFKC", article.text).casefold())
        digest = zlib.crc32(" ".join(words).encode("utf-8", "surrogatepass")).to_bytes(4, "big") + len(words).to_bytes(
            8, "big"
        )
        if digest in exact:
            found.append(Duplicate(article.name, exact[digest], 1.0, True))
            continue
        sketch = _sketch(words)
        match = _near(sketch, index, kept)
        if match is not None:
            original, similarity = match
            found.append(Duplicate(article.name, original, similarity, False))
            continue
        exact[digest] = article.name
        number = len(kept)
        kept.append((article.name, sketch))
        for h in sketch:
            index.setdefault(h, []).append(number)
    return found


def without_duplicates(articles: Sequence[Article]) -> tuple[list[Article], list[Duplicate]]:
    """The articles less those that repeat an earlier one, and the duplicates found."""
    duplicates = find_duplicates(articles)
    dropped = {d.article for d in duplicates}
    return [a for a in articles if a.name not in dropped], duplicates


def _sketch(words: list[str]) -> frozenset[int]:
    if len(words) < SHINGLE:
        return frozenset([zlib.crc32(" ".join(words).encode("utf-8", "surrogatepass"))]) if words else frozenset()
    hashes = {
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode("utf-8", "surrogatepass"))
        for i in range(len(words) - SHINGLE + 1)
    }
    sampled = frozenset(h for h in hashes if h % SAMPLE == 0)
    return sampled if len(sampled) >= MIN_SAMPLE else frozenset(hashes)


def _near(sketch: frozenset[int], index: dict[int, list[int]], kept: list[tuple[str, frozenset[int]]]):
    if not sketch:
        return None
    shared: Counter[int] = Counter()
    for h in sketch:
        posting = index.get(h)
        if posting and len(posting) <= COMMON:
            shared.update(posting)
    best = None
    for number, _ in shared.most_common(5):
        a, b = sketch, kept[number][1]
        if _is_full(a) != _is_full(b):  # one text is short: compare the samples (a full set holds its sample)
            a, b = _sampled(a), _sampled(b)
        common = len(a & b)
        similarity = common / max(1, len(a) + len(b) - common)
        if similarity >= THRESHOLD and (best is None or similarity > best[1]):
            best = (kept[number][0], similarity)
    return best


def _sampled(sketch: frozenset[int]) -> frozenset[int]:
    return frozenset(h for h in sketch if h % SAMPLE == 0)


def _is_full(sketch: frozenset[int]) -> bool:
    return any(h % SAMPLE for h in sketch)


def report_duplicates(duplicates: Sequence[Duplicate]) -> None:
    """One warning per duplicate (the first :data:`MAX_LISTED`), then one that counts the rest."""
    for d in duplicates[:MAX_LISTED]:
        log.warning("%s; counted once (--keep-duplicates keeps it)", d.describe())
    if len(duplicates) > MAX_LISTED:
        log.warning("%d more duplicate articles not listed; each counted once", len(duplicates) - MAX_LISTED)
