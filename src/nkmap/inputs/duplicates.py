"""Find articles that are the same text twice: saved twice, or syndicated with small changes.

Exact duplicates have the same normalised text (Unicode NFKC, case folded, whitespace and
punctuation ignored, so CRLF or a byte-order mark make no difference). Near duplicates share
most of their word 5-grams ("shingles"): a deterministic sample of each article's shingles
(those whose 64-bit hash is divisible by :data:`SAMPLE`, Broder's mod-m sketch; all of them
for short texts) is compared through an inverted index, and two articles whose samples overlap
by a Jaccard similarity of :data:`THRESHOLD` or more are near duplicates. Only the first of a
group enters the index, so 500 copies of one text cost 500 look-ups, not 125,000 pairs.

The first article (in corpus order) of each group is kept; the others are reported with what
they duplicate.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from nkmap.model import Article

if TYPE_CHECKING:
    from nkmap.infra.readcache import Fingerprint, ReadCache

SHINGLE = 5  # words per shingle
SAMPLE = 8  # keep shingles whose hash is divisible by this
MIN_SAMPLE = 12  # fewer sampled shingles than this: use them all
THRESHOLD = 0.8  # Jaccard similarity of the sampled shingles
COMMON = 50  # a shingle in more kept articles than this (boilerplate) is not used to find candidates
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


def find_duplicates(articles: Iterable[Article], cache: ReadCache | None = None) -> list[Duplicate]:
    """Every article that repeats an earlier one, with the earlier one it repeats.

    ``cache`` (:class:`nkmap.infra.readcache.ReadCache`) keeps each text's fingerprint, and the
    duplicates of the whole corpus, between builds.
    """
    if cache is not None:
        articles = list(articles)
        found = cache.corpus(
            "duplicates",
            ((a.name, a.text) for a in articles),
            lambda: tuple((d.article, d.original, d.similarity, d.exact) for d in _find_duplicates(articles, cache)),
        )
        cache.commit()
        try:
            return [Duplicate(str(a), str(o), float(s), bool(e)) for a, o, s, e in found]
        except (TypeError, ValueError):  # an unusable entry: only costs the time to find them again
            pass
    return _find_duplicates(articles, cache)


def _find_duplicates(articles: Iterable[Article], cache: ReadCache | None) -> list[Duplicate]:
    seen = Seen(cache)
    return [d for d in map(seen.repeats, articles) if d is not None]


def drop_duplicates(
    articles: Iterable[Article], found: list[Duplicate], cache: ReadCache | None = None
) -> Iterator[Article]:
    """The articles less those that repeat an earlier one, one at a time as they come (the first of
    a group is kept); each duplicate is appended to ``found`` as it is met, so no text is held for it:
    the same duplicates, in the same order, as :func:`find_duplicates` finds."""
    seen = Seen(cache)
    for article in articles:
        duplicate = seen.repeats(article)
        if duplicate is None:
            yield article
        else:
            found.append(duplicate)


class Seen:
    """What the articles met so far are, for duplicates, kept compact (about 20 bytes a sampled
    shingle, not the 200 of Python sets and dicts): the exact digests, each kept article's sketch as
    a sorted array, and an inverted index from shingle hash to the kept articles whose sketch holds
    it: sorted arrays (hash, article), with the latest articles' entries in a small dict merged into
    them now and then. Candidates are met in the order an index of sets and lists met them, each
    sketch read in ascending order (whatever order its set iterates in), so the duplicates found,
    and which original each names, are the same."""

    MERGE = 1 << 16  # index entries held in the dict before they join the arrays (at least)

    def __init__(self, cache: ReadCache | None = None) -> None:
        import numpy as np

        self.cache = cache
        self.exact: dict[bytes, str] = {}
        self.names: list[str] = []
        self.sketches: list = []  # np.ndarray of uint64, sorted, one a kept article
        self.full: list[bool] = []
        self.keys = np.zeros(0, dtype=np.uint64)  # sorted; self.owners[i] holds self.keys[i]
        self.owners = np.zeros(0, dtype=np.int32)
        self.recent: dict[int, list[int]] = {}
        self.pending = 0

    def repeats(self, article: Article, found: Fingerprint | None = None) -> Duplicate | None:
        """The duplicate ``article`` is of an article met before, or None (then it is kept).
        ``found``: its :func:`fingerprint`, made elsewhere (a worker process)."""
        import numpy as np

        cache = self.cache
        if found is not None:
            digest, sketch, full = found
        else:
            digest, sketch, full = cache.fingerprint(article.text, fingerprint) if cache else fingerprint(article.text)
        if digest in self.exact:
            return Duplicate(article.name, self.exact[digest], 1.0, True)
        # read in ascending order, not the set's own: a set rebuilt (from the read cache, from a worker's
        # pickle) may iterate in another order, and the order decides which candidates tie first
        ordered = np.sort(np.fromiter(sketch, dtype=np.uint64, count=len(sketch)))
        hashes = ordered.tolist()
        match = self._near(hashes, ordered, full)
        if match is not None:
            original, similarity = match
            return Duplicate(article.name, original, similarity, False)
        self.exact[digest] = article.name
        number = len(self.names)
        self.names.append(article.name)
        self.sketches.append(ordered)
        self.full.append(full)
        for h in hashes:
            self.recent.setdefault(h, []).append(number)
        self.pending += len(hashes)
        if self.pending >= max(self.MERGE, len(self.keys) // 4):
            self._merge()
        return None

    def _merge(self) -> None:
        import numpy as np

        keys = np.fromiter((h for h, numbers in self.recent.items() for _ in numbers), dtype=np.uint64)
        owners = np.fromiter((n for numbers in self.recent.values() for n in numbers), dtype=np.int32)
        order = np.argsort(keys, kind="stable")
        keys, owners = keys[order], owners[order]
        # the new entries go in after the older articles' entries under each hash (as a stable sort of
        # the arrays joined puts them), each array in turn: the index's size and the new one's are
        # alive at once, not the four copies a sort of the whole index held (the build's peak at 50 MB)
        at = self.keys.searchsorted(keys, "right")
        self.keys = np.insert(self.keys, at, keys)
        self.owners = np.insert(self.owners, at, owners)
        self.recent.clear()
        self.pending = 0

    def _near(self, hashes: list[int], ordered, full: bool) -> tuple[str, float] | None:
        import numpy as np

        if not hashes:
            return None
        query = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
        low, high = self.keys.searchsorted(query, "left"), self.keys.searchsorted(query, "right")
        newer = list(map(self.recent.get, hashes, itertools.repeat(())))  # the entries not merged yet
        count = high - low + np.fromiter(map(len, newer), dtype=np.intp, count=len(newer))
        owners = self.owners
        met: list[int] = []  # the kept articles sharing each hash, in order: counted at once, as met
        for i in np.flatnonzero((count > 0) & (count <= COMMON)).tolist():  # most hashes: in no other article
            lo, hi = int(low[i]), int(high[i])
            if hi > lo:
                met += owners[lo:hi].tolist()
            met += newer[i]
        shared = Counter(met)
        unseen = int((count > COMMON).sum())  # hashes left out of the count: they may still be shared
        best = None
        for number, sharing in shared.most_common(5):
            a, b = ordered, self.sketches[number]
            if full != self.full[number]:  # one text is short: compare the samples (a full set holds its sample)
                a, b = a[a % np.uint64(SAMPLE) == 0], b[b % np.uint64(SAMPLE) == 0]
            shorter, longer = sorted((len(a), len(b)))
            if longer and shorter / longer < THRESHOLD:  # they share at most the shorter: similar enough?
                continue
            common = min(sharing + unseen, shorter)  # at most: if it is not enough, the rest need not be counted
            if common / max(1, len(a) + len(b) - common) < THRESHOLD:
                continue
            common = _shared(a, b)
            similarity = common / max(1, len(a) + len(b) - common)
            if similarity >= THRESHOLD and (best is None or similarity > best[1]):
                best = (self.names[number], similarity)
        return best


def _shared(a, b) -> int:
    """How many values two sorted arrays of distinct values share (np.intersect1d's length, without its sort)."""
    if not len(a) or not len(b):
        return 0
    at = b.searchsorted(a).clip(max=len(b) - 1)
    return int((b[at] == a).sum())


PIECE = 1 << 20  # characters of a text normalised at a time: a 19 MB article is never one list of words


def fingerprint(text: str) -> tuple[bytes, frozenset[int], bool]:
    """What duplicates are found by: a digest of the normalised words (exact duplicates), and the
    sampled shingle hashes with whether they are all of them (near duplicates, see :func:`_sketch`).

    The text is read a piece at a time, cut after a space (normalising and case folding never
    join across one), so memory stays a few times :data:`PIECE` whatever the text's length."""
    crc, count, ids = 0, 0, []
    for piece in _pieces(text):
        words = _WORD.findall(unicodedata.normalize("NFKC", piece).casefold())
        if not words:
            continue
        joined = " ".join(words).encode("utf-8", "surrogatepass")
        crc = zlib.crc32(b" " + joined if count else joined, crc)
        count += len(words)
        ids.append(_word_ids(words))
    digest = crc.to_bytes(4, "big") + count.to_bytes(8, "big")
    return (digest, *_sketch(ids))


def _pieces(text: str) -> Iterable[str]:
    start = 0
    while len(text) - start > PIECE:
        cut = text.rfind(" ", start, start + PIECE) + 1 or text.find(" ", start + PIECE) + 1 or len(text)
        yield text[start:cut]
        start = cut
    yield text[start:]


def without_duplicates(
    articles: Sequence[Article], cache: ReadCache | None = None
) -> tuple[list[Article], list[Duplicate]]:
    """The articles less those that repeat an earlier one, and the duplicates found."""
    duplicates = find_duplicates(articles, cache)
    dropped = {d.article for d in duplicates}
    return [a for a in articles if a.name not in dropped], duplicates


def _word_ids(words: list[str]):  # -> np.ndarray of uint64
    import numpy as np

    try:  # most words were met before: one look-up each
        ids = np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    except KeyError:
        for word in set(words).difference(_WORD_HASHES):
            _WORD_HASHES[word] = _word_hash(word)
        ids = np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.uint64, count=len(words))
    if len(_WORD_HASHES) > 2_000_000:  # a corpus of many languages: keep memory bounded
        _WORD_HASHES.clear()
    return ids


def _sketch(pieces: list) -> tuple[frozenset[int], bool]:
    """The sampled shingle hashes of a text's word hashes (in pieces), or all of them (True) when
    the sample would be small."""
    import numpy as np

    if not pieces:
        return frozenset(), True
    ids = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    if len(ids) < SHINGLE:
        return frozenset([int(_mix(np.array([ids.sum()], dtype=np.uint64))[0])]), True
    count = len(ids) - SHINGLE + 1
    shingles = np.zeros(count, dtype=np.uint64)
    for k in range(SHINGLE):  # a polynomial hash of the five word hashes, wrapping at 2**64
        shingles = shingles * np.uint64(1_000_003) + ids[k : k + count]
    hashes = _mix(shingles)
    sampled = hashes[hashes % np.uint64(SAMPLE) == 0]
    if len(sampled) >= MIN_SAMPLE:
        return frozenset(sampled.tolist()), False
    return frozenset(hashes.tolist()), True


_WORD_HASHES: dict[str, int] = {}


def _word_hash(word: str) -> int:
    data = word.encode("utf-8", "surrogatepass")
    return zlib.crc32(data) | (zlib.adler32(data) << 32)


def _mix(values):
    """A 64-bit finaliser (splitmix64), so the low bits used for sampling are well spread."""
    import numpy as np

    with np.errstate(over="ignore"):
        z = values + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def report_duplicates(duplicates: Sequence[Duplicate]) -> None:
    """One warning per duplicate (the first :data:`MAX_LISTED`), then one that counts the rest."""
    for d in duplicates[:MAX_LISTED]:
        log.warning("%s; counted once (--keep-duplicates keeps it)", d.describe())
    if len(duplicates) > MAX_LISTED:
        log.warning("%d more duplicate articles not listed; each counted once", len(duplicates) - MAX_LISTED)
