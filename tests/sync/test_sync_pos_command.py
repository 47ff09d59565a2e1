"""`manage.py sync_pos`: the operator's twin of the scheduled syncs, checked against what
`manage.py pos fetch` sees in the same sandboxes."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aiq.personas.models import PersonaIdentity, Sale
from aiq.personas.normalize import normalize_email, normalize_phone
from integrations.sync.choices import RunStatus
from tests.factories import CompanyFactory
from tests.sync.factories import ConnectedCardFactory, SandboxCredentialFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PROVIDERS = ("cova", "posabit", "clover")


def pos_fetch(provider: str, stream: str) -> list[dict]:
    out = io.StringIO()
    call_command("pos", "fetch", provider, stream, "--sandbox", stdout=out, stderr=io.StringIO())
    return [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]


def sync_pos(*args: str) -> dict:
    out = io.StringIO()
    call_command("sync_pos", *args, "--json", stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def usable_pii(record: dict) -> bool:
    return bool(normalize_phone(record.get("phone"), "US") or normalize_email(record.get("email")))


def test_sync_pos_all_matches_pos_fetch_and_a_second_run_changes_nothing(sandbox_origin):
    # given the demo's three sandbox cards, connected
    company = CompanyFactory()
    for provider in PROVIDERS:
        SandboxCredentialFactory(
            integration=ConnectedCardFactory(company=company, provider=provider)
        )

    # when every card is synced from the command line
    report = sync_pos("--all")

    # then one source identity per POS customer with usable PII, one sale per POS sale
    for provider in PROVIDERS:
        customers = pos_fetch(provider, "customers")
        sales = pos_fetch(provider, "sales")
        assert PersonaIdentity.objects.filter(source=provider).count() == sum(
            usable_pii(c) for c in customers
        )
        assert set(
            PersonaIdentity.objects.filter(source=provider).values_list("external_id", flat=True)
        ) == {c["external_id"] for c in customers if usable_pii(c)}
        assert Sale.objects.filter(source=provider).count() == len(sales)
        entry = next(e for e in report["integrations"] if e["provider"] == provider)
        assert entry["streams"]["sales"]["created"] == len(sales)
        assert {s["status"] for s in entry["streams"].values()} == {RunStatus.OK}
    assert report["totals"]["sales"]["created"] == Sale.objects.count()

    # and running it again (a full reconciliation, even) changes nothing
    with CaptureQueriesContext(connection) as queries:
        again = sync_pos("--all", "--full")
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith(("INSERT", "UPDATE", "DELETE", "COPY")) and '"personas_' in q["sql"]
    ]
    assert writes == []
    for stream in ("customers", "sales"):
        assert (again["totals"][stream]["created"], again["totals"][stream]["updated"]) == (0, 0)


def test_sync_pos_one_integration_one_stream(sandbox_origin):
    credential = SandboxCredentialFactory(integration__provider="clover")

    report = sync_pos("--integration", str(credential.integration_id), "--stream", "customers")

    assert list(report["totals"]) == ["customers"]
    assert report["totals"]["customers"]["created"] == PersonaIdentity.objects.count() > 0
    assert not Sale.objects.exists()


def test_sync_pos_unknown_integration_is_an_error():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No integration with id 999"):
        call_command("sync_pos", "--integration", "999")


def test_a_failing_run_makes_the_command_exit_non_zero(sandbox_origin):
    from tests.integrations.factories import sandbox_values

    SandboxCredentialFactory(values={**sandbox_values("cova"), "password": "wrong-password"})

    with pytest.raises(SystemExit) as exit_info:
        sync_pos("--all")

    assert exit_info.value.code == 1


def test_sync_pos_starts_its_own_sandbox_when_none_answers(settings, monkeypatch):
    from django.core.handlers.wsgi import WSGIHandler

    from integrations.sandbox import server

    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    settings.POS_SANDBOX_ORIGIN = "http://127.0.0.1:9"  # nothing listens there
    credential = SandboxCredentialFactory(integration__provider="posabit")

    report = sync_pos("--integration", str(credential.integration_id))

    assert report["totals"]["sales"]["created"] == Sale.objects.count() == 500
