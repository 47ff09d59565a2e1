from __future__ import annotations

import pytest
from django.core.management import call_command

from aiq.personas.models import Persona

pytestmark = pytest.mark.django_db


def test_bench_admin_seeds_and_prints_figures(capsys):
    call_command("bench_admin", "--personas", "120", "--runs", "3")

    out = capsys.readouterr().out
    assert Persona.objects.filter(company__name="Benchmark Dispensary").count() == 120
    for label in ("changelist page 1", "phone search (typed any format)", "stock admin"):
        assert label in out
    assert "queries per changelist page (50 rows): " in out

    # a second run reuses the rows instead of seeding again
    call_command("bench_admin", "--personas", "120", "--runs", "3")
    assert "seeded" not in capsys.readouterr().out
    assert Persona.objects.filter(company__name="Benchmark Dispensary").count() == 120
