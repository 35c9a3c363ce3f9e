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


class _Cell:
    """A cyclic object (a list holding itself) that only the cyclic collector can free."""

    def __init__(self) -> None:
        self.me = [self]


def test_freezing_sets_apart_what_lives_but_not_the_items_given_nor_the_cycles_let_go():
    import weakref

    kept, given, dropped_cycles = [], [], []
    with collector.frozen():
        before = gc.get_freeze_count()
        for item in collector.freezing((_Cell() for _ in range(6)), every=1):  # (enumerate would hold the item)
            given.append(weakref.ref(item))
            if len(given) % 2 == 0:
                kept.append(item)  # the caller keeps this one
            else:
                dropped_cycles.append(weakref.ref(item))
            del item
        assert gc.get_freeze_count() > before  # the survivors were set apart
        assert all(r() is None for r in dropped_cycles), "a cycle let go was collected before the freeze"
    assert gc.get_freeze_count() == 0
    assert [r() for r in given if r() is not None] == kept


def test_the_geoparse_api_freezes_what_it_keeps_and_gives_it_back(sample_articles, monkeypatch):
    import nkmap
    from nkmap import pipeline

    freezes = []
    freeze = gc.freeze
    monkeypatch.setattr(gc, "freeze", lambda: freezes.append(1) or freeze())
    monkeypatch.setattr(pipeline, "FREEZE_EVERY", 2)
    result = nkmap.geoparse(sample_articles)
    assert len(freezes) >= len(sample_articles) // 2 and gc.get_freeze_count() == 0
    monkeypatch.setattr(gc, "freeze", freeze)
    assert nkmap.geoparse(sample_articles) == result


def test_a_callers_own_freeze_is_left_as_it_was(sample_articles, gazetteer):
    import nkmap

    kept = [_Cell()]
    gc.freeze()  # the caller's (a server before it forks)
    try:
        frozen_before = gc.get_freeze_count()
        nkmap.geoparse(sample_articles[:2], sources=[gazetteer])
        with collector.frozen():
            list(collector.freezing(range(3)))
        assert gc.get_freeze_count() == frozen_before, "nothing frozen or unfrozen over the caller's freeze"
    finally:
        gc.unfreeze()
    assert kept
