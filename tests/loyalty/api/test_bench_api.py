"""``manage.py bench_api`` with tiny numbers, so the benchmark cannot rot: a real gunicorn
on loopback, every endpoint driven, the ledger checked after."""

from __future__ import annotations

import re
import time
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client

from loyalty.api.bench.setup import keys_needed
from loyalty.api.redemption.models import Redemption
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.models import LedgerEntry
from tests.factories import PersonaFactory

# label, then requests, req/s, median, p90, p99, errors
ROW = re.compile(
    r"\s{2,}(?P<requests>[\d,]+)\s+[\d,]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+(?P<errors>\d+)"
)
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the benchmark runs on PostgreSQL only"
)


@on_postgresql
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_api_drives_every_endpoint_and_the_ledger_matches():
    # Given tiny numbers: 2 clients, 1 worker, 4 requests per endpoint
    out = StringIO()
    started = time.monotonic()

    # When the benchmark runs against its own gunicorn
    call_command(
        "bench_api",
        requests=4,
        clients=2,
        workers=1,
        threads=2,
        shoppers=2,
        rounds=1,
        open_requests=4,
        stdout=out,
    )

    # Then every endpoint answered without an error, in the closed loop and then at its
    # offered rate, and the ledger holds exactly one debit per successful PUT (warm-up: 5
    # per client; closed loop: 2 per client; open loop: 4)
    report = out.getvalue()
    assert time.monotonic() - started < 60, report
    closed, opened = report.split("latency at a stated load")
    opened, inside = opened.split("inside the application")
    for label in (
        "one-query JSON view",
        "wallet GET",
        "wallet POST",
        "redemption PUT, new",
        "redemption PUT retry",
    ):
        for table in (closed, opened):
            row = ROW.search(table[table.index(label) :])
            assert row is not None, report
            assert (row["requests"], row["errors"]) == ("4", "0"), row.group(0)
    # and the open loop's API requests are found in the request log, each counted once
    # (the one-query view has no key: not logged)
    assert "one-query" not in inside
    for label in ("wallet GET", "wallet POST", "redemption PUT, new", "redemption PUT retry"):
        logged = re.search(
            r"\s{2,}(?P<logged>[\d,]+)\s+[\d.]+\s+[\d.]+", inside[inside.index(label) :]
        )
        assert logged is not None and logged["logged"] == "4", inside
    assert "first error" not in report
    assert "0 drifts" in report
    assert "exactly one each (ok)" in report
    assert "load average" in report
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEEM).count() == 2 * 5 + 4 + 4
    assert Redemption.objects.count() == 2 * 5 + 4 + 4


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is SQLite's")
@pytest.mark.django_db
def test_bench_api_refuses_sqlite_with_the_reason():
    # When the benchmark is asked to run on SQLite
    with pytest.raises(CommandError, match="PostgreSQL only"):
        call_command("bench_api", requests=4, stdout=StringIO())

    # Then it stopped before making anything
    assert not LedgerEntry.objects.exists()


@pytest.mark.django_db
def test_the_one_query_view_is_not_served_unless_the_benchmark_turns_it_on():
    # Given a shopper
    persona = PersonaFactory()

    # When anybody asks the benchmark's yardstick URL of a normal server
    response = Client().get(f"/api/bench/one-query/{persona.pk}")

    # Then it does not exist: the API's catch-all answers
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_keys_are_enough_to_stay_under_the_rate_limit():
    # 96 requests per key at most (80 % of 120 a minute)
    assert keys_needed(96) == 1
    assert keys_needed(97) == 2
    assert keys_needed(10_000) == 105
