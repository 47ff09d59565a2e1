"""Per-key rate limiting in a fixed window, counted in Django's cache."""

from __future__ import annotations

import time

from django.core.cache import cache

from loyalty.api import assumptions
from loyalty.api.errors import ApiError


def _now() -> float:
    return time.time()


def check_rate(key_id: int) -> None:
    """Count this request against the key's window; 429 with Retry-After when over."""
    window = assumptions.RATE_LIMIT_WINDOW_SECONDS
    now = _now()
    start = int(now // window)
    cache_key = f"loyalty-api-rate:{key_id}:{start}"
    # The window's counter exists for all but its first request: one cache call, not two.
    try:
        count = cache.incr(cache_key)
    except ValueError:  # the window's first request (or its counter just expired)
        # add() is False when another request started the window in between: count on it.
        count = 1 if cache.add(cache_key, 1, timeout=window + 1) else cache.incr(cache_key)
    if count > assumptions.RATE_LIMIT_PER_MINUTE:
        retry_after = max(1, int((start + 1) * window - now + 0.999))
        raise ApiError(
            429,
            "rate_limited",
            "Too many requests for this API key; try again later.",
            {"Retry-After": str(retry_after)},
        )
