"""Per-article results kept between builds, so a rebuild re-does only the articles that changed.

An article's result (its resolved mentions and the candidates dropped in it) depends only on
the article itself, the name sources, nkmap's code and the corrections whose names it contains:
resolution never looks across articles. The key hashes exactly these:

- the article: its name, text and metadata (every field of :class:`~nkmap.model.Article`);
- the context: nkmap's version and a digest of its code and packaged data, each source's
  content (the curated gazetteer's text, the country names, the GeoNames index version) and
  the longest name the recogniser tries;
- the corrections that can change it, in two steps. The pins and aliases that hold in the article
  and whose name's first word it writes (as a word, folded as names are: :func:`folded_words`) can
  change what the recogniser finds, so they are part of the slot's base; the recogniser's
  candidates (the folded names it found or turned down) are stored by that base. A not-a-place acts only on those candidates, so
  the result is keyed by the base and the not-a-place corrections that hold in the article for
  one of its candidates: marking "Sur" not a place re-does the articles where "Sur" was a
  candidate, not those that write "Surabaya" or "survey".

So a new correction re-does the few articles it touches; a changed gazetteer or a new nkmap
version re-does every article. The results live in one SQLite file in the cache folder
(``results-v3.sqlite``; each place once, in its own table): each build's new results are
committed in one transaction, so a build killed halfway leaves the cache as it was before
(SQLite's journal), never half an entry. A cache that cannot be opened or written only costs
time. Delete the file to empty it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import hashlib
import logging
import marshal
import pickle
import re
import sqlite3
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from nkmap.infra.cache import cache_dir, open_store, write_store
from nkmap.model import Article, Cue, Dropped, Evidence, Mention, Place, Reason, ResolvedMention
from nkmap.names import _APOSTROPHES, _FOLD, _SEPARATORS
from nkmap.recognize.scan import _MARKS

if TYPE_CHECKING:
    from nkmap.sources.corrections import AppliedCorrections

FILE_NAME = "results-v3.sqlite"
log = logging.getLogger(__name__)
Entry = tuple[list[ResolvedMention], list[Dropped]]


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """The character classes :func:`fold` replaces, made on first use (the combining marks' class
    costs ~10 ms to make, which a build that never folds a text need not pay):

    - every combining mark of the Basic Multilingual Plane: name_key drops them one by one in Python;
      over a whole article a regex does it at C speed;
    - str.translate with a dict looks up every character in Python; these regexes touch only the few
      characters that change (the same tables as name_key's).
    """
    combining = re.compile(
        "[" + "".join(re.escape(c) for c in map(chr, range(0x300, 0x10000)) if unicodedata.combining(c)) + "]"
    )
    fold_chars = re.compile("[" + "".join(re.escape(chr(c)) for c in _FOLD) + "]")
    apostrophes = re.compile("[" + "".join(re.escape(chr(c)) for c in _APOSTROPHES) + "]")
    return combining, fold_chars, apostrophes


def fold(text: str) -> str:
    """``text`` folded the way :func:`nkmap.names.name_key` folds a name, so that the key of every
    name written in ``text`` is a substring of ``fold(text)``."""
    lower = text.casefold()
    if not lower.isascii():
        combining, fold_chars, apostrophes = _patterns()
        lower = fold_chars.sub(lambda m: _FOLD[ord(m.group())], lower)
        lower = combining.sub("", unicodedata.normalize("NFKD", lower))
        lower = apostrophes.sub("'", lower)
    return _SEPARATORS.sub(" ", lower.replace("`", "'"))


def folded_words(text: str) -> str:
    """``text``'s letters folded as names fold them (:func:`fold`), with a space put first wherever the recogniser
    ends a word but folding would not: a non-word character that folds to letters ("™") or to
    nothing (a combining mark the recogniser does not read as part of a word). So each letter-and-digit
    run of the key of each word the recogniser reads is a whole run of the result ("Ağdam'da" gives
    "agdam" and "da"); :meth:`~nkmap.sources.corrections.AppliedCorrections.recognition_digest` looks
    for the pinned names' first words in it."""
    lower = _word_ends().sub(" ", text).casefold()
    if not lower.isascii():  # fold's letters, without its spacing and apostrophes: a run ends at them either way
        combining, fold_chars, _ = _patterns()
        lower = fold_chars.sub(lambda m: _FOLD[ord(m.group())], lower)
        lower = combining.sub("", unicodedata.normalize("NFKD", lower))
    return lower


@functools.cache
def _word_ends() -> re.Pattern[str]:
    word = re.compile(rf"[\w{_MARKS}]")  # the recogniser's word characters (recognize.scan._W)
    ends = []
    for c in map(chr, range(0x80, 0x10000)):
        if not word.match(c) and (
            unicodedata.combining(c) or any(x.isalnum() for x in unicodedata.normalize("NFKD", c))
        ):
            ends.append(re.escape(c))
    return re.compile("[" + "".join(ends) + "]")


@functools.cache
def code_digest() -> str:
    """nkmap's version and a digest of its code and packaged rules: a changed rule re-does everything."""
    import nkmap

    root = Path(nkmap.__file__).parent
    h = hashlib.sha256(f"{nkmap.__version__}\n{sys.version}".encode())  # marshal's format is per Python
    for path in sorted([*root.rglob("*.py"), *(root / "data").glob("*.json")]):
        h.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def source_digest(source: object) -> str | None:
    """A digest of what a name source answers, or None for a source nkmap cannot fingerprint
    (then nothing is cached: a wrong cached answer is worse than a slow one)."""
    from nkmap.sources import admin
    from nkmap.sources.countries import CountryNames
    from nkmap.sources.gazetteer import Gazetteer
    from nkmap.sources.geonames import GeoNamesIndex

    key = getattr(source, "cache_key", None)
    if isinstance(key, str):
        return key
    derived_from = getattr(source, "sources", None)  # case forms, variants, near misses of other sources
    if isinstance(derived_from, tuple | list):  # as good as their digests
        parts = [source_digest(s) for s in derived_from]
        return None if None in parts else f"{type(source).__name__}:" + ",".join(parts)  # type: ignore[arg-type]
    if isinstance(source, admin.AdminAreas):  # built from packaged data whose versions name its folder
        return f"admin:{admin._versions()}-v{admin.FORMAT}"
    if isinstance(source, Gazetteer):
        return "gazetteer:" + hashlib.sha256(source.to_geojson().encode()).hexdigest()
    if isinstance(source, GeoNamesIndex):
        return "geonames:" + source.folder.name
    if isinstance(source, CountryNames):
        rows = sorted((k, repr(p)) for k, p in source._by_key.items())
        return "cldr:" + hashlib.sha256(repr(rows).encode()).hexdigest()
    return None


_kept: dict[tuple[tuple[int, ...], int], tuple[tuple[object, ...], str | None]] | None = None


@contextlib.contextmanager
def digests_kept() -> Iterator[None]:
    """Within the block, :func:`context_digest` of the same source objects is made once (a streamed
    build asks for it once a batch: ~50 ms each). Only for a block in which no source changes."""
    global _kept
    outer = _kept
    if outer is None:
        _kept = {}
    try:
        yield
    finally:
        if outer is None:
            _kept = None


def context_digest(sources: Iterable[object], max_words: int) -> str | None:
    """The part of every article's key that the build shares, or None when a source has no digest."""
    if _kept is not None:
        held = tuple(sources)  # kept with the digest: their ids cannot be another object's meanwhile
        key = (tuple(map(id, held)), max_words)
        if key not in _kept:
            _kept[key] = (held, _context_digest(held, max_words))
        return _kept[key][1]
    return _context_digest(sources, max_words)


def _context_digest(sources: Iterable[object], max_words: int) -> str | None:
    parts = [code_digest(), f"max_words={max_words}"]
    for source in sources:
        digest = source_digest(source)
        if digest is None:
            return None
        parts.append(digest)
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


_PLACE = tuple(f.name for f in dataclasses.fields(Place))
_LAYOUT = (  # the fields the columnar entries are written for; another layout is pickled
    tuple(f.name for f in dataclasses.fields(Mention)),
    tuple(f.name for f in dataclasses.fields(ResolvedMention)),
    tuple(f.name for f in dataclasses.fields(Dropped)),
    tuple(f.name for f in dataclasses.fields(Evidence)),
)
_WRITTEN_FOR = (
    ("article", "start", "end", "surface", "sentence", "sentence_start", "evidence"),
    ("mention", "place", "method", "confidence", "role"),
    ("mention", "reason", "candidates", "kept"),
    ("cue", "word"),
)
_COLUMNS, _PICKLED = b"c", b"p"
_CUES = {str(c): c for c in Cue}
_REASONS = {str(r): r for r in Reason}
_EVIDENCE: dict[tuple[str, str], Evidence] = {}  # one Evidence per (cue, word): they recur in every article


def place_key(row: tuple) -> str:
    """A place's key in the ``places`` table: a digest of its fields (two places that differ in any
    field, say a pinned point and the GeoNames town of the same id, are two places)."""
    return hashlib.sha256(repr(row).encode("utf-8", "surrogatepass")).hexdigest()[:24]


def encode(entry: Entry, article: Article) -> tuple[bytes, dict[str, bytes]]:
    """An article's entry as bytes, and the places it refers to (key → bytes, for the ``places`` table).

    Columns through ``marshal`` (several times faster to read back than pickled dataclasses), with
    what the article already holds left out: a mention's article name, its surface and its sentence
    when they are the article's own text at the mention's offsets; each sentence, evidence and place
    is written once and referred to by number (places once for all articles, in their table). A
    value marshal cannot write, or another layout of the model, is pickled whole.
    """
    name, text = article.name, article.text
    places: dict[Place, int] = {}
    sentences: dict[tuple[int, str], int] = {}
    evidences: dict[tuple[str, str], int] = {}

    def place(p: Place | None) -> int:
        return -1 if p is None else places.setdefault(p, len(places))

    def mention(m: Mention) -> tuple:
        if m.article != name:
            raise ValueError("a mention of another article")
        start, end = m.start, m.end
        return (
            start,
            end,
            None if text[start:end] == m.surface else m.surface,
            sentences.setdefault((m.sentence_start, m.sentence), len(sentences)),
            evidences.setdefault((str(m.evidence.cue), m.evidence.word), len(evidences)),
        )

    rms, dropped = entry
    try:
        if _LAYOUT != _WRITTEN_FOR:
            raise ValueError("another layout of the model")
        resolved = tuple((*mention(rm.mention), place(rm.place), rm.method, rm.confidence, rm.role) for rm in rms)
        turned_down = tuple(
            (*mention(d.mention), str(d.reason), tuple((place(p), score) for p, score in d.candidates), d.kept)
            for d in dropped
        )
        spans = tuple((at, len(sentence) if text.startswith(sentence, at) else sentence) for at, sentence in sentences)
        rows = [tuple(getattr(p, f) for f in _PLACE) for p in places]
        keys = tuple(place_key(row) for row in rows)
        data = _COLUMNS + marshal.dumps((keys, spans, tuple(evidences), resolved, turned_down))
        return data, {k: marshal.dumps(row) for k, row in zip(keys, rows, strict=True)}
    except (ValueError, TypeError, AttributeError):  # a value marshal cannot write (a new kind of evidence, say)
        return _PICKLED + pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL), {}


def decode(data: bytes, article: Article, place: Callable[[str], Place]) -> Entry:
    """The entry :func:`encode` wrote for ``article``; ``place(key)`` gives each place it refers to."""
    if data[:1] == _PICKLED:
        return pickle.loads(data[1:])
    if data[:1] != _COLUMNS:
        raise ValueError("not a cache entry")
    keys, spans, cues, rms, dropped = marshal.loads(data[1:])
    places = [place(k) for k in keys]
    name, text = article.name, article.text
    # mentions of one sentence share its string, as when found; evidences are shared by all articles
    sentences = [text[at : at + n] if n.__class__ is int else n for at, n in spans]
    starts = [at for at, _ in spans]
    evidences = [_evidence(cue, word) for cue, word in cues]
    reasons = _REASONS  # a dict lookup: calling an enum costs microseconds
    return (
        [
            ResolvedMention(
                Mention(name, s, e, text[s:e] if f is None else f, sentences[i], starts[i], evidences[v]),
                places[p] if p >= 0 else None,
                method,
                confidence,
                role,
            )
            for s, e, f, i, v, p, method, confidence, role in rms
        ],
        [
            Dropped(
                Mention(name, s, e, text[s:e] if f is None else f, sentences[i], starts[i], evidences[v]),
                reasons[r],
                tuple([(places[p], score) for p, score in c]),
                kept,
            )
            for s, e, f, i, v, r, c, kept in dropped
        ],
    )


def _evidence(cue: str, word: str) -> Evidence:
    evidence = _EVIDENCE.get((cue, word))
    if evidence is None:
        evidence = Evidence(_CUES[cue], word)
        if len(_EVIDENCE) < 100_000:
            _EVIDENCE[(cue, word)] = evidence
    return evidence


def article_digest(article: Article) -> str:
    return hashlib.sha256(repr(article).encode("utf-8", "surrogatepass")).hexdigest()


class Slot(NamedTuple):
    """Where one article's result is kept: ``base`` hashes the context, the article and the pins and
    aliases its words can bring in; ``decisions(candidates)`` digests the corrections that hold for
    the names it found (see :meth:`ResultCache.slot`)."""

    base: str
    decisions: Callable[[Iterable[str]], str]


def _no_decisions(candidates: Iterable[str]) -> str:
    return ""


class ResultCache:
    """Results by key in one SQLite file; :meth:`commit` writes what :meth:`put` collected.

    Two tables: ``candidates`` holds, by slot base, the folded names the recogniser found or turned
    down in the article (and those mentions themselves, so a not-a-place re-does only resolution) (they depend only on the text, the sources and the pins its words bring
    in); ``results`` holds the result by base and the digest of the corrections that decide those
    names. So a not-a-place correction re-does exactly the articles where its name was a candidate.
    ``hits`` and ``misses`` count the lookups, so a build can say how much it re-did.
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else cache_dir() / FILE_NAME
        self.hits = self.misses = 0
        self._paused = False  # whether get() paused the garbage collector (see _pause_gc)
        self._pending: dict[str, bytes] = {}
        self._pending_candidates: dict[str, bytes] = {}
        self._pending_places: dict[str, bytes] = {}
        self._recognised: dict[str, bytes] = {}  # by slot base: recognitions kept for a result that missed
        self._places: dict[str, Place] = {}  # every place read, once per build: articles share them
        self._db = open_store(self.path, ("results", "candidates", "places"), "result")

    def slot(self, context: str, article: Article, corrections: AppliedCorrections | None = None) -> Slot:
        """The slot of ``article``'s result under ``context`` (:func:`context_digest`) and ``corrections``."""
        recognised = (
            corrections.recognition_digest(article.name, lambda: folded_words(article.text)) if corrections else ""
        )
        base = hashlib.sha256(f"{context}\n{article_digest(article)}\n{recognised}".encode()).hexdigest()
        if not corrections:
            return Slot(base, _no_decisions)
        name = article.name
        return Slot(base, lambda candidates: corrections.decision_digest(name, candidates))

    @staticmethod
    def _key(slot: Slot, candidates: Iterable[str]) -> str:
        return hashlib.sha256(f"{slot.base}\n{slot.decisions(candidates)}".encode()).hexdigest()

    def _place(self, key: str) -> Place:
        place = self._places.get(key)
        if place is None:  # read once per build: articles share their places
            row = self._db.execute("SELECT value FROM places WHERE key = ?", (key,)).fetchone()  # type: ignore[union-attr]
            if row is None:
                raise ValueError(f"no place {key}")
            place = self._places[key] = Place(*marshal.loads(row[0]))
        return place

    def get(self, slot: Slot, article: Article) -> Entry | None:
        value: Any = None
        if self._db is not None:
            try:
                row = self._db.execute("SELECT value FROM candidates WHERE key = ?", (slot.base,)).fetchone()
                if row:
                    found, recognised = marshal.loads(row[0])
                    key = self._key(slot, found)
                    row = self._db.execute("SELECT value FROM results WHERE key = ?", (key,)).fetchone()
                    if not row and recognised:
                        self._recognised[slot.base] = recognised  # for recognition(): only the decisions changed
                    if row:
                        self._pause_gc()
                        value = decode(row[0], article, self._place)
            except (
                sqlite3.Error,
                pickle.UnpicklingError,
                EOFError,
                AttributeError,
                TypeError,
                ValueError,
                LookupError,
            ) as e:
                log.debug("result cache: unreadable entry %s: %s", slot.base[:12], e)
                value = None
        if value is None:
            self._resume_gc()
            self.misses += 1
            return None
        self.hits += 1
        return value

    # An entry is hundreds of new objects (none in a cycle); over a corpus the collections they set
    # off, each walking the growing heap, cost more than decoding them (5,000 articles: 1.7 s with
    # them, 0.7 s without). So the cyclic garbage collector rests from the first hit until a miss,
    # a put, a commit or close: over a run of hits, where the caller only collects the entries.
    def _pause_gc(self) -> None:
        if not self._paused and gc.isenabled():
            gc.disable()
            self._paused = True

    def _resume_gc(self) -> None:
        if self._paused:
            self._paused = False
            gc.enable()

    def __del__(self) -> None:
        if getattr(self, "_paused", False):  # an error in __init__ leaves no attribute
            self._resume_gc()

    def recognition(self, slot: Slot, article: Article) -> tuple[list[Mention], list[Dropped]] | None:
        """What the recogniser found and turned down in ``article``, kept with its candidates, when
        :meth:`get` missed only because the corrections that decide them changed (a not-a-place):
        the recognition depends only on what the slot's base hashes, so it need not run again."""
        data = self._recognised.pop(slot.base, None)
        if data is None:
            return None
        try:
            found, turned_down = decode(data, article, self._place)
            return [rm.mention for rm in found], turned_down
        except (sqlite3.Error, pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError, LookupError):
            return None

    def put(
        self,
        slot: Slot,
        article: Article,
        entry: Entry,
        candidates: Iterable[str],
        recognised: tuple[Sequence[Mention], Sequence[Dropped]] | None = None,
    ) -> None:
        """Keep ``entry``, the result of ``article``, whose recogniser found or turned down ``candidates``
        (their folded names): ``recognised``, the mentions and rejections themselves, kept too."""
        self._resume_gc()
        if self._db is not None:
            found = tuple(sorted(set(candidates)))
            blob = b""
            if recognised is not None:
                blob, places = encode(
                    ([ResolvedMention(m, None, "") for m in recognised[0]], list(recognised[1])), article
                )
                self._pending_places.update(places)
            self._pending_candidates[slot.base] = marshal.dumps((found, blob))
            data, places = encode(entry, article)
            self._pending[self._key(slot, found)] = data
            self._pending_places.update(places)

    def commit(self) -> None:
        """Write the collected results in one transaction (all or none of them, even if killed)."""
        self._resume_gc()
        if self._pending:  # places and candidates go with the results they belong to
            rows = {"places": self._pending_places, "candidates": self._pending_candidates, "results": self._pending}
            write_store(self._db, rows, self.path, "result")
        self._pending.clear()
        self._pending_candidates.clear()
        self._pending_places.clear()
        self._recognised.clear()

    def close(self) -> None:
        self.commit()
        if self._db is not None:
            self._db.close()
            self._db = None
