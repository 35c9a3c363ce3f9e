"""nkmap sets the cyclic collector only for the stretch of work that needs it, and gives the caller's settings back."""

import gc

import pytest

from nkmap.infra import collector


def test_each_setting_is_given_back_as_found_also_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with collector.resting():
            assert not gc.isenabled()
            raise RuntimeError
    assert gc.isenabled()
    gc.disable()
    try:
        with collector.resting():
            pass
        assert not gc.isenabled(), "a collector the caller turned off stays off"
    finally:
        gc.enable()
    with pytest.raises(RuntimeError):
        with collector.frozen():
            assert gc.get_freeze_count() > 0
            raise RuntimeError
    assert gc.get_freeze_count() == 0


def test_geoparsing_leaves_the_callers_collector_as_it_was(sample_articles, gazetteer):
    import nkmap

    result = nkmap.geoparse(sample_articles[:1], sources=[gazetteer])
    assert result.mentions
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
