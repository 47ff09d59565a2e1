"""The per-key counter: one cache call per request once the window has started, and no
request lost when two start a window at once."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from loyalty.api import assumptions, ratelimit
from loyalty.api.errors import ApiError

WINDOW = assumptions.RATE_LIMIT_WINDOW_SECONDS


@pytest.fixture(autouse=True)
def frozen_window(monkeypatch):
    cache.clear()
    monkeypatch.setattr(ratelimit, "_now", lambda: 2_000 * WINDOW + 5.0)
    yield
    cache.clear()


def _counter(key_id: int) -> int | None:
    return cache.get(f"loyalty-api-rate:{key_id}:2000")


def test_the_first_request_starts_the_window_and_the_next_ones_count(monkeypatch):
    ratelimit.check_rate(7)
    assert _counter(7) == 1

    calls = []
    real_incr = cache.incr
    monkeypatch.setattr(cache, "add", lambda *a, **k: calls.append("add"))
    monkeypatch.setattr(cache, "incr", lambda *a, **k: calls.append("incr") or real_incr(*a, **k))
    ratelimit.check_rate(7)

    assert calls == ["incr"]
    assert _counter(7) == 2


def test_a_window_started_by_another_request_in_between_is_counted_not_reset(monkeypatch):
    real_incr = cache.incr
    first = [True]

    def incr(key, delta=1):
        if first[0]:
            first[0] = False
            cache.set(key, 5)  # another request started the window meanwhile
            raise ValueError("not there yet")
        return real_incr(key, delta)

    monkeypatch.setattr(cache, "incr", incr)
    ratelimit.check_rate(8)

    assert _counter(8) == 6


def test_past_the_limit_is_refused(monkeypatch):
    cache.set("loyalty-api-rate:9:2000", assumptions.RATE_LIMIT_PER_MINUTE)
    with pytest.raises(ApiError) as refused:
        ratelimit.check_rate(9)
    assert refused.value.status == 429
    assert refused.value.headers["Retry-After"] == str(WINDOW - 5)
