"""Timing requests in process with Django's test Client: the whole Django stack (middleware,
session and login, the view, its queries, template rendering) without a WSGI server or a
socket, each request timed from call to rendered response.

The measures take turns in rounds, so a burst of load from elsewhere on the machine falls
on all of them alike rather than on whichever ran at the time.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

ROUNDS = 5

Call = Callable[[], object]


@dataclass(frozen=True)
class Figures:
    label: str
    median_ms: float
    p95_ms: float
    queries: int
    status: int


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def count_queries(call: Call) -> tuple[int, int]:
    """(status, queries) of one request."""
    # The log keeps at most 9,000 queries and the set-up filled it: start it empty, or a
    # full log would count nothing.
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        status = call().status_code  # type: ignore[attr-defined]
    return status, len(queries)


def measure_all(calls: dict[str, Call], requests: int) -> list[Figures]:
    """Warm each up, count its queries, then time ``requests`` of each, in turns."""
    counted = {}
    for label, call in calls.items():
        call()
        counted[label] = count_queries(call)
    samples: dict[str, list[float]] = {label: [] for label in calls}
    rounds = min(ROUNDS, requests)
    for round_number in range(rounds):
        share = requests // rounds + (1 if round_number < requests % rounds else 0)
        for label, call in calls.items():
            for _ in range(share):
                started = time.perf_counter()
                call()
                samples[label].append((time.perf_counter() - started) * 1000)
    return [
        Figures(label, statistics.median(taken), p95(taken), *reversed(counted[label]))
        for label, taken in samples.items()
    ]


def get(client: Client, url: str, params: dict, **headers: str) -> Call:
    def call() -> object:
        return client.get(url, params, headers=headers)

    return call
