"""Request-counting state of the sandboxes: faults, rate limits and in-flight requests.

This state lives in the process (module-level dicts behind one lock), keyed by account
``state_key`` or by token hash. That is enough for tests and the embedded run, where the
sandbox is one process (threads included); under several worker processes each keeps its
own counters, so patterns are per process. ``reset()`` clears everything between tests.

Patterns are deterministic: counting requests, never random.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.timeline import mix

# rate-limit fault: every RATE_LIMIT_EVERY-th admitted request starts a penalty of
# RETRY_AFTER_SECONDS during which every request is refused with 429.
RATE_LIMIT_EVERY = 5
RETRY_AFTER_SECONDS = 1
# server-error fault: the 2nd request of every SERVER_ERROR_EVERY fails (500, then 503 the
# next time round), so a retry of a failed request always succeeds.
SERVER_ERROR_EVERY = 4

# Patched by tests that must not sleep.
clock = time.monotonic

_lock = threading.Lock()
_admitted: dict[str, int] = {}
_penalty_until: dict[str, float] = {}
_server_calls: dict[str, int] = {}
_grants: dict[str, int] = {}
_first_use_seen: set[str] = set()
_revoked: set[str] = set()
_windows: dict[str, tuple[float, int]] = {}
_buckets: dict[str, tuple[float, float]] = {}


@dataclass(slots=True)
class Flight:
    """In-flight accounting of one token: what Clover's 5-concurrent limit counts."""

    in_flight: int = 0
    max_in_flight: int = 0
    requests: int = 0


_flights: dict[str, Flight] = {}


def reset() -> None:
    """Forget every counter (tests call this between cases)."""
    with _lock:
        for state in (_admitted, _penalty_until, _server_calls, _grants, _windows, _buckets):
            state.clear()
        _first_use_seen.clear()
        _revoked.clear()
        _flights.clear()


def rate_limit_fault(state_key: str) -> int | None:
    """Seconds to wait if this request falls in a rate-limit burst, else None."""
    now = clock()
    with _lock:
        until = _penalty_until.get(state_key, 0.0)
        if now < until:
            return max(1, math.ceil(until - now))
        count = _admitted.get(state_key, 0) + 1
        _admitted[state_key] = count
        if count % RATE_LIMIT_EVERY == 0:
            _penalty_until[state_key] = now + RETRY_AFTER_SECONDS
            return RETRY_AFTER_SECONDS
    return None


def server_error_fault(state_key: str) -> int | None:
    """500 or 503 for the requests that fail under the server-error fault, else None."""
    with _lock:
        count = _server_calls.get(state_key, 0) + 1
        _server_calls[state_key] = count
    if count % SERVER_ERROR_EVERY != 2:
        return None
    return 500 if (count // SERVER_ERROR_EVERY) % 2 == 0 else 503


def next_grant(state_key: str) -> int:
    """1, 2, 3... for each token granted to this credential."""
    with _lock:
        count = _grants.get(state_key, 0) + 1
        _grants[state_key] = count
        return count


def first_use(state_key: str) -> bool:
    """True exactly once per credential: its first authenticated request."""
    with _lock:
        if state_key in _first_use_seen:
            return False
        _first_use_seen.add(state_key)
        return True


def revoke(token_id: str) -> None:
    with _lock:
        _revoked.add(token_id)


def is_revoked(token_id: str) -> bool:
    with _lock:
        return token_id in _revoked


@dataclass(frozen=True, slots=True)
class Window:
    """A fixed rate-limit window as reported in Cova's COVA-APIM-RateLimit-* headers."""

    limit: int
    remaining: int
    reset_at: float  # epoch seconds
    reset_seconds: int
    exceeded: bool


def count_in_window(key: str, limit: int, seconds: int = 60) -> Window:
    """Count one request in ``key``'s fixed window of ``seconds``; ``limit`` 0 = unlimited."""
    now = clock()
    with _lock:
        started, count = _windows.get(key, (now, 0))
        if now - started >= seconds:
            started, count = now, 0
        count += 1
        _windows[key] = (started, count)
    left = max(0.0, started + seconds - now)
    exceeded = limit > 0 and count > limit
    return Window(
        limit=limit,
        remaining=max(0, limit - count) if limit > 0 else 0,
        reset_at=time.time() + left,
        reset_seconds=max(1, math.ceil(left)),
        exceeded=exceeded,
    )


def take_token(key: str, per_second: int) -> bool:
    """A token bucket of ``per_second`` capacity refilled at ``per_second``; False = over."""
    if per_second <= 0:
        return True
    now = clock()
    with _lock:
        tokens, last = _buckets.get(key, (float(per_second), now))
        tokens = min(float(per_second), tokens + (now - last) * per_second)
        if tokens < 1:
            _buckets[key] = (tokens, now)
            return False
        _buckets[key] = (tokens - 1, now)
        return True


@contextmanager
def in_flight(token_hash: str) -> Iterator[int]:
    """Count a request in flight for a token; yields how many are in flight with it."""
    with _lock:
        flight = _flights.setdefault(token_hash, Flight())
        flight.in_flight += 1
        flight.requests += 1
        flight.max_in_flight = max(flight.max_in_flight, flight.in_flight)
        current = flight.in_flight
    try:
        yield current
    finally:
        with _lock:
            flight.in_flight -= 1


def flight_stats(token_hash: str) -> Flight:
    """A copy of the in-flight accounting of a token (zeros when never seen)."""
    with _lock:
        flight = _flights.get(token_hash, Flight())
        return Flight(flight.in_flight, flight.max_in_flight, flight.requests)


def simulate_latency(milliseconds: int) -> None:
    """Hold the request, so concurrency becomes observable (the ``latency=`` option)."""
    if milliseconds > 0:
        time.sleep(milliseconds / 1000)


MALFORMED_EVERY = 20


def malformed_variant(account: SandboxAccount, index: int) -> str | None:
    """Under the malformed fault, about 1 record in 20 (chosen by a hash of its index) is
    broken: "missing" a required field or carrying a "wrong-type" value. None otherwise."""
    if not account.has("malformed"):
        return None
    hashed = mix(account.seed ^ (index * 0x9E3779B97F4A7C15))
    if hashed % MALFORMED_EVERY:
        return None
    return "missing" if (hashed >> 32) & 1 else "wrong-type"
