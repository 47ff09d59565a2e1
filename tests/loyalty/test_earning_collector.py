"""Earning pauses Python's cycle collector for a batch and leaves it as it found it."""

from __future__ import annotations

import gc

import pytest

from loyalty.earning.collector import collector_paused


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_paused_inside_and_back_on_after(collector_on):
    with collector_paused():
        assert not gc.isenabled()

    assert gc.isenabled()


def test_back_on_after_a_failure(collector_on):
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("the batch failed")

    assert gc.isenabled()


def test_a_collector_turned_off_by_someone_else_stays_off(collector_on):
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()

        assert not gc.isenabled()
    finally:
        gc.enable()
