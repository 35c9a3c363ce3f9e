"""The user's corrections: "not a place", "this name means that place", "this spelling is that place".

Kept apart from the curated gazetteer, in a small JSON file per project (``corrections.json`` in the
articles folder, or ``nkmap build --corrections FILE``), so a fix made for one corpus never changes
another. The map page exports exactly this format, and ``nkmap fix`` writes it::

    {
      "nkmap_corrections": 1,
      "corrections": [
        {"action": "alias", "name": "Jenewa", "to": "geneva"},
        {"action": "not-a-place", "name": "Tula", "articles": ["sudan-03.txt"]},
        {"action": "pin", "name": "Camp X", "lat": 13.6, "lon": 25.3},
        {"action": "pin", "name": "El Fasher", "geonames": 379555}
      ]
    }

``articles`` empty or absent means everywhere; ``to`` is a curated gazetteer id, ``geonames`` a
GeoNames id, ``lat``/``lon`` a point. One name has at most one decision per article: a decision
for some articles wins over the one for everywhere. Corrections win over every source: a pinned or
aliased name is recognised even where no source knows it, and its mentions say ``method
"correction"``; a name marked not a place is dropped (and reported) wherever the correction holds.

Loading validates every entry with the gazetteer's one-line errors (``corrections.json: entry 2,
field 'lat': latitude 95.0 is outside [-90, 90]``); saving is atomic, and :func:`update` holds a lock
so two ``nkmap fix`` at once both keep their correction.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from nkmap.errors import InputError
from nkmap.infra import atomic
from nkmap.infra.locking import LOCK_TIMEOUT, locked
from nkmap.model import Article, Dropped, Mention, Place, Reason, ResolvedMention
from nkmap.names import name_key
from nkmap.resolve.resolver import Resolution
from nkmap.sources.base import Names, Tier, keyset

FILE_NAME = "corrections.json"
FORMAT_KEY = "nkmap_corrections"
FORMAT_VERSION = 1
ACTIONS = ("not-a-place", "pin", "alias")
METHOD = "correction"  # ResolvedMention.method of a corrected mention
ORIGIN = "correction"  # Place.origin of a place that exists only as a pinned point
TIER = Tier.CORRECTION  # the strongest source: corrections win over every other
_FIELDS = {
    "not-a-place": {"action", "name", "articles"},
    "pin": {"action", "name", "articles", "to", "geonames", "lat", "lon"},
    "alias": {"action", "name", "articles", "to"},
}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_PIECES = re.compile(r"[\W_]+")  # what separates the letter-and-digit runs of a folded word


@dataclass(frozen=True, slots=True)
class Correction:
    """One decision about one name: ``action`` is ``not-a-place``, ``pin`` or ``alias``.

    A pin or alias names its place by exactly one of ``to`` (a curated id), ``geonames``
    (a GeoNames id) or ``lat``/``lon``; ``articles`` empty means every article.
    """

    action: str
    name: str
    articles: tuple[str, ...] = ()
    to: str | None = None
    geonames: int | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def key(self) -> str:
        return name_key(self.name)

    def applies_to(self, article: str) -> bool:
        return not self.articles or article in self.articles

    def target(self) -> str:
        """The place as the user gave it: ``geneva``, ``geonames:379555`` or ``13.6, 25.3``."""
        if self.to is not None:
            return self.to
        if self.geonames is not None:
            return f"geonames:{self.geonames}"
        if self.lat is not None:
            return f"{self.lat}, {self.lon}"
        return ""

    def to_json(self) -> dict[str, Any]:
        """The entry as written in the file, fields in a fixed order."""
        entry: dict[str, Any] = {"action": self.action, "name": self.name}
        for field in ("to", "geonames", "lat", "lon"):
            value = getattr(self, field)
            if value is not None:
                entry[field] = float(value) if field in ("lat", "lon") else value
        if self.articles:
            entry["articles"] = sorted(self.articles)
        return entry

    def line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Corrections:
    """The entries of one corrections file, in the file's stable order (see :meth:`to_json`)."""

    entries: tuple[Correction, ...] = ()
    path: str = "<memory>"

    def __len__(self) -> int:
        return len(self.entries)

    def with_correction(self, correction: Correction) -> Corrections:
        """A copy holding ``correction``; it replaces the earlier decision about the same name in
        the same articles (a name has one decision per article), and one for the same place in
        other articles takes these articles too."""
        key, scope = correction.key, set(correction.articles)
        kept: list[Correction] = []
        for entry in self.entries:
            if entry.key != key:
                kept.append(entry)
            elif not scope and not entry.articles:
                continue  # both everywhere: the new one wins
            elif scope and entry.articles:
                rest = tuple(a for a in entry.articles if a not in scope)
                if _same_decision(entry, correction):
                    correction = replace(correction, articles=tuple(sorted(scope | set(entry.articles))))
                elif rest:
                    kept.append(replace(entry, articles=rest))
            else:
                kept.append(entry)
        return Corrections(_check_conflicts(self.path, _sorted([*kept, correction])), self.path)

    def without(self, name: str, action: str | None = None, article: str | None = None) -> Corrections:
        """A copy without the corrections of ``name`` (only of ``action``; only for ``article``).

        Raises :class:`InputError` when nothing matches, so a typo never passes for a removal.
        """
        key = name_key(name)
        kept: list[Correction] = []
        removed = 0
        for entry in self.entries:
            if entry.key != key or (action and entry.action != action):
                kept.append(entry)
            elif article is None:
                removed += 1
            elif article in entry.articles:
                removed += 1
                if len(entry.articles) > 1:
                    kept.append(replace(entry, articles=tuple(a for a in entry.articles if a != article)))
            else:
                kept.append(entry)
        if not removed:
            what = " ".join(filter(None, [action, repr(name), f"in {article!r}" if article else ""]))
            raise InputError(self.path, "", f"no correction {what} to remove; see nkmap fix list")
        return Corrections(tuple(kept), self.path)

    def to_json(self) -> str:
        """The file's text: sorted, two-space indent, one entry per line, so diffs stay small."""
        lines = [f"    {c.line()}" for c in _sorted(self.entries)]
        body = ("\n" + ",\n".join(lines) + "\n  ") if lines else ""
        return f'{{\n  "{FORMAT_KEY}": {FORMAT_VERSION},\n  "corrections": [{body}]\n}}\n'

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write the file atomically (a reader never sees half of it); use :func:`update` to read,
        change and save while others may do the same."""
        atomic.write_text(path or self.path, self.to_json())

    def bind(
        self, curated: Callable[[str], Place | None], geonames: Callable[[int], Place | None] | None = None
    ) -> AppliedCorrections:
        """The corrections with their places looked up: ``curated(id)`` in the curated gazetteer,
        ``geonames(id)`` in the GeoNames index (needed only when an entry names a GeoNames id).

        Raises :class:`InputError` naming the entry whose place does not exist.
        """
        places: dict[int, Place] = {}
        for index, c in enumerate(self.entries):
            if c.action == "not-a-place":
                continue
            where = f"entry {index} ({c.action} {c.name!r})"
            if c.to is not None:
                place = curated(c.to)
                if place is None:
                    raise InputError(
                        self.path, where + ", field 'to'", f"no place with id {c.to!r} in the curated gazetteer"
                    )
            elif c.geonames is not None:
                place = geonames(c.geonames) if geonames is not None else None
                if place is None:
                    raise InputError(
                        self.path, where + ", field 'geonames'", f"no settlement with GeoNames id {c.geonames}"
                    )
            else:
                place = Place(
                    id=f"correction-{_slug(c.name)}-{_point_tag(c)}",
                    name=c.name,
                    lat=float(c.lat),  # type: ignore[arg-type]
                    lon=float(c.lon),  # type: ignore[arg-type]
                    source=f"corrections: {c.lat}, {c.lon}",
                    origin=ORIGIN,
                )
            places[index] = place
        return AppliedCorrections(self, places)


def _same_decision(a: Correction, b: Correction) -> bool:
    return (a.action, a.to, a.geonames, a.lat, a.lon) == (b.action, b.to, b.geonames, b.lat, b.lon)


def _sorted(entries: Iterable[Correction]) -> tuple[Correction, ...]:
    return tuple(sorted(entries, key=lambda c: (c.key, c.name, c.action, c.articles, c.line())))


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name_key(name).encode("ascii", "ignore").decode()).strip("-") or "place"


def _point_tag(c: Correction) -> str:
    return hashlib.sha256(f"{c.lat},{c.lon}".encode()).hexdigest()[:6]


class AppliedCorrections:
    """Corrections whose places are known: the highest-tier name source and the not-a-place filter.

    It is a name source (tier ``CORRECTION``, above every other): the recogniser indexes the names
    of every pin and alias that holds everywhere, and in an article those that hold there
    (:meth:`source`). The pipeline puts :attr:`current` first among the resolver's sources and
    wraps the resolver with :meth:`resolver`, which per article drops the mentions of names marked
    not a place (as :class:`~nkmap.model.Dropped`, reason ``not a place (correction)``) and makes
    every mention of a pinned name resolve to its place with method ``correction``.
    """

    origin = ORIGIN
    tier = TIER

    def __init__(self, corrections: Corrections, places: dict[int, Place]) -> None:
        self.corrections = corrections
        self._places = places
        self._by_key: dict[str, list[tuple[Correction, Place | None]]] = {}
        for index, c in enumerate(corrections.entries):
            self._by_key.setdefault(c.key, []).append((c, places.get(index)))
        # the names the recogniser looks for: those pinned or aliased everywhere in every article, and
        # those pinned or aliased for some articles only there (elsewhere they are no candidate)
        general = {c.key for i, c in enumerate(corrections.entries) if i in places and not c.articles}
        scoped: dict[str, set[str]] = {}
        for i, c in enumerate(corrections.entries):
            if i in places and c.articles and c.key not in general:
                for article in c.articles:
                    scoped.setdefault(article, set()).add(c.key)
        self._named = sorted(general)
        self._scoped = {article: frozenset(keys) for article, keys in scoped.items()}
        # for the result cache: the pins and aliases with their first word's pieces, the not-a-place by name
        self._indexed = [(_first_word_pieces(c.key), c) for c in corrections.entries if c.action != "not-a-place"]
        pieces = sorted({p for first, _ in self._indexed for p in first}, key=lambda p: (-len(p), p))
        # each piece as a whole letter-and-digit run of the folded text
        self._pieces = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, pieces)) + r")(?![^\W_])")
        self._refusals: dict[str, list[Correction]] = {}
        for c in corrections.entries:
            if c.action == "not-a-place":
                self._refusals.setdefault(c.key, []).append(c)
        self.current = _ArticleSource(self, "")  # the resolver's source; ``resolver`` sets its article

    def __bool__(self) -> bool:
        return bool(self.corrections.entries)

    def names(self) -> Names:
        """The folded names of every pin and alias that holds everywhere: recognised as strongly as
        curated names (those for some articles: :meth:`scoped_names`, :meth:`source`)."""
        return Names(folded=keyset(self._named), max_words=self.max_words())

    def scoped_names(self, article: str) -> frozenset[str]:
        """The folded names pinned or aliased for ``article`` (and some others) but not everywhere:
        the recogniser looks for them in these articles only (through :meth:`source`)."""
        return self._scoped.get(article, frozenset())

    def lookup(self, name: str) -> list[Place]:
        """The place pinned everywhere for ``name`` (article-scoped pins: see :meth:`source`)."""
        decision = self.decision(name_key(name), "")
        return [decision[1]] if decision and decision[1] is not None else []

    def decision(self, key: str, article: str) -> tuple[Correction, Place | None] | None:
        """The correction that holds for the folded name ``key`` in ``article``: one for this
        article wins over one for everywhere."""
        entries = self._by_key.get(key)
        if not entries:
            return None
        scoped = [e for e in entries if e[0].articles and article in e[0].articles]
        general = [e for e in entries if not e[0].articles]
        chosen = scoped or general
        return chosen[0] if chosen else None

    def source(self, article: str) -> _ArticleSource:
        """A name source answering with this article's pinned places (put it first); its names are
        those of every pin and alias that holds in the article."""
        return _ArticleSource(self, article)

    def resolver(self, base: Callable[..., Any]) -> Callable[[Article | None, Sequence[Mention]], Resolution]:
        """``base`` (a resolver stage) with the corrections applied around it, per article."""

        def resolve(article: Article | None, mentions: Sequence[Mention]) -> Resolution:
            name = article.name if article is not None else ""
            kept, refused = self.refuse(name, mentions)
            self.current.article = name
            resolution = base(article, kept)
            if not isinstance(resolution, Resolution):
                resolution = Resolution(tuple(resolution))
            resolved = self.override(name, kept, resolution.mentions)
            pinned = {(rm.mention.start, rm.mention.end) for rm in resolved if rm.method == METHOD}
            dropped = [d for d in resolution.dropped if (d.mention.start, d.mention.end) not in pinned]
            return Resolution(tuple(resolved), tuple(sorted([*refused, *dropped], key=lambda d: d.mention.start)))

        return resolve

    def refuse(self, article: str, mentions: Sequence[Mention]) -> tuple[list[Mention], list[Dropped]]:
        """Split ``mentions`` into those kept and those of names marked not a place here."""
        kept: list[Mention] = []
        refused: list[Dropped] = []
        for m in mentions:
            decision = self.decision(name_key(m.surface), article)
            if decision is not None and decision[0].action == "not-a-place":
                refused.append(Dropped(m, Reason.CORRECTION))
            else:
                kept.append(m)
        return kept, refused

    def override(
        self, article: str, mentions: Sequence[Mention], resolved: Sequence[ResolvedMention]
    ) -> list[ResolvedMention]:
        """``resolved`` with every mention of a pinned or aliased name set to its place, in text
        order; a mention the resolver left out (no source knew the name) comes back pinned."""
        pinned: dict[tuple[int, int], ResolvedMention] = {}
        for m in mentions:
            decision = self.decision(name_key(m.surface), article)
            if decision is not None and decision[1] is not None:
                pinned[(m.start, m.end)] = ResolvedMention(m, decision[1], METHOD, 1.0)
        if not pinned:
            return list(resolved)
        out = [pinned.pop((rm.mention.start, rm.mention.end), rm) for rm in resolved]
        out.extend(pinned.values())
        return sorted(out, key=lambda rm: rm.mention.start)

    def recognition_digest(self, article: str, folded: Callable[[], str]) -> str:
        """A digest of the pins and aliases that can change what the recogniser finds in ``article``:
        those that hold in it and whose name's first word it writes. ``folded()`` gives the article's
        text folded as names are (:func:`nkmap.infra.resultcache.folded_words`); it is called only
        when such a pin or alias exists.

        A name's first word alone already changes how the scan reads that word (it may start the
        name), so the test is on the first word.
        """
        holding = [(pieces, c) for pieces, c in self._indexed if c.applies_to(article)]
        if not holding:
            return ""
        have = set(self._pieces.findall(folded()))
        lines = [c.line() for pieces, c in holding if pieces <= have]
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16] if lines else ""

    def decision_digest(self, article: str, candidates: Iterable[str]) -> str:
        """A digest of the not-a-place corrections that can change ``article``'s result: those that
        hold in it and name one of its ``candidates`` (the folded names the recogniser found or
        turned down there; a not-a-place only ever acts on those)."""
        refusals = self._refusals
        if not refusals:
            return ""
        lines = sorted(
            c.line() for key in candidates if key in refusals for c in refusals[key] if c.applies_to(article)
        )
        return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16] if lines else ""

    def max_words(self) -> int:
        return max((len(k.split()) for k in self._named), default=1)


def _first_word_pieces(key: str) -> frozenset[str]:
    """The letter-and-digit runs of a folded name's first word: "jum'at kota" → {"jum", "at"}."""
    first = key.split(" ", 1)[0]
    return frozenset(p for p in _PIECES.split(first) if p)


class _ArticleSource:
    """The corrections' places for one article, as a name source."""

    origin = ORIGIN
    tier = TIER

    def __init__(self, applied: AppliedCorrections, article: str) -> None:
        self._applied = applied
        self.article = article

    def names(self) -> Names:
        keys = sorted({*self._applied._named, *self._applied.scoped_names(self.article)})
        return Names(folded=keyset(keys), max_words=max((len(k.split()) for k in keys), default=1))

    def lookup(self, name: str) -> list[Place]:
        decision = self._applied.decision(name_key(name), self.article)
        return [decision[1]] if decision is not None and decision[1] is not None else []


# --- reading, validating, finding, updating ----------------------------------------------------


def load_corrections(path: str | os.PathLike[str]) -> Corrections:
    """Read and validate a corrections file; raise :class:`InputError` naming the bad entry."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(path, "", "no such file (nkmap fix creates it; or give another with --corrections)") from None
    except IsADirectoryError:
        raise InputError(path, "", "is a folder, not a corrections file") from None
    except UnicodeDecodeError as e:
        raise InputError(path, f"byte {e.start}", "not UTF-8 text; save the corrections file as UTF-8") from None
    except OSError as e:
        raise InputError(path, "", e.strerror or str(e)) from None
    return parse_corrections(text, path)


def parse_corrections(text: str, path: str | os.PathLike[str] = "<memory>") -> Corrections:
    """Validate the text of a corrections file (see the module docstring for the format)."""
    path = str(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"line {e.lineno}, column {e.colno}", f"not JSON: {e.msg}") from None
    if not isinstance(data, dict) or FORMAT_KEY not in data:
        raise InputError(
            path, "", f'not a corrections file: expected {{"{FORMAT_KEY}": {FORMAT_VERSION}, "corrections": [...]}}'
        )
    if data[FORMAT_KEY] != FORMAT_VERSION or isinstance(data[FORMAT_KEY], bool):
        raise InputError(
            path,
            f"field '{FORMAT_KEY}'",
            f"version {data[FORMAT_KEY]!r} is not one this nkmap reads ({FORMAT_VERSION})",
        )
    unknown = sorted(set(data) - {FORMAT_KEY, "corrections"})
    if unknown:
        raise InputError(
            path, f"field {unknown[0]!r}", f"unknown; a corrections file has only '{FORMAT_KEY}' and 'corrections'"
        )
    entries = data.get("corrections", [])
    if not isinstance(entries, list):
        raise InputError(path, "field 'corrections'", "must be a list of corrections")
    parsed = tuple(parse_entry(path, i, e) for i, e in enumerate(entries))
    _check_conflicts(path, parsed)
    return Corrections(parsed, path)


def parse_entry(path: str, index: int, entry: Any) -> Correction:
    where = f"entry {index}"
    if not isinstance(entry, dict):
        raise InputError(path, where, 'not an object such as {"action": "not-a-place", "name": "Tula"}')
    action = entry.get("action")
    if action not in ACTIONS:
        raise InputError(path, where + ", field 'action'", f"{action!r} is not one of {', '.join(ACTIONS)}")
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(path, where + ", field 'name'", "missing or empty; give the name as the articles write it")
    where = f"entry {index} ({action} {name!r})"
    name = name.strip()
    if _CONTROL.search(name):
        raise InputError(path, where + ", field 'name'", "holds a control character (newline, tab, ...); remove it")
    if not name_key(name):
        raise InputError(path, where + ", field 'name'", "has no letters or digits")
    unknown = sorted(set(entry) - _FIELDS[action])
    if unknown:
        raise InputError(
            path,
            where + f", field {unknown[0]!r}",
            f"not used by {action}; it takes {', '.join(sorted(_FIELDS[action]))}",
        )
    articles = entry.get("articles", [])
    if not isinstance(articles, list):
        raise InputError(path, where + ", field 'articles'", 'must be a list of article file names, e.g. ["a.txt"]')
    for n, article in enumerate(articles):
        if not isinstance(article, str) or not article.strip() or _CONTROL.search(article):
            raise InputError(path, where + f", field 'articles', item {n}", f"{article!r} is not an article file name")
    to = entry.get("to")
    if to is not None and (not isinstance(to, str) or not _ID.fullmatch(to)):
        raise InputError(path, where + ", field 'to'", f"{to!r} is not a curated gazetteer id such as 'geneva'")
    geonames = entry.get("geonames")
    if geonames is not None and (not isinstance(geonames, int) or isinstance(geonames, bool) or geonames <= 0):
        raise InputError(path, where + ", field 'geonames'", f"{geonames!r} is not a GeoNames id (a whole number > 0)")
    lat, lon = entry.get("lat"), entry.get("lon")
    if (lat is None) != (lon is None):
        raise InputError(
            path, where + f", field {'lon' if lon is None else 'lat'!r}", "missing; a point needs both lat and lon"
        )
    if lat is not None:
        lat, lon = _coordinate(path, where, "lat", lat, 90), _coordinate(path, where, "lon", lon, 180)
    targets = sum(x is not None for x in (to, geonames, lat))
    if action == "pin" and targets != 1:
        raise InputError(
            path,
            where,
            "a pin names its place by exactly one of 'to' (a curated id), 'geonames' (an id) or 'lat' and 'lon'",
        )
    if action == "alias" and to is None:
        raise InputError(path, where + ", field 'to'", "missing; an alias names the curated place it spells")
    return Correction(
        action=action,
        name=name,
        articles=tuple(sorted(dict.fromkeys(a.strip() for a in articles))),
        to=to,
        geonames=geonames,
        lat=lat,
        lon=lon,
    )


def _coordinate(path: str, where: str, field: str, value: Any, limit: int) -> float:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise InputError(path, where + f", field {field!r}", f"{value!r} is not a number")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise InputError(path, where + f", field {field!r}", "must be a finite number")
    if not -limit <= number <= limit:
        words = "latitude" if field == "lat" else "longitude"
        raise InputError(path, where + f", field {field!r}", f"{words} {value} is outside [-{limit}, {limit}]")
    return number


def _check_conflicts(path: str, entries: Sequence[Correction]) -> tuple[Correction, ...]:
    """A name has one decision per article: two entries that both hold everywhere, or for the
    same article, contradict each other."""
    seen: dict[tuple[str, str], int] = {}
    for index, c in enumerate(entries):
        for article in c.articles or ("",):
            other = seen.setdefault((c.key, article), index)
            if other != index:
                scope = f"article {article!r}" if article else "every article"
                raise InputError(
                    path,
                    f"entry {index} ({c.action} {c.name!r})",
                    f"entry {other} already decides this name for {scope}; keep one of them",
                )
    return tuple(entries)


def corrections_path(articles: Sequence[str | os.PathLike[str]]) -> Path | None:
    """The corrections file ``nkmap build`` picks up: ``corrections.json`` in the first articles
    folder given (or the folder of the first article file; URLs do not count), when it exists."""
    for given in articles:
        if "://" in str(given):
            continue  # a URL has no folder
        folder = Path(given) if Path(given).is_dir() else Path(given).parent
        candidate = folder / FILE_NAME
        return candidate if candidate.is_file() else None
    return None


def file_for(path: str | os.PathLike[str]) -> Path:
    """``--corrections`` may name the file or the articles folder it lives in."""
    target = Path(path)
    return target / FILE_NAME if target.is_dir() else target


def update(
    path: str | os.PathLike[str], change: Callable[[Corrections], Corrections], timeout: float = LOCK_TIMEOUT
) -> Corrections:
    """Apply ``change`` to the corrections file at ``path`` (created when missing) and save it,
    holding the file's lock, so two concurrent ``nkmap fix`` both keep their correction."""
    target = Path(path)
    with locked(target, timeout):
        current = load_corrections(target) if target.exists() else Corrections((), str(target))
        changed = change(current)
        changed.save(target)
        return changed
