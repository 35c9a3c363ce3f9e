"""The offline basemap: valid country polygons, in EPSG:4326, with the right countries in the right places."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point

BASEMAP = Path(__file__).resolve().parents[1] / "data" / "basemap" / "countries.geojson"


@pytest.fixture(scope="module")
def countries():
    return gpd.read_file(BASEMAP)


def test_crs_and_validity(countries):
    assert countries.crs.to_epsg() == 4326
    assert countries.is_valid.all()
    assert {"AM", "AZ", "RU", "CH", "TR", "ID"} <= set(countries["iso_a2"])


@pytest.mark.parametrize(
    ("lat", "lon", "iso"),
    [
        (40.17765, 44.5126, "AM"),  # Yerevan (GeoNames 616052)
        (40.37767, 49.89201, "AZ"),  # Baku (587084)
        (46.20222, 6.14569, "CH"),  # Geneva (2660646)
        (55.75204, 37.61781, "RU"),  # Moscow (524901)
        (39.8177, 46.7528, "AZ"),  # Stepanakert / Khankendi (146970)
    ],
)
def test_known_points_fall_in_their_country(countries, lat, lon, iso):
    hits = countries[countries.contains(Point(lon, lat))]
    assert list(hits["iso_a2"]) == [iso]
