"""The curated gazetteer: a GeoJSON FeatureCollection of Point features, one per place.

It is the user's own work, so loading says exactly what is wrong and where, and saving keeps
every feature's properties as they were (unknown ones included), in a stable order, atomically.
Read-modify-write goes through :func:`update`, which holds a lock so concurrent updates all survive.

Errors (exit 2, nothing written) name the file, the feature index and id, the field and the fix.
Coordinates that look swapped, or that fall outside the place's country, are warnings (logger
``nkmap``): checked against ``data/basemap/countries.geojson`` when it exists.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nkmap.datafiles import DEFAULT_BASEMAP, DEFAULT_GAZETTEER
from nkmap.errors import InputError, describe_os_error
from nkmap.infra import atomic
from nkmap.infra.locking import LOCK_TIMEOUT, locked
from nkmap.model import Place
from nkmap.names import is_case_sensitive, name_key
from nkmap.sources.base import Names, Tier, keyset

COUNTRY_TOLERANCE = 0.5  # degrees (~55 km): coarse country outlines miss coasts and small islands
log = logging.getLogger(__name__)
KINDS = ("city", "town", "village", "district", "province", "region", "country", "continent", "feature")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PROPERTY_ORDER = ("id", "name", "aliases", "kind", "country", "population", "geonameid", "source", "shared_name")


class Gazetteer:
    """Places and the names they are known by; ``lookup(name)`` answers like every name source."""

    tier = Tier.CURATED

    def __init__(
        self,
        features: Sequence[Mapping[str, Any]],
        path: str | os.PathLike[str] = "<memory>",
        *,
        members: Mapping[str, Any] | None = None,
        style: TextStyle | None = None,
    ) -> None:
        self.path = str(path)
        self.members = dict(members or {})  # the file's other top-level members ("name", "crs", metadata): kept
        self.style = style or TextStyle()
        self.places = tuple(_place(self.path, i, f) for i, f in enumerate(features))
        self.features = [dict(f) for f in features]
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

    def names(self) -> Names:
        """The folded keys and the exact (case-sensitive) names, for building a recogniser."""
        return Names(folded=keyset(self._by_key), exact=frozenset(self._by_exact))

    def get(self, place_id: str) -> Place | None:
        return next((p for p in self.places if p.id == place_id), None)

    def with_feature(self, feature: Mapping[str, Any]) -> Gazetteer:
        """A new gazetteer with one more feature, validated like the rest."""
        return Gazetteer([*self.features, feature], self.path, members=self.members, style=self.style)

    def to_geojson(self) -> str:
        """The file's text: one feature per line, sorted by id, so diffs stay small."""
        lines = [_feature_line(f) for f in sorted(self.features, key=lambda f: f["properties"]["id"])]
        body = ",\n".join(lines)
        head = json.dumps({"type": "FeatureCollection", **self.members}, ensure_ascii=False)[:-1]  # without "}"
        return head + ', "features": [\n' + body + "\n]}\n"

    def save(self, path: str | os.PathLike[str] | None = None) -> None:
        """Write the gazetteer to ``path`` (default: where it was read) atomically.

        A reader never sees half a file; to read, change and save while others may do the same,
        use :func:`update`, which also holds the lock.
        """
        text = self.to_geojson().replace("\n", self.style.newline)  # JSON strings hold no raw line break
        atomic.write_text(_through_links(path or self.path), ("\ufeff" if self.style.bom else "") + text)


@dataclass(frozen=True, slots=True)
class TextStyle:
    """How the file was written, kept on save: a UTF-8 byte-order mark, CRLF or LF line ends."""

    bom: bool = False
    newline: str = "\n"

    @classmethod
    def of(cls, raw: str) -> TextStyle:
        """The style of ``raw``, the file's text as decoded with its byte-order mark (if any) kept."""
        return cls(bom=raw.startswith("\ufeff"), newline="\r\n" if "\r\n" in raw else "\n")


def _through_links(path: str | os.PathLike[str]) -> Path:
    """The file a (chain of) symbolic link(s) points to: a save replaces that file, not the link."""
    return Path(os.path.realpath(path))


def update(
    path: str | os.PathLike[str], change: Callable[[Gazetteer], Gazetteer], timeout: float = LOCK_TIMEOUT
) -> Gazetteer:
    """Apply ``change`` to the gazetteer at ``path`` and save the result, holding the file's lock.

    The gazetteer is reloaded inside the lock, so two processes adding places at once both
    keep their place (without the lock the second save would drop the first one's).

    >>> update("my.geojson", lambda g: g.with_feature(feature))  # doctest: +SKIP
    """
    real = _through_links(path)  # one lock per file, however it is reached
    with locked(real, timeout):
        changed = change(load_gazetteer(path, check_countries=False))
        changed.save(real)
        return changed


def load_gazetteer(path: str | os.PathLike[str] = DEFAULT_GAZETTEER, check_countries: bool = True) -> Gazetteer:
    """Read and validate a curated gazetteer; raise :class:`InputError` naming the bad spot.

    With ``check_countries``, coordinates outside their country (or evidently swapped) are
    logged as warnings; see :func:`misplaced`.
    """
    try:
        raw = Path(path).read_bytes().decode("utf-8")  # bytes: text mode would hide CRLF line ends
    except FileNotFoundError:
        raise InputError(path, "", "no such file (give the gazetteer with --gazetteer PATH)") from None
    except UnicodeDecodeError as e:
        raise InputError(path, f"byte {e.start}", "not UTF-8 text; save the gazetteer as UTF-8") from None
    except OSError as e:
        raise InputError(path, "", describe_os_error(e)) from None
    text = raw.removeprefix("\ufeff")
    gazetteer = parse_gazetteer(text, path)
    gazetteer.style = TextStyle.of(raw)
    if check_countries:
        for warning in _misplaced_once(gazetteer, text):
            log.warning("%s", warning)
    return gazetteer


def _misplaced_once(gazetteer: Gazetteer, text: str, basemap: Path = DEFAULT_BASEMAP) -> list[str]:
    """:func:`misplaced`, remembered on disk per gazetteer text and basemap: the check loads
    every country outline (most of a second), and a gazetteer is read far more often than edited."""
    from nkmap.infra.cache import remembered_json

    try:
        stamp = basemap.stat()
    except OSError:
        return []
    key = f"{gazetteer.path}\0{stamp.st_size}\0{stamp.st_mtime_ns}\0{text}"
    return remembered_json("checked-gazetteers", key, lambda: misplaced(gazetteer, basemap))


def parse_gazetteer(text: str, path: str | os.PathLike[str] = "<memory>") -> Gazetteer:
    """Validate GeoJSON text as a gazetteer (see :func:`load_gazetteer`)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(path, f"line {e.lineno}, column {e.colno}", f"not valid JSON: {e.msg}") from None
    except (ValueError, RecursionError) as e:  # a number of over 4300 digits; [[[[... nested too deep
        problem = "nested too deeply" if isinstance(e, RecursionError) else str(e)
        raise InputError(path, "", f"not usable JSON: {problem}") from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(
            path, "top level", 'not a GeoJSON FeatureCollection ({"type": "FeatureCollection", "features": [...]})'
        )
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(path, "field 'features'", "must be a list of Point features")
    members = {k: v for k, v in data.items() if k not in ("type", "features")}
    return Gazetteer(features, path, members=members, style=TextStyle.of(text))


def feature_for(place: Place) -> dict[str, Any]:
    """The GeoJSON feature for a place, in the gazetteer's property order."""
    props: dict[str, Any] = {
        "id": place.id,
        "name": place.name,
        "aliases": list(place.aliases),
        "kind": place.kind,
        "country": place.country,
        "population": place.population,
        "geonameid": place.geonameid,
        "source": place.source,
    }
    if place.shared_name:
        props["shared_name"] = True
    props = {k: v for k, v in props.items() if v is not None}
    # GeoJSON is [lon, lat]: the one place the gazetteer converts axis order.
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
        "properties": props,
    }


def _feature_line(feature: Mapping[str, Any]) -> str:
    props = feature["properties"]
    ordered = {k: props[k] for k in _PROPERTY_ORDER if k in props}
    ordered.update((k, v) for k, v in props.items() if k not in ordered)
    out: dict[str, Any] = {"type": "Feature"}
    if "id" in feature:  # the GeoJSON feature id, apart from properties.id: kept as it was
        out["id"] = feature["id"]
    out.update(geometry=feature["geometry"], properties=ordered)
    out.update((k, v) for k, v in feature.items() if k not in out)  # bbox, foreign members: kept too
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
    if not isinstance(pid, str) or not _ID.fullmatch(pid):
        raise InputError(
            path, where + ", field 'id'", "must be a slug of lower-case letters, digits and hyphens, e.g. 'stepanakert'"
        )
    name = props.get("name")
    if name is not None and not isinstance(name, str):
        raise InputError(path, where + ", field 'name'", f"{name!r} is not a string; give the place's English name")
    if not name or not name.strip():
        raise InputError(path, where + ", field 'name'", "missing or empty; give the place's English name")
    if not name_key(name):
        raise InputError(
            path, where + ", field 'name'", f"{name!r} has no letters or digits; give the place's English name"
        )
    _check_plain(path, where + ", field 'name'", name)
    lon, lat = _coordinates(path, where, feature.get("geometry"))
    aliases = props.get("aliases", [])
    if not isinstance(aliases, list):
        raise InputError(
            path,
            where + ", field 'aliases'",
            f'must be a list of strings such as ["Khankendi"], not {type(aliases).__name__} {aliases!r}',
        )
    for n, alias in enumerate(aliases):
        if not isinstance(alias, str):
            raise InputError(path, where + f", field 'aliases', item {n}", f"{alias!r} is not a string; quote it")
        if not name_key(alias):
            raise InputError(
                path, where + f", field 'aliases', item {n}", f"{alias!r} has no letters or digits; remove it"
            )
        _check_plain(path, where + f", field 'aliases', item {n}", alias)
    kind = props.get("kind", "place")
    if not isinstance(kind, str) or not kind:
        raise InputError(path, where + ", field 'kind'", f"must be one of {', '.join(KINDS)}")
    _check_plain(path, where + ", field 'kind'", kind)
    country = props.get("country", "")
    if not isinstance(country, str) or (country and not re.fullmatch(r"[A-Z]{2}", country)):
        raise InputError(
            path, where + ", field 'country'", f"{country!r} is not an ISO 3166-1 alpha-2 code such as 'AZ'"
        )
    population = _optional_int(path, where, props, "population")
    geonameid = _optional_int(path, where, props, "geonameid")
    source = props.get("source", "")
    if not isinstance(source, str):
        raise InputError(path, where + ", field 'source'", "must be a string: 'geonames:ID' or a URL")
    _check_plain(path, where + ", field 'source'", source)
    shared = props.get("shared_name", False)
    if not isinstance(shared, bool):
        raise InputError(path, where + ", field 'shared_name'", "must be true or false")
    return Place(
        id=pid,
        name=name.strip(),
        lat=lat,
        lon=lon,
        kind=kind,
        country=country,
        population=population,
        geonameid=geonameid,
        aliases=tuple(a.strip() for a in aliases),
        source=source,
        shared_name=shared,
    )


def _coordinates(path: str, where: str, geometry: Any) -> tuple[float, float]:
    if not isinstance(geometry, dict):
        raise InputError(
            path, where + ", field 'geometry'", "missing; give a Point geometry with [longitude, latitude]"
        )
    if geometry.get("type") != "Point":
        raise InputError(
            path,
            where + ", field 'geometry'",
            f"is a {geometry.get('type')!r}, not a 'Point'; "
            "give one Point at [longitude, latitude] (for an area, a point inside it)",
        )
    coords = geometry.get("coordinates")
    if (
        not isinstance(coords, list)
        or len(coords) not in (2, 3)
        or not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords)
    ):
        raise InputError(path, where + ", field 'coordinates'", "must be [longitude, latitude] as numbers")
    try:
        lon, lat = float(coords[0]), float(coords[1])
    except OverflowError:
        lon = lat = math.inf
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise InputError(path, where + ", field 'coordinates'", "must be finite numbers [longitude, latitude]")
    if not -180 <= lon <= 180:
        raise InputError(path, where + ", field 'coordinates'", f"longitude {coords[0]} is outside [-180, 180]")
    if not -90 <= lat <= 90:
        raise InputError(
            path,
            where + ", field 'coordinates'",
            f"latitude {coords[1]} is outside [-90, 90] (GeoJSON order is [longitude, latitude])",
        )
    return lon, lat


def _optional_int(path: str, where: str, props: Mapping[str, Any], field: str) -> int | None:
    value = props.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InputError(path, where + f", field {field!r}", f"{value!r} is not a whole number >= 0")
    if value > MAX_INT:  # tables store it as a 64-bit integer
        raise InputError(path, where + f", field {field!r}", f"{value} is too large (at most {MAX_INT})")
    return value


MAX_INT = 2**63 - 1
# Control characters (newline, tab, ESC, C1), line and paragraph separators and lone surrogates
# would break a one-line-per-place listing, XML (places.kml) and UTF-8 outputs.
_NOT_PLAIN = frozenset(("Cc", "Zl", "Zp", "Cs"))


def _check_plain(path: str, where: str, value: str) -> None:
    bad = next((c for c in value if unicodedata.category(c) in _NOT_PLAIN), None)
    if bad is not None:
        raise InputError(
            path, where, f"{value!r} holds the unprintable character U+{ord(bad):04X} ({_char_name(bad)}); remove it"
        )


def _char_name(c: str) -> str:
    named = {"\n": "line feed", "\r": "carriage return", "\t": "tab", "\x1b": "escape"}
    if c in named:
        return named[c]
    if unicodedata.category(c) == "Cs":
        return "lone surrogate"
    return unicodedata.name(c, "control character").lower()


def _all_names(place: Place) -> Iterable[str]:
    return dict.fromkeys((place.name, *place.aliases))


def _check_unique_ids(path: str, places: Sequence[Place]) -> None:
    seen: dict[str, int] = {}
    for i, place in enumerate(places):
        if place.id in seen:
            raise InputError(
                path,
                f"feature {i} (id {place.id!r}), field 'id'",
                f"duplicate of feature {seen[place.id]}; give each place its own id",
            )
        seen[place.id] = i


def _check_shared_aliases(path: str, places: Sequence[Place], index: Mapping[str, list[Place]]) -> None:
    position = {p.id: i for i, p in enumerate(places)}
    for key, bucket in index.items():
        if len(bucket) > 1 and not all(p.shared_name for p in bucket):
            first, second = bucket[0], bucket[1]
            raise InputError(
                path,
                f"feature {position[second.id]} (id {second.id!r}), field 'aliases'",
                f"name {key!r} is also used by feature {position[first.id]} (id {first.id!r}); "
                'remove it from one, or mark both places "shared_name": true',
            )


def misplaced(gazetteer: Gazetteer, basemap: str | os.PathLike[str] = DEFAULT_BASEMAP) -> list[str]:
    """Warnings for places whose point is not in their country, or evidently has lat and lon swapped.

    Uses the country outlines in ``basemap`` (GeoJSON with an ``iso_a2`` property); without
    that file nothing is checked. shapely and the outlines load only here, once per file.
    A place is reported when it lies more than ``COUNTRY_TOLERANCE`` degrees outside its
    country, or, with no country given, is in the sea while its swapped point is on land.
    """
    countries = _countries(str(basemap)) if Path(basemap).is_file() else None
    if not countries or not gazetteer.places:
        return []
    import shapely

    found = []
    for i, place in enumerate(gazetteer.places):
        if place.kind == "continent":
            continue  # a continent's point is only where its label goes
        outline = countries.get(place.country) if place.country else _land(str(basemap))
        point = shapely.Point(place.lon, place.lat)
        # contains() is fast on prepared outlines; distance() only for the few points outside
        if outline is None or outline.contains(point) or outline.distance(point) <= COUNTRY_TOLERANCE:
            continue
        swapped = -90 <= place.lon <= 90 and outline.distance(shapely.Point(place.lat, place.lon)) <= COUNTRY_TOLERANCE
        where = f"{gazetteer.path}: feature {i} (id {place.id!r}), field 'coordinates'"
        point = f"[{place.lon:g}, {place.lat:g}]"
        if swapped:
            found.append(
                f"{where}: {point} lies outside {_country(place)}, but [{place.lat:g}, {place.lon:g}] "
                "lies inside: latitude and longitude look swapped (GeoJSON order is [longitude, latitude])"
            )
        elif place.country:
            found.append(
                f"{where}: {point} lies outside its country {place.country!r}; "
                "check the coordinates (GeoJSON order is [longitude, latitude]) and the country code"
            )
    return found


def _country(place: Place) -> str:
    return f"its country {place.country!r}" if place.country else "any country (in the sea)"


@functools.lru_cache(maxsize=4)
def _countries(path: str) -> dict[str, Any]:
    """Country outlines by ISO code (entities without one under "-99"), prepared for fast tests."""
    import shapely
    from shapely.geometry import shape

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        shapes: dict[str, list[Any]] = {}
        for feature in data["features"]:
            code = feature["properties"].get("iso_a2") or feature["properties"].get("ISO_A2") or ""
            geometry = shape(feature["geometry"])
            shapes.setdefault(code if re.fullmatch(r"[A-Z]{2}", code) else "-99", []).append(geometry)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        log.warning("%s: cannot read country outlines (%s); coordinates not checked against countries", path, e)
        return {}
    outlines = {code: shapely.union_all(parts) if len(parts) > 1 else parts[0] for code, parts in shapes.items()}
    for outline in outlines.values():
        shapely.prepare(outline)
    return outlines


@functools.lru_cache(maxsize=4)
def _land(path: str) -> Any:
    """All land as one prepared outline: only places with no country need it (it costs ~0.5 s)."""
    import shapely

    outlines = _countries(path)
    land = shapely.union_all(list(outlines.values())) if outlines else None
    if land is not None:
        shapely.prepare(land)
    return land
