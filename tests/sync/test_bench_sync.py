"""`manage.py bench_sync` runs end to end on a small count and prints its figures."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from aiq.personas.models import PersonaIdentity, Sale

pytestmark = pytest.mark.django_db


def test_bench_sync_prints_rates_memory_and_the_copy_baseline(capsys, settings):
    call_command("bench_sync", "--sales", "300", "--customers", "60", "--http-sales", "0")

    out = capsys.readouterr().out
    for label in ("customers synced", "sales written", "persistence rate", "peak memory"):
        assert label in out
    if connection.vendor == "postgresql":
        assert "persistence / COPY" in out
    assert Sale.objects.filter(company__name="Sync benchmark").count() == 300
    assert PersonaIdentity.objects.filter(company__name="Sync benchmark").exists()
    assert settings.DEBUG is False  # restored as it was for the tests

    # a second run starts from a clean benchmark company
    call_command("bench_sync", "--sales", "300", "--customers", "60", "--http-sales", "0")
    assert (
        "sales written                                                      300"
        in capsys.readouterr().out
    )
    assert Sale.objects.filter(company__name="Sync benchmark").count() == 300
