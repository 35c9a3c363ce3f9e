"""The speed work keeps results exact: fast paths give the same values as the slow ones they replace."""

from __future__ import annotations

import random

from geopy.distance import EARTH_RADIUS, great_circle

from nkmap.resolve.resolver import EARTH_RADIUS as NKMAP_RADIUS
from nkmap.resolve.resolver import _km


def test_distance_is_geopys_great_circle_to_the_last_bit():
    assert NKMAP_RADIUS == EARTH_RADIUS
    rng = random.Random(5)
    for _ in range(20_000):
        lat1, lat2 = rng.uniform(-90, 90), rng.uniform(-90, 90)
        lon1, lon2 = rng.uniform(-180, 180), rng.uniform(-180, 180)
        assert _km(lat1, lon1, lat2, lon2) == great_circle((lat1, lon1), (lat2, lon2)).km
    assert _km(0.0, 190.0, 0.0, 10.0) == great_circle((0.0, 190.0), (0.0, 10.0)).km  # geopy normalises this one
