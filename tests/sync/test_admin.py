"""Sync health on the card, "Sync now", and the run and quarantine screens."""

from __future__ import annotations

import pytest

from aiq.accounts.choices import Role
from integrations.models import QuarantinedRecord, SyncRun
from integrations.providers.errors import AuthenticationFailed, MalformedRecord
from integrations.sync import scheduling
from integrations.sync.choices import RunStatus, Stream, Trigger
from tests.conftest import staff_client
from tests.sync.factories import SandboxCredentialFactory, customer, run_once, sale
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):  # type: ignore[no-untyped-def]
    calls: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(scheduling, "_enqueue", lambda cid, ids: calls.append((cid, ids)))
    return calls


def card_url(card) -> str:  # type: ignore[no-untyped-def]
    return f"/admin/integrations/integration/{card.pk}/change/"


def test_the_card_shows_each_streams_health_and_recent_runs(owner_a, company_a):
    # given a customers run that set a record aside, and a sales run that failed
    credential = SandboxCredentialFactory(integration__company=company_a)
    bad = MalformedRecord("missing field 'Id'", raw={}, kind="customer")
    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1"), customer("c2"), bad]))
    run_once(
        credential,
        Stream.SALES,
        FakeProvider(sales=[sale("s1")], fail_after_pages=0, error=AuthenticationFailed("401")),
    )

    page = owner_a.get(card_url(credential.integration)).content.decode()

    assert 'id="sync-health"' in page
    assert "2 created, 0 updated, 0 unchanged" in page and "1 set aside" in page
    assert AuthenticationFailed.default_user_message in page  # the last error in plain words
    assert "Recent runs" in page
    assert page.count("sync-status-failed") >= 1


def test_sync_now_queues_a_run_per_stream(
    owner_a, company_a, enqueued, django_capture_on_commit_callbacks
):
    credential = SandboxCredentialFactory(integration__company=company_a)
    card = credential.integration
    assert 'value="Sync now"' in owner_a.get(card_url(card)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(f"/admin/integrations/integration/{card.pk}/sync-now/", follow=True)

    runs = SyncRun.objects.filter(credential=credential)
    assert {(r.stream, r.trigger, r.status) for r in runs} == {
        (Stream.CUSTOMERS, Trigger.MANUAL, RunStatus.QUEUED),
        (Stream.SALES, Trigger.MANUAL, RunStatus.QUEUED),
    }
    assert enqueued == [(credential.pk, sorted(r.pk for r in runs))]
    assert "Sync queued: 2 run(s)" in response.content.decode()


def test_sync_now_needs_a_post(owner_a, company_a, enqueued):
    card = SandboxCredentialFactory(integration__company=company_a).integration
    assert owner_a.get(f"/admin/integrations/integration/{card.pk}/sync-now/").status_code == 405
    assert not SyncRun.objects.exists()


def test_sync_now_on_another_companys_card_is_404(owner_a, company_b, enqueued):
    card = SandboxCredentialFactory(integration__company=company_b).integration
    response = owner_a.post(f"/admin/integrations/integration/{card.pk}/sync-now/")
    assert response.status_code == 404
    assert not SyncRun.objects.exists()


def test_sync_now_is_refused_on_a_card_that_is_not_connected(owner_a, company_a, enqueued):
    card = SandboxCredentialFactory(
        integration__company=company_a, integration__status="needs_attention"
    ).integration
    response = owner_a.post(f"/admin/integrations/integration/{card.pk}/sync-now/", follow=True)
    assert "Connect the card first" in response.content.decode()
    assert not SyncRun.objects.exists()


def test_runs_are_listed_read_only_and_scoped_to_the_company(owner_a, company_a, company_b):
    mine = run_once(
        SandboxCredentialFactory(integration__company=company_a), Stream.CUSTOMERS, FakeProvider()
    )
    theirs = run_once(
        SandboxCredentialFactory(integration__company=company_b), Stream.CUSTOMERS, FakeProvider()
    )

    page = owner_a.get("/admin/integrations/syncrun/").content.decode()
    assert f"/admin/integrations/syncrun/{mine.pk}/change/" in page
    assert f"/admin/integrations/syncrun/{theirs.pk}/change/" not in page
    detail = owner_a.get(f"/admin/integrations/syncrun/{mine.pk}/change/").content.decode()
    assert 'name="_save"' not in detail
    assert owner_a.get(f"/admin/integrations/syncrun/{theirs.pk}/change/").status_code == 404


def test_quarantined_records_show_reason_and_payload_and_can_be_retried(
    owner_a, company_a, enqueued, django_capture_on_commit_callbacks
):
    credential = SandboxCredentialFactory(integration__company=company_a)
    bad = MalformedRecord(
        "total is not a number", raw={"Id": "s9", "Total": "abc"}, kind="sale", external_id="s9"
    )
    bad.at = sale("x").occurred_at  # type: ignore[attr-defined]
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1"), bad]))
    record = QuarantinedRecord.objects.get()

    listing = owner_a.get("/admin/integrations/quarantinedrecord/").content.decode()
    assert "total is not a number" in listing
    detail = owner_a.get(
        f"/admin/integrations/quarantinedrecord/{record.pk}/change/"
    ).content.decode()
    assert "&quot;Total&quot;: &quot;abc&quot;" in detail

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(
            "/admin/integrations/quarantinedrecord/",
            {"action": "retry", "_selected_action": [record.pk]},
            follow=True,
        )

    assert "1 record(s) queued for retry" in response.content.decode()
    record.refresh_from_db()
    assert record.retried_at is not None
    retry = SyncRun.objects.get(trigger=Trigger.RETRY)
    assert (retry.stream, retry.full, retry.status) == (Stream.SALES, True, RunStatus.QUEUED)
    assert len(enqueued) == 1


def test_a_good_record_later_resolves_its_quarantined_version():
    credential = SandboxCredentialFactory()
    bad = MalformedRecord("bad phone", raw={"Id": "c1"}, kind="customer", external_id="c1")
    run_once(credential, Stream.CUSTOMERS, FakeProvider([bad]))

    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1")]))

    record = QuarantinedRecord.objects.get()
    assert record.resolved and record.resolved_at is not None


def test_a_budtender_sees_no_runs_or_quarantine(company_a):
    budtender = staff_client(company_a, Role.BUDTENDER)
    assert budtender.get("/admin/integrations/syncrun/").status_code == 403
    assert budtender.get("/admin/integrations/quarantinedrecord/").status_code == 403


def test_the_persona_card_lists_recent_purchases(owner_a, company_a):
    from tests.factories import IdentityFactory, PersonaFactory

    credential = SandboxCredentialFactory(integration__company=company_a)
    persona = PersonaFactory(company=company_a)
    IdentityFactory(persona=persona, source="cova", external_id="c1")
    run_once(
        credential,
        Stream.SALES,
        FakeProvider(sales=[sale("s1", customer_external_id="c1", fulfillment="pickup")]),
    )

    page = owner_a.get(f"/admin/personas/persona/{persona.pk}/change/").content.decode()

    assert "Recent purchases" in page and "Pickup" in page and "44.00" in page


def test_sales_are_listed_read_only_and_scoped_to_the_company(owner_a, company_a, company_b):
    from aiq.personas.models import Sale

    run_once(
        SandboxCredentialFactory(integration__company=company_a),
        Stream.SALES,
        FakeProvider(sales=[sale("mine")]),
    )
    run_once(
        SandboxCredentialFactory(integration__company=company_b),
        Stream.SALES,
        FakeProvider(sales=[sale("theirs")]),
    )
    mine, theirs = Sale.objects.get(external_id="mine"), Sale.objects.get(external_id="theirs")

    page = owner_a.get("/admin/personas/sale/").content.decode()
    assert f"/admin/personas/sale/{mine.pk}/change/" in page
    assert f"/admin/personas/sale/{theirs.pk}/change/" not in page
    detail = owner_a.get(f"/admin/personas/sale/{mine.pk}/change/").content.decode()
    assert "Blue Dream 3.5g" in detail and 'name="_save"' not in detail
    assert owner_a.get(f"/admin/personas/sale/{theirs.pk}/change/").status_code == 404


def test_the_requests_a_run_made_show_on_the_card_and_the_runs_screen(owner_a, company_a):
    # given a run that sent 37 requests to the POS
    credential = SandboxCredentialFactory(integration__company=company_a)
    run = run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1")]))
    SyncRun.objects.filter(pk=run.pk).update(requests=37)

    card = owner_a.get(card_url(credential.integration)).content.decode()
    runs = owner_a.get("/admin/integrations/syncrun/").content.decode()

    # then both show it in a "Requests" column
    assert '<th scope="col">Requests</th>' in card and "<td>37</td>" in card
    assert "37 requests to the POS" in card
    assert "column-requests" in runs and '<td class="field-requests">37</td>' in runs
