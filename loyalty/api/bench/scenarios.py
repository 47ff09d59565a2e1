"""What each endpoint's clients send and what counts as a right answer.

Shoppers are split between the clients (client i takes every i-th shopper), as terminals
serve different shoppers; keys are taken in turn from one pool across the whole run, so
each key's share stays under the rate limit.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from loyalty.api.bench.load import Judge, Make, Request, json_data
from loyalty.api.bench.setup import BenchCompany, Shopper


@dataclass(frozen=True)
class Scenario:
    label: str
    make: Make
    judge: Judge
    targeted: bool = False  # the p99 target applies


@dataclass
class Redeemed:
    """Successful redemption PUTs so far: their paths and first answers, per client."""

    paths: dict[int, list[str]] = field(default_factory=dict)
    answers: dict[str, dict] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, client: int, path: str, data: dict) -> None:
        with self.lock:
            self.paths.setdefault(client, []).append(path)
            self.answers[path] = data

    @property
    def count(self) -> int:
        return len(self.answers)


class Scenarios:
    def __init__(self, bench: BenchCompany, clients: int, run_id: str) -> None:
        self.bench = bench
        self.clients = clients
        self.run_id = run_id
        self.redeemed = Redeemed()
        self._keys: Iterator[str] = itertools.cycle(bench.keys)
        self._key_lock = threading.Lock()
        self._sequence = itertools.count()

    def shopper(self, client: int, n: int) -> Shopper:
        mine = self.bench.shoppers[client :: self.clients] or self.bench.shoppers
        return mine[n % len(mine)]

    def key(self) -> str:
        with self._key_lock:
            return next(self._keys)

    def all(self) -> list[Scenario]:
        return [
            Scenario("one-query JSON view (baseline)", self.one_query, _ok_json),
            Scenario("wallet GET /api/v2/wallet/:phone", self.wallet_get, _wallet, True),
            Scenario("wallet POST /api/v2/wallet", self.wallet_post, _wallet, True),
            Scenario("redemption PUT, new transaction", self.redeem, self.judge_redeem, True),
            Scenario("redemption PUT retry, same id", self.retry, self.judge_retry, True),
        ]

    def one_query(self, client: int, n: int) -> Request:
        shopper = self.shopper(client, n)
        return Request("GET", f"/api/bench/one-query/{shopper.persona_id}", {})

    def wallet_get(self, client: int, n: int) -> Request:
        phone = self.shopper(client, n).phone
        return Request("GET", f"/api/v2/wallet/{phone}", {"X-APIKEY": self.key()})

    def wallet_post(self, client: int, n: int) -> Request:
        body = json.dumps({"phone": self.shopper(client, n).phone}).encode()
        headers = {"X-APIKEY": self.key(), "Content-Type": "application/json"}
        return Request("POST", "/api/v2/wallet", headers, body)

    def redeem(self, client: int, n: int) -> Request:
        transaction_id = f"{self.run_id}-{next(self._sequence)}"
        path = self.bench.redemption_path(self.shopper(client, n), transaction_id)
        return Request("PUT", path, {"X-APIKEY": self.key(), "X-Bench-Client": str(client)})

    def judge_redeem(self, request: Request, status: int, body: bytes) -> str:
        data = json_data(body)
        if status != 200 or not isinstance(data, dict) or data.get("redeemed") is not True:
            return f"{status} {body[:200]!r}"
        self.redeemed.add(int(request.headers["X-Bench-Client"]), request.path, data)
        return ""

    def retry(self, client: int, n: int) -> Request:
        # The client's own earlier redemptions, oldest first, round and round.
        mine = self.redeemed.paths.get(client) or list(self.redeemed.answers)
        path = mine[n % len(mine)]
        return Request("PUT", path, {"X-APIKEY": self.key()})

    def judge_retry(self, request: Request, status: int, body: bytes) -> str:
        data = json_data(body)
        if status != 200 or data != self.redeemed.answers[request.path]:
            return f"retry answered differently: {status} {body[:200]!r}"
        return ""


def _ok_json(request: Request, status: int, body: bytes) -> str:
    return "" if status == 200 and json_data(body) is not None else f"{status} {body[:200]!r}"


def _wallet(request: Request, status: int, body: bytes) -> str:
    data = json_data(body)
    if status != 200 or not isinstance(data, dict) or "loyaltyPoints" not in data:
        return f"{status} {body[:200]!r}"
    if not data.get("discountTemplates"):
        return "a wallet without discounts"
    return ""
