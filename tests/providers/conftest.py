"""Fixtures for the POS provider tests: no database, no real network, no real sleeping."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses
from provider_fakes import FakeClock, SleepRecorder

from aiq.http import HttpClient, RetryPolicy
from integrations.providers.clover import limiter as clover_limiter
from integrations.providers.cova.auth import clear_token_cache


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sleeps(clock: FakeClock) -> SleepRecorder:
    return SleepRecorder(clock)


@pytest.fixture
def http(clock: FakeClock, sleeps: SleepRecorder) -> HttpClient:
    """The seam with a fake clock, recorded sleeps and a fixed jitter of one half."""
    return HttpClient(sleep=sleeps, clock=clock, rand=lambda: 0.5, retry=RetryPolicy())


@pytest.fixture
def mocked() -> Iterator[responses.RequestsMock]:
    """Every request must match a registered response; anything else fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(autouse=True)
def _fresh_process_caches() -> Iterator[None]:
    """Process-wide caches (Cova tokens, Clover limiters) must not leak between tests."""
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()
    yield
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()
