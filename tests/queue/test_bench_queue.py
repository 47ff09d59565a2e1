"""``manage.py bench_queue`` with tiny numbers, so the benchmark cannot rot: every measure
printed with its figures, the queries the same for both queue lengths, data reused."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aiq.personas.models import Persona
from stores.queue.bench.setup import COMPANY
from stores.queue.models import CheckIn

# label, status, median, p95, queries
ROW = re.compile(r"^  (?P<label>\S.*?)\s+(?P<status>\d{3})\s+[\d.]+\s+[\d.]+\s+(?P<queries>\d+)")


def run(**options) -> str:
    out = StringIO()
    call_command("bench_queue", stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_bench_queue_prints_every_figure_and_reuses_its_data():
    out = run(personas=60, waiting=20, requests=3)

    rows = {m["label"]: m for m in map(ROW.match, out.splitlines()) if m}
    assert set(rows) == {
        "queue page (20 waiting)",
        "update, unchanged: 304 (20 waiting)",
        "update, changed: 200 (20 waiting)",
        "queue page (2 waiting)",
        "update, unchanged: 304 (2 waiting)",
        "update, changed: 200 (2 waiting)",
        "persona changelist (page 1)",
    }
    assert rows["update, unchanged: 304 (20 waiting)"]["status"] == "304"
    assert rows["update, changed: 200 (20 waiting)"]["status"] == "200"
    assert rows["queue page (20 waiting)"]["status"] == "200"
    assert "p95 < 150 ms" in out and "p95 < 300 ms" in out
    assert ": constant" in out
    assert Persona.objects.filter(company__name=COMPANY).count() == 60
    assert CheckIn.objects.filter(company__name=COMPANY).count() == 22

    again = run(personas=60, waiting=20, requests=3)
    assert "0 personas and 0 sales added" in again
    assert CheckIn.objects.filter(company__name=COMPANY).count() == 22


@pytest.mark.django_db
def test_bench_queue_refuses_nonsense_numbers():
    with pytest.raises(CommandError, match="must be >= 1"):
        run(personas=10, waiting=0, requests=3)
