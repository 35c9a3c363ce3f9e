"""A chunk's mentions packed for the trip from a worker process to the parent, and made again there.

Pickled one by one, each :class:`~nkmap.model.ResolvedMention` and its :class:`~nkmap.model.Mention`
go through a Python ``__reduce__`` in the worker and a call of the class (its Python ``__init__``) in
the parent: for a chunk of 170 news articles, 7.5k mentions and 2.5k dropped candidates, about 2 MB
and 40-50 ms of pickling plus as much again of unpickling, on top of the geoparsing. Packed here,
they travel as columns: the distinct strings and objects (articles' names, surfaces, sentences,
places, evidence, methods, roles, reasons) once each, and per mention only integer codes and numbers
in arrays, which pickle as bytes. The parent makes every object again with the slots' own setters
(C loops, no ``__init__`` per object): the same fields, so equal objects, and those that were one
object in the worker (a place, a sentence) are one object again.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import fields
from itertools import repeat
from operator import attrgetter
from typing import Any, TypeVar

from nkmap.model import Dropped, Mention, ResolvedMention

T = TypeVar("T")

_MENTION = tuple(f.name for f in fields(Mention))
_RESOLVED = tuple(f.name for f in fields(ResolvedMention))
_DROPPED = tuple(f.name for f in fields(Dropped))
_BY_VALUE = frozenset({"article", "surface", "method", "role", "reason"})  # strings: equal ones are made one
_NUMBERS = {"start": "q", "end": "q", "sentence_start": "q", "confidence": "d"}  # in arrays, when all of one type
_KINDS = {"q": int, "d": float}


def _codes(index: dict[Any, int], keys: Iterable[Any]) -> array:
    """``index[key]`` for each key, in the smallest array that holds them."""
    typecode = "B" if len(index) <= 0xFF else "H" if len(index) <= 0xFFFF else "q"
    return array(typecode, map(index.__getitem__, keys))


def _coded(values: Sequence[Any], by_value: bool) -> tuple[list[Any], array]:
    """The distinct ``values`` in order of first appearance (equal strings, or the same object), and
    each value's index among them. Loops in C: no Python call per value."""
    if by_value:
        table = list(dict.fromkeys(values))
        return table, _codes(dict(zip(table, range(len(table)))), values)
    ids = list(map(id, values))
    first = dict(zip(ids, values))  # one object per id: the last one given is the first one
    return list(first.values()), _codes(dict(zip(first, range(len(first)))), ids)


def _columns(objects: Sequence[Any], names: Sequence[str], coded: dict[str, bool]) -> dict[str, Any]:
    """Each field of ``objects`` as a column: numbers in arrays, the others as (table, codes)."""
    out: dict[str, Any] = {}
    if not objects:
        return {name: [] for name in names}
    # one pass over the objects (each read once, while it is in the cache), then cut into columns
    rows = map(attrgetter(*names), objects) if len(names) > 1 else zip(map(attrgetter(*names), objects))
    for name, values in zip(names, zip(*rows)):
        if name in _NUMBERS and set(map(type, values)) == {_KINDS[_NUMBERS[name]]}:  # 1 stays 1, not 1.0
            out[name] = array(_NUMBERS[name], values)
        elif name in coded:
            out[name] = _coded(values, coded[name])
        else:
            out[name] = list(values)  # a list: a tuple here is (table, codes)
    return out


def _values(column: Any) -> Iterable[Any]:
    if isinstance(column, tuple):  # (table, codes)
        table, codes = column
        return map(table.__getitem__, codes)
    return column


def _made(cls: type[T], n: int, columns: dict[str, Any], names: Sequence[str]) -> list[T]:
    """``n`` instances of the frozen slotted dataclass ``cls``, each field set from its column by the slot's
    own setter: what ``cls(*fields)`` makes, without a Python ``__init__`` call per object."""
    made: list[T] = list(map(object.__new__, repeat(cls, n)))
    for name in names:
        deque(map(cls.__dict__[name].__set__, made, _values(columns[name])), maxlen=0)
    return made


def packed(mentions: Sequence[ResolvedMention], dropped: Sequence[Dropped]) -> tuple[Any, ...]:
    """``mentions`` and ``dropped`` as columns of primitives (what :func:`unpacked` makes them again from)."""
    resolved = _columns(mentions, _RESOLVED, {"place": False, "method": True, "role": True})
    drops = _columns(dropped, _DROPPED, {"reason": True})
    inner, theirs = resolved.pop("mention"), drops["mention"]
    known = dict(zip(map(id, inner), range(len(inner))))
    # a kept candidate shares its mention with the mentions; the others are their own (one object, one entry)
    own = list({id(m): m for m in theirs if id(m) not in known}.values())
    known.update(zip(map(id, own), range(len(known), len(known) + len(own))))
    drops["mention"] = _codes(known, map(id, theirs))
    every = inner + own
    mention_codes = {n: n in _BY_VALUE for n in ("article", "surface", "sentence", "evidence")}
    return len(every), _columns(every, _MENTION, mention_codes), len(mentions), resolved, len(dropped), drops


def unpacked(packed: tuple[Any, ...]) -> tuple[tuple[ResolvedMention, ...], tuple[Dropped, ...]]:
    """The mentions and the dropped candidates :func:`packed` packed, made again."""
    n_every, every_columns, n_mentions, resolved, n_dropped, drops = packed
    every = _made(Mention, n_every, every_columns, _MENTION)
    resolved["mention"] = every[:n_mentions]
    drops["mention"] = (every, drops["mention"])
    mentions = _made(ResolvedMention, n_mentions, resolved, _RESOLVED)
    return tuple(mentions), tuple(_made(Dropped, n_dropped, drops, _DROPPED))
