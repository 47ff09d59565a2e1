"""Test doubles for time: a clock that only moves when told, and a recording sleep."""

from __future__ import annotations

from datetime import UTC, datetime

# 2024-06-01T12:00:00Z: every provider's "now" in these tests.
NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """Wall-clock seconds that only move when a test (or a recorded sleep) moves them."""

    def __init__(self, start: datetime = NOW) -> None:
        self.now = start.timestamp()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class SleepRecorder:
    """Stands in for time.sleep: records each wait and advances the fake clock by it."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.clock.advance(seconds)
