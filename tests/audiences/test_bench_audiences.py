"""`manage.py bench_audiences` end to end on a tiny company (both databases): data made
once and reused, every measure printed with a size that matches a direct count."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command

from aiq.personas.models import Persona, Sale

# VACUUM (PostgreSQL) cannot run inside the transaction a plain django_db test holds.
pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_audiences_prints_sizes_and_times_and_reuses_its_data(capsys):
    call_command("bench_audiences", "--personas", "60", "--sales", "180", "--repeat", "2")
    call_command("bench_audiences", "--personas", "60", "--sales", "180", "--repeat", "2")

    out = capsys.readouterr().out
    assert "(60 personas and 180 sales added)" in out
    assert "(0 personas and 0 sales added)" in out
    assert Persona.objects.count() == 60 and Sale.objects.count() == 180
    assert "Load average" in out
    rows = re.findall(r"^(.{60}) +(\d+) +(\d+\.\d) +(\d+\.\d)$", out, re.M)
    assert len(rows) == 12  # COUNT(*) and five audiences, twice
    sizes = {label.strip(): int(size) for label, size, _, _ in rows}
    assert sizes["COUNT(*) of the company's personas"] == 60
    delivery = Persona.objects.filter(sales__fulfillment="delivery", sales__is_refund=False)
    assert sizes["Delivery (fulfillment contains delivery)"] == delivery.distinct().count() > 0
    traits = [p.brand_traits for p in Persona.objects.all()]
    vip = [t for t in traits if isinstance(t, dict) and t.get("CovaPricingGroup") == "VIP"]
    assert sizes["CovaPricingGroup = VIP"] == len(vip) > 0
