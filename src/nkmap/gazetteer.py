"""The curated gazetteer: a GeoJSON FeatureCollection of Point features, one per place.

It is the user's own work, so loading says exactly what is wrong and where, and saving keeps
every feature's properties as they were (unknown ones included), in a stable order, atomically.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import atomic
from .errors import InputError
from .model import Place
from .names import is_case_sensitive, name_key

DEFAULT_GAZETTEER = Path(__file__).resolve().parents[2] / "data" / "gazetteer.geojson"
KINDS = ("city", "town", "village", "district", "province", "region", "country", "continent", "feature")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PROPERTY_ORDER = ("id", "name", "aliases", "kind", "country", "population", "geonameid", "source", "shared_name")


class Gazetteer:
    """Places and the names they are known by; ``lookup(name)`` answers like every name source."""

    origin = "gazetteer"

    def __init__(self, features: Sequence[Mapping[str, Any]], path: str | os.PathLike[str] = "<memory>") -> None:
        self.path = str(path)
        self.features = [dict(f) for f in features]
        self.places = tuple(_place(self.path, i, f) for i, f in enumerate(self.features))
        self._by_key: dict[str, list[Place]] = {}
        self._by_exact: dict[str, list[Place]] = {}
        _check_unique_ids(self.path, self.places)
        for place in self.places:
            for alias in _all_names(place):
                index = self._by_exact if is_case_sensitive(alias) else self._by_key
                key = alias if index is self._by_exact else name_key(alias)
                bucket = index.setdefault(key, [])
                if place not in bucket:
                    bucket.append(place)
        _check_shared_aliases(self.path, self.places, {**self._by_key, **self._by_exact})

    def __len__(self) -> int:
        return len(self.places)

    def lookup(self, name: str) -> list[Place]:
        """Every place known by ``name``: case-insensitive, except for short capital abbreviations."""
        return list(self._by_exact.get(name, ())) or list(self._by_key.get(name_key(name), ()))

    def names(self) -> tuple[list[str], list[str]]:
        """The folded keys and the exact (case-sensitive) names, for building a recogniser."""
        return list(self._by_key), list(self._by_exact)

    def get(self, place_id: str) -> Place | None:
        return next((p for p in self.places if p.id == place_id), None)

    def with_feature(self, feature: Mapping[str, Any]) -> Gazetteer:
        """A new gazetteer with one more feature, validated like the rest."""
        return Gazetteer([*self.features, feature], self.path)

    def to_geojson(self) -> str:
        """The file's text: one feature per line, sorted by id, so diffs stay small."""
        lines = [_feature_line(f) for f in sorted(self.features, key=lambda f: f["properties"]["id"])]
        body = ",\n".join(lines)
        return '{"type": "FeatureCollection", "features": [\n' + body + "\n]}\n"

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write the gazetteer to ``path`` (default: where it was read) atomically."""
        atomic.write_text(path or self.path, self.to_geojson())


def load_gazetteer(path: str | os.PathLike[str] = DEFAULT_GAZETTEER) -> Gazetteer:
    """Read and validate a curated gazetteer; raise :class:`InputError` naming the bad spot."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(path, "", "no such file (give the gazetteer with --gazetteer PATH)") from None
    except UnicodeDecodeError as e:
        raise InputError(path, f"byte {e.start}", "not UTF-8 text; save the gazetteer as UTF-8") from None
    except OSError as e:
        raise InputError(path, "", e.strerror or str(e)) from None
    return parse_gazetteer(text, path)


def parse_gazetteer(text: str, path: str | os.PathLike[str] = "<memory>") -> Gazetteer:
    """Validate GeoJSON text as a gazetteer (see :func:`load_gazetteer`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"line {e.lineno}, column {e.colno}", f"not valid JSON: {e.msg}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(path, "top level", 'not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})')
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(path, "field 'features'", "must be a list of Point features")
    return Gazetteer(features, path)


def feature_for(place: Place) -> dict[str, Any]:
    """The GeoJSON feature for a place, in the gazetteer's property order."""
    props: dict[str, Any] = {"id": place.id, "name": place.name, "aliases": list(place.aliases), "kind": place.kind,
                             "country": place.country, "population": place.population,
                             "geonameid": place.geonameid, "source": place.source}
    if place.shared_name:
        props["shared_name"] = True
    props = {k: v for k, v in props.items() if v is not None}
    # GeoJSON is [lon, lat]: the one place the gazetteer converts axis order.
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]}, "properties": props}


def _feature_line(feature: Mapping[str, Any]) -> str:
    props = feature["properties"]
    ordered = {k: props[k] for k in _PROPERTY_ORDER if k in props}
    ordered.update((k, v) for k, v in props.items() if k not in ordered)
    out = {"type": "Feature", "geometry": feature["geometry"], "properties": ordered}
    return json.dumps(out, ensure_ascii=False)


def _place(path: str, index: int, feature: Any) -> Place:
    where = f"feature {index}"
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise InputError(path, where, 'not a GeoJSON Feature ({"type": "Feature", ...})')
    props = feature.get("properties")
    if not isinstance(props, dict):
        raise InputError(path, where + ", field 'properties'", "missing; give at least id and name")
    pid = props.get("id")
    if pid is not None:
        where = f"feature {index} (id {pid!r})"
    if not isinstance(pid, str) or not _ID.match(pid):
        raise InputError(path, where + ", field 'id'", "must be a slug of lower-case letters, digits and hyphens, e.g. 'stepanakert'")
    name = props.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(path, where + ", field 'name'", "missing or empty; give the place's English name")
    lon, lat = _coordinates(path, where, feature.get("geometry"))
    aliases = props.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise InputError(path, where + ", field 'aliases'", "must be a list of non-empty strings")
    kind = props.get("kind", "place")
    if not isinstance(kind, str) or not kind:
        raise InputError(path, where + ", field 'kind'", f"must be one of {', '.join(KINDS)}")
    country = props.get("country", "")
    if not isinstance(country, str) or (country and not re.fullmatch(r"[A-Z]{2}", country)):
        raise InputError(path, where + ", field 'country'", f"{country!r} is not an ISO 3166-1 alpha-2 code such as 'AZ'")
    population = _optional_int(path, where, props, "population")
    geonameid = _optional_int(path, where, props, "geonameid")
    source = props.get("source", "")
    if not isinstance(source, str):
        raise InputError(path, where + ", field 'source'", "must be a string: 'geonames:ID' or a URL")
    shared = props.get("shared_name", False)
    if not isinstance(shared, bool):
        raise InputError(path, where + ", field 'shared_name'", "must be true or false")
    return Place(id=pid, name=name.strip(), lat=lat, lon=lon, kind=kind, country=country, population=population,
                 geonameid=geonameid, aliases=tuple(a.strip() for a in aliases), source=source, shared_name=shared)


def _coordinates(path: str, where: str, geometry: Any) -> tuple[float, float]:
    if not isinstance(geometry, dict):
        raise InputError(path, where + ", field 'geometry'", "missing; give a Point geometry with [longitude, latitude]")
    if geometry.get("type") != "Point":
        raise InputError(path, where + ", field 'geometry'", f"is a {geometry.get('type')!r}, not a 'Point'")
    coords = geometry.get("coordinates")
    if (not isinstance(coords, list) or len(coords) not in (2, 3)
            or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)):
        raise InputError(path, where + ", field 'coordinates'", "must be [longitude, latitude] as numbers")
    lon, lat = float(coords[0]), float(coords[1])
    if not math.isfinite(lon) or not -180 <= lon <= 180:
        raise InputError(path, where + ", field 'coordinates'", f"longitude {coords[0]} is outside [-180, 180]")
    if not math.isfinite(lat) or not -90 <= lat <= 90:
        raise InputError(path, where + ", field 'coordinates'", f"latitude {coords[1]} is outside [-90, 90] (GeoJSON order is [longitude, latitude])")
    return lon, lat


def _optional_int(path: str, where: str, props: Mapping[str, Any], field: str) -> int | None:
    value = props.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(path, where + f", field {field!r}", f"{value!r} is not a whole number >= 0")
    return value


def _all_names(place: Place) -> Iterable[str]:
    return dict.fromkeys((place.name, *place.aliases))


def _check_unique_ids(path: str, places: Sequence[Place]) -> None:
    seen: dict[str, int] = {}
    for i, place in enumerate(places):
        if place.id in seen:
            raise InputError(path, f"feature {i} (id {place.id!r}), field 'id'",
                             f"duplicate of feature {seen[place.id]}; give each place its own id")
        seen[place.id] = i


def _check_shared_aliases(path: str, places: Sequence[Place], index: Mapping[str, list[Place]]) -> None:
    position = {p.id: i for i, p in enumerate(places)}
    for key, bucket in index.items():
        if len(bucket) > 1 and not all(p.shared_name for p in bucket):
            first, second = bucket[0], bucket[1]
            raise InputError(path, f"feature {position[second.id]} (id {second.id!r}), field 'aliases'",
                             f"name {key!r} is also used by feature {position[first.id]} (id {first.id!r}); "
                             "remove it from one, or mark both places \"shared_name\": true")
