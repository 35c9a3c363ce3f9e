"""Adding places to the curated gazetteer: one call, validated, saved atomically."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace

from nkmap.errors import InputError
from nkmap.model import Place
from nkmap.sources.gazetteer import Gazetteer, feature_for, update


def slug(name: str) -> str:
    """A stable id from a name: "Ağdərə" → "agdere", "Nagorno-Karabakh" → "nagorno-karabakh"."""
    plain = unicodedata.normalize("NFKD", name.replace("ə", "e").replace("ı", "i"))
    ascii_only = "".join(c for c in plain if not unicodedata.combining(c)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


def new_place(
    name: str,
    lat: float | None = None,
    lon: float | None = None,
    *,
    aliases: Sequence[str] = (),
    kind: str | None = None,
    country: str | None = None,
    place_id: str | None = None,
    population: int | None = None,
    source: str | None = None,
    from_geonames: int | None = None,
) -> Place:
    """A Place for the gazetteer, from what the user gave and, optionally, a GeoNames record."""
    base = None
    if from_geonames is not None:
        from nkmap.sources.geonames import load_geonames

        base = load_geonames().by_geonameid(from_geonames)
        if base is None:
            raise InputError("--from-geonames", str(from_geonames), "no settlement with this GeoNames id in cities500")
    if base is None and (lat is None or lon is None):
        raise InputError("nkmap gazetteer add", name, "give --lat and --lon, or --from-geonames ID")
    names = list(dict.fromkeys([name, *aliases]))
    place = Place(
        id=place_id or slug(name),
        name=name,
        lat=lat if lat is not None else base.lat,  # type: ignore[union-attr]
        lon=lon if lon is not None else base.lon,  # type: ignore[union-attr]
        kind=kind or (base.kind if base else "place"),
        country=(country or (base.country if base else "")).upper(),
        population=population if population is not None else (base.population if base else None),
        geonameid=base.geonameid if base else None,
        aliases=tuple(names),
        source=source or (base.source if base else "given by the user"),
    )
    if base is not None and name != base.name:
        place = replace(place, aliases=tuple(dict.fromkeys([*names, base.name])))
    return place


def add_place(path: str | os.PathLike[str], place: Place) -> Gazetteer:
    """Add ``place`` to the gazetteer at ``path``; refuses duplicate ids and names, bad coordinates.

    Goes through the locked :func:`nkmap.sources.gazetteer.update`, so two ``gazetteer add`` at once both keep their place.
    """

    def add(current: Gazetteer) -> Gazetteer:
        if current.get(place.id):
            raise InputError(path, f"id {place.id!r}", "a place with this id exists already; give another with --id")
        return current.with_feature(feature_for(place))

    return update(path, add)
