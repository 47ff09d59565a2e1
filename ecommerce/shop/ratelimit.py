"""Checkout attempts counted per client address and per phone, in fixed windows in
Django's cache (the loyalty API's scheme, loyalty/api/ratelimit.py).

Placing an order holds inventory, so a stranger could empty a menu with a script; these
limits stop that without a login. The phone is hashed before it becomes a cache key.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


def _count(kind: str, value: str) -> tuple[int, int]:
    """Count one attempt; returns (attempts in this window, seconds until it ends)."""
    window = settings.SHOP_CHECKOUT_WINDOW_SECONDS
    now = time.time()
    start = int(now // window)
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    key = f"shop-checkout:{kind}:{digest}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count, max(1, int((start + 1) * window - now + 0.999))


def over_address_limit(address: str) -> int:
    """Seconds to wait when this address has checked out too often, else 0."""
    count, wait = _count("address", address or "unknown")
    return wait if count > settings.SHOP_CHECKOUTS_PER_ADDRESS else 0


def over_phone_limit(phone: str) -> int:
    """Seconds to wait when this phone has checked out too often, else 0."""
    count, wait = _count("phone", phone)
    return wait if count > settings.SHOP_CHECKOUTS_PER_PHONE else 0
