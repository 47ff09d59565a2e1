"""When each generated record happened, computed from its index alone.

Record ``i`` of ``n`` falls at ``start + i * span / n`` plus a jitter smaller than one step,
so times strictly increase with the index. A date range therefore maps to an index range
by binary search over this function, and a filter over a million sales never builds them.

The history ends at the start of the current UTC day, so it is stable all day and moves
forward one day at midnight UTC (ids and contents stay; only the times shift).
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from datetime import UTC, datetime

DAY_MS = 86_400_000
SALES_SPAN_DAYS = 90
CUSTOMERS_SPAN_DAYS = 730
_MASK64 = (1 << 64) - 1

# Patched by tests that need a fixed "now".
now = time.time


def mix(value: int) -> int:
    """splitmix64: a fast, well-spread 64-bit hash of an integer."""
    value = (value + 0x9E3779B97F4A7C15) & _MASK64
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
    return value ^ (value >> 31)


def anchor_ms() -> int:
    """Start of the current UTC day, in epoch milliseconds: where every history ends."""
    return int(now() // 86_400) * DAY_MS


def to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def iso_z(ms: int) -> str:
    """``2024-05-01T17:03:12.345Z``."""
    moment = to_datetime(ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_moment(text: str) -> int | None:
    """Epoch ms of an ISO date or date-time (naive means UTC); None when unreadable."""
    value = (text or "").strip().strip("'\"")
    if not value:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class _Times:
    """A lazy sequence view of a timeline, so ``bisect`` can search it."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline

    def __len__(self) -> int:
        return self.timeline.count

    def __getitem__(self, index: int) -> int:
        return self.timeline.at(index)


@dataclass(frozen=True, slots=True)
class Timeline:
    """``count`` strictly increasing moments spread over ``span_ms`` from ``start_ms``."""

    start_ms: int
    span_ms: int
    count: int
    salt: int

    @classmethod
    def ending_today(cls, days: int, count: int, salt: int) -> Timeline:
        end = anchor_ms()
        return cls(start_ms=end - days * DAY_MS, span_ms=days * DAY_MS, count=count, salt=salt)

    @property
    def step(self) -> int:
        return max(1, self.span_ms // max(1, self.count))

    def at(self, index: int) -> int:
        """Epoch ms of record ``index``."""
        base = self.start_ms + index * self.span_ms // max(1, self.count)
        return base + mix(self.salt ^ index) % self.step

    def first_at_or_after(self, ms: int) -> int:
        return bisect.bisect_left(_Times(self), ms)

    def first_after(self, ms: int) -> int:
        return bisect.bisect_right(_Times(self), ms)

    def between(
        self,
        low: int | None = None,
        high: int | None = None,
        *,
        low_inclusive: bool = True,
        high_inclusive: bool = True,
    ) -> range:
        """Indices whose moment lies between ``low`` and ``high`` (None: unbounded)."""
        start = 0
        stop = self.count
        if low is not None:
            start = self.first_at_or_after(low) if low_inclusive else self.first_after(low)
        if high is not None:
            stop = self.first_after(high) if high_inclusive else self.first_at_or_after(high)
        return range(start, max(start, stop))
