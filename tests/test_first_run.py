"""What a first run loads: the GeoNames index module alone, and the package's names only when used."""

from __future__ import annotations

import subprocess
import sys

import pytest

import nkmap

from .conftest import ARTICLES, nkmap_env


def test_the_geonames_index_loads_without_the_pipeline_or_the_writers():
    code = (
        "import sys; import nkmap.sources.geonames; "
        "print(sorted(m for m in ('nkmap.pipeline', 'folium', 'geopandas', 'pandas', 'shapely') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_every_public_name_is_the_object_its_module_defines():
    from importlib import import_module

    for name in nkmap.__all__:
        module = import_module(f"nkmap.{nkmap._LAZY[name]}")
        assert getattr(nkmap, name) is getattr(module, name), name
    assert set(nkmap.__all__) == set(nkmap._LAZY)
    assert set(nkmap.__all__) <= set(dir(nkmap))


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        nkmap.nothing_here  # noqa: B018


@pytest.mark.slow
def test_the_default_build_loads_neither_pandas_nor_geopandas(tmp_path):
    """The command's default formats are written without a DataFrame and without folium: the page is
    written as folium would render it and the KML as text, so none of these libraries' start-up is paid."""
    code = (
        "import sys; from nkmap.cli import main; "
        f"code = main(['build', {str(ARTICLES)!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet']); "
        "print(code, sorted(m for m in ('pandas', 'geopandas', 'pyogrio', 'folium') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=nkmap_env(), check=True)
    assert done.stdout.split("\n")[-2] == "0 []"
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"map.html", "places.kml", "mentions.csv"}
