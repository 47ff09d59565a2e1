"""Staying inside Clover's limits: requests per second and requests in flight.

Clover answers 429 to the 17th request in a second or the 6th concurrent one for the same
token, and a retry before the window ends lengthens the penalty. So every request to Clover
takes a slot first: a ``BoundedSemaphore`` caps concurrency, then a token bucket paces the
rate. Limiters are process-wide, one per token (keyed by a hash of it, so the token itself
is never held as a key), plus one for the whole app.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager

from integrations.providers.clover import assumptions


class TokenBucket:
    """``rate`` tokens a second, bursts up to ``capacity``; ``take`` blocks. Thread-safe."""

    def __init__(
        self,
        rate: float,
        capacity: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate
        self.capacity = capacity
        self.clock = clock
        self.sleep = sleep
        self._tokens = capacity
        self._updated = clock()
        self._lock = threading.Lock()

    def take(self) -> None:
        """Wait until a token is free, then use it."""
        while True:
            with self._lock:
                now = self.clock()
                self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
                self._updated = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                wait = (1 - self._tokens) / self.rate
            # Sleep outside the lock so other threads can refill and check too.
            self.sleep(wait)


class Limiter:
    """At most ``concurrency`` requests in flight and ``per_second`` started per second."""

    def __init__(
        self,
        per_second: float,
        concurrency: int,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.bucket = TokenBucket(per_second, per_second, clock, sleep)
        self.concurrency = concurrency
        self._semaphore = threading.BoundedSemaphore(concurrency)
        self._lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0  # the most ever seen at once: what tests assert on

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one in-flight place for the duration of a request."""
        with self._semaphore:
            # Take the rate token only once we can send at once, so the send rate is the
            # bucket's rate even when many threads queue on the semaphore.
            self.bucket.take()
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self.in_flight -= 1


_BY_TOKEN: dict[str, Limiter] = {}
_GUARD = threading.Lock()
APP_LIMITER = Limiter(assumptions.APP_REQUESTS_PER_SECOND, assumptions.APP_CONCURRENCY)


def token_fingerprint(token: str) -> str:
    """A stable, non-reversible key for a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def limiter_for(token: str) -> Limiter:
    """The process-wide limiter of one API token."""
    key = token_fingerprint(token)
    with _GUARD:
        limiter = _BY_TOKEN.get(key)
        if limiter is None:
            limiter = Limiter(assumptions.TOKEN_REQUESTS_PER_SECOND, assumptions.TOKEN_CONCURRENCY)
            _BY_TOKEN[key] = limiter
        return limiter


@contextmanager
def clover_slot(token_limiter: Limiter, app_limiter: Limiter = APP_LIMITER) -> Iterator[None]:
    """The token's slot, then the app's (always in that order, so no thread deadlocks)."""
    with ExitStack() as stack:
        stack.enter_context(token_limiter.slot())
        stack.enter_context(app_limiter.slot())
        yield
