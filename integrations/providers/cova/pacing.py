"""Slowing down before Cova says 429, from its rate-limit response headers.

Cova limits each service (``/crm``, ``/pointofsale``...) separately in a 60 s window. When
a response says no requests remain, the next request to that service waits for the reset.
"""

from __future__ import annotations

import email.utils
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

import requests

from integrations.providers.convert import aware
from integrations.providers.cova import assumptions


def service_of(url_path: str) -> str:
    """The Cova service a path belongs to: its first segment (``/crm/...`` -> ``crm``)."""
    return url_path.lstrip("/").split("/", 1)[0]


def _reset_wait(response: requests.Response, now: float) -> float:
    """Seconds until the window resets, per the headers; the full window if unknown."""
    headers = response.headers
    raw = headers.get(assumptions.RATE_LIMIT_RESET_SECONDS)
    if raw:
        try:
            return max(0.0, float(raw))
        except ValueError:
            pass
    raw = headers.get(assumptions.RATE_LIMIT_RESET)
    if raw:
        raw = raw.strip()
        try:
            value = float(raw)
            # Epoch seconds, or seconds from now if it is too small to be a date.
            return max(0.0, value - now) if value > 1e9 else max(0.0, value)
        except ValueError:
            pass
        for parse in (
            lambda text: aware(datetime.fromisoformat(text.replace("Z", "+00:00"))),
            email.utils.parsedate_to_datetime,
        ):
            try:
                return max(0.0, aware(parse(raw)).timestamp() - now)
            except (TypeError, ValueError, IndexError):
                continue
    return assumptions.RATE_LIMIT_WINDOW_SECONDS


class RatePacer:
    """Per-service "not before" times learned from responses; thread-safe."""

    def __init__(self, sleep: Callable[[float], None], clock: Callable[[], float]) -> None:
        self.sleep = sleep
        self.clock = clock
        self._not_before: dict[str, float] = {}
        self._lock = threading.Lock()
        self.waits: list[float] = []  # every pause taken, for logs and tests

    def observe(self, service: str, response: requests.Response) -> None:
        """Learn from one response's headers."""
        remaining = response.headers.get(assumptions.RATE_LIMIT_REMAINING)
        if remaining is None:
            return
        try:
            exhausted = int(float(remaining)) <= 0
        except ValueError:
            return
        if exhausted:
            now = self.clock()
            wait = min(_reset_wait(response, now), assumptions.RATE_LIMIT_WINDOW_SECONDS)
            with self._lock:
                self._not_before[service] = max(self._not_before.get(service, 0.0), now + wait)

    @contextmanager
    def slot(self, service: str) -> Iterator[None]:
        """Wait, if the service's window is spent, before letting a request go."""
        with self._lock:
            not_before = self._not_before.pop(service, 0.0)
        wait = not_before - self.clock()
        if wait > 0:
            self.waits.append(wait)
            self.sleep(wait)
        yield
