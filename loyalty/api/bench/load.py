"""Concurrent clients on loopback: one thread per client, each with its own keep-alive
connection (``http.client``: the lightest client, so the measure is the server's), timing
every request from send to the last byte of the body."""

from __future__ import annotations

import http.client
import itertools
import json
import random
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None = None


@dataclass
class Outcome:
    """One endpoint's requests over a run: latencies (ms) of each, errors, busy time."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    first_error: str = ""
    seconds: float = 0.0  # wall time the clients spent on this endpoint

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else 0.0

    def add(self, other: Outcome) -> None:
        self.latencies += other.latencies
        self.errors += other.errors
        self.first_error = self.first_error or other.first_error
        self.seconds += other.seconds


# Makes client `client`'s `n`-th request; judges its answer (an error message, or "").
Make = Callable[[int, int], Request]
Judge = Callable[[Request, int, bytes], str]


class Connection:
    """A keep-alive connection that reconnects when the server closed an idle one."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def send(self, request: Request) -> tuple[int, bytes]:
        for attempt in range(2):
            try:
                self.http.request(
                    request.method, request.path, body=request.body, headers=request.headers
                )
                response = self.http.getresponse()
                return response.status, response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # Closed while idle (keep-alive timeout): nothing was served, send again.
                self.http.close()
                self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        raise AssertionError("unreachable")

    def close(self) -> None:
        self.http.close()


def run(connections: list[Connection], per_client: int, make: Make, judge: Judge) -> Outcome:
    """Every client sends ``per_client`` requests back to back, all clients at once."""

    def client(index: int, outcome: Outcome) -> None:
        for n in range(per_client):
            request = make(index, n)
            _exchange(connections[index], request, judge, outcome, since=time.perf_counter())

    return _drive(len(connections), client)


def run_at_rate(
    connections: list[Connection],
    requests: int,
    per_second: float,
    make: Make,
    judge: Judge,
    *,
    seed: int = 0,
) -> Outcome:
    """Open loop: ``requests`` arrive at ``per_second`` on average (Poisson arrivals, as
    terminals act independently), whether or not earlier ones were answered; each is sent
    on the first free connection. Its latency counts from when it arrived, not from when a
    connection was free to send it, so waiting behind slow answers is measured too (the
    "coordinated omission" a closed loop hides: there, a slow answer delays the requests
    that would have seen it)."""
    arrivals: list[float] = []
    moment, draw = 0.0, random.Random(seed)  # noqa: S311 - arrival times, not secrets
    for _ in range(requests):
        moment += draw.expovariate(per_second)
        arrivals.append(moment)
    counter = itertools.count()
    counter_lock = threading.Lock()
    origin: list[float] = []  # set once every client is ready

    def client(index: int, outcome: Outcome) -> None:
        while True:
            with counter_lock:
                n = next(counter)
                if not origin:
                    origin.append(time.perf_counter())
            if n >= requests:
                return
            due = origin[0] + arrivals[n]
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            _exchange(connections[index], make(index, n), judge, outcome, since=due)

    return _drive(len(connections), client)


def _exchange(
    connection: Connection, request: Request, judge: Judge, outcome: Outcome, *, since: float
) -> None:
    """Send one request; record its latency from ``since`` and its error, if any."""
    try:
        status, body = connection.send(request)
        problem = judge(request, status, body)
    except OSError as error:
        problem = f"{type(error).__name__}: {error}"
    outcome.latencies.append((time.perf_counter() - since) * 1000)
    if problem:
        outcome.errors += 1
        outcome.first_error = outcome.first_error or problem


def _drive(clients: int, client: Callable[[int, Outcome], None]) -> Outcome:
    """Run ``client(i, its outcome)`` on one thread per client, all released at once; the
    outcomes summed, over the wall time from the release to the last one's end."""
    outcomes = [Outcome() for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def thread_body(index: int) -> None:
        barrier.wait()
        client(index, outcomes[index])

    threads = [threading.Thread(target=thread_body, args=(i,), daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    total = Outcome()
    for outcome in outcomes:
        total.add(outcome)
    total.seconds = time.perf_counter() - started
    return total


def json_data(body: bytes) -> Any:
    """The envelope's data, or None when the body is not a successful envelope."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if not isinstance(parsed, dict) or parsed.get("success") is not True:
        return None
    return parsed.get("data")
