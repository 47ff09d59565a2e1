"""`manage.py bench_loyalty` runs end to end on a small count (PostgreSQL): both baselines
write the very entries and points that earning wrote, and the ledger verifies clean."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.db import connection

from loyalty.ledger.models import LedgerEntry, Lot

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="bench_loyalty is PostgreSQL's"),
    # VACUUM cannot run inside the transaction a plain django_db test holds.
    pytest.mark.django_db(transaction=True),
]


def test_bench_loyalty_earns_and_compares_with_both_baselines(capsys):
    call_command("bench_loyalty", "--sales", "1200", "--batch", "500")

    out = capsys.readouterr().out
    earned = LedgerEntry.objects.filter(company__name="Loyalty benchmark")
    # 5 % of the generated sales are refunds, which earn nothing
    assert earned.count() == 1140
    assert Lot.objects.filter(company__name="Loyalty benchmark").count() == 1140
    assert out.count("same entries and points as earning                                yes") == 2
    assert len(re.findall(r"earning / INSERT \.\.\. SELECT \(entries/s\)\s+\d+\.\d\d", out)) == 2
    assert "0 drifts" in out
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('bench_entries')")
        assert cursor.fetchone() == (None,)  # the baseline's table is gone
