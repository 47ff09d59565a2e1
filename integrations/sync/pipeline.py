"""Fetching and preparing the next batches while the current one is written."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from typing import Any, TypeVar

from integrations.providers.values import Checkpoint

B = TypeVar("B")
P = TypeVar("P")


def batched(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    """Lists of ``size`` items (the last one shorter)."""
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def batched_at_checkpoints(
    items: Iterable[Any], size: int
) -> Iterator[tuple[list[Any], dict[str, Any] | None]]:
    """``(records, position)`` batches of a resumable read: a batch closes at the first
    ``Checkpoint`` once it holds ``size`` records (so it ends on a page boundary) and
    carries that checkpoint's position; the last batch carries the last position seen."""
    records: list[Any] = []
    position: dict[str, Any] | None = None
    for item in items:
        if isinstance(item, Checkpoint):
            position = item.position
            if len(records) >= size:
                yield records, position
                records = []
            continue
        records.append(item)
    if records or position is not None:
        yield records, position


def pipeline(
    batches: Iterable[B], prepare: Callable[[B], P], keep_going: Callable[[], bool]
) -> Iterator[tuple[P, bool]]:
    """Prepared batches, each with whether it is the last one of the read.

    A helper thread fetches (the HTTP calls) and prepares batch k+2 while the caller
    writes batch k, so network, Python and database work overlap instead of adding up.
    It runs ahead by two batches at most, and never inside a database transaction.
    Before starting another batch it asks ``keep_going()`` (the run's deadline): past
    it, no further request is sent, and the batches already fetched are still handed
    over, so stopping early wastes no request. Knowing batch k+1 before batch k is written
    is what lets a cursor move in the transaction of a read's last batch.
    """
    iterator = iter(batches)
    started = False
    stopped = object()

    def produce() -> Any:
        nonlocal started
        if started and not keep_going():
            return stopped
        started = True
        batch = next(iterator, None)
        return None if batch is None else prepare(batch)

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-fetch") as ahead:
        current = ahead.submit(produce).result()
        following = ahead.submit(produce) if current not in (None, stopped) else None
        while current not in (None, stopped) and following is not None:
            upcoming = following.result()
            following = ahead.submit(produce) if upcoming not in (None, stopped) else None
            # Only the read's real end is "last"; a stop at the deadline is not.
            yield current, upcoming is None
            current = upcoming
