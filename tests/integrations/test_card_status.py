"""Status that never lies: the card's status, its detail, sync health and the unmapped
keys are derived from the current facts every time they are shown."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Integration, SyncRun
from integrations.providers.values import Location
from integrations.services.card_settings import update_card_settings
from integrations.services.credentials import remove_credential, update_credential
from integrations.services.pos_keys import record_pos_keys
from integrations.services.store_mapping import mappings_for_store, unmapped_pos_keys
from integrations.sync.choices import RunStatus
from integrations.sync.runner import _finish
from stores.models import StoreMapping
from tests.factories import RetailStoreFactory
from tests.integrations.factories import (
    CredentialFactory,
    IntegrationFactory,
    PosKeyFactory,
    StoreMappingFactory,
    sandbox_values,
)

pytestmark = pytest.mark.django_db
PAGE = "/admin/integrations/integration/"


def card_html(client, card) -> str:
    return client.get(f"{PAGE}{card.pk}/change/").content.decode()


def status_summary(page: str) -> str:
    """The text of the card's status box, spaces squashed."""
    box = re.search(r'<section class="card-summary".*?</section>', page, re.S).group(0)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", box)).split())


def two_credentials_one_failing(company):
    card = IntegrationFactory(
        company=company,
        provider="posabit",
        status=IntegrationStatus.NEEDS_ATTENTION,
        status_detail="1 of 2 credentials need attention",
    )
    good = CredentialFactory(integration=card, state=CredentialState.VERIFIED)
    bad = CredentialFactory(
        integration=card,
        values={**sandbox_values("posabit"), "store_name": "Ballard"},
        state=CredentialState.FAILING,
        last_error="Ask POSaBIT to enable Enhanced Customer Data Access.",
    )
    return card, good, bad


def test_removing_the_failing_credential_leaves_a_connected_card(owner_a, company_a):
    # given: two credentials, one failing
    card, _good, bad = two_credentials_one_failing(company_a)

    # when: staff remove the failing one
    remove_credential(bad)

    # then: the card no longer says anything needs attention
    card.refresh_from_db()
    assert card.status == IntegrationStatus.CONNECTED
    summary = status_summary(card_html(owner_a, card))
    assert "Status: Connected" in summary
    assert "need attention" not in summary


def test_a_stale_stored_detail_is_not_shown(owner_a, company_a):
    # given: a detail saved when two of three credentials failed; one is failing now
    card, _good, _bad = two_credentials_one_failing(company_a)
    Integration.objects.filter(pk=card.pk).update(status_detail="2 of 3 credentials need attention")

    summary = status_summary(card_html(owner_a, card))

    assert "Status: Needs attention" in summary
    assert "1 of 2 credentials need attention" in summary
    assert "2 of 3" not in summary


def test_changing_the_failing_credential_clears_needs_attention(company_a):
    card, _good, bad = two_credentials_one_failing(company_a)

    update_credential(bad, {**sandbox_values("posabit"), "store_name": "Ballard", "key": "new"})

    card.refresh_from_db()
    assert card.status == IntegrationStatus.CONNECTED
    assert card.status_detail == "1 credential not verified yet: click Connect to verify it"


def test_frozen_card_says_so_in_its_status(owner_a, company_a):
    # given: a card that needs attention when staff turn on "Use AIQ's last backup"
    card, _good, _bad = two_credentials_one_failing(company_a)

    update_card_settings(card, {"use_last_backup": True})

    card.refresh_from_db()
    assert card.status == IntegrationStatus.FROZEN
    summary = status_summary(card_html(owner_a, card))
    assert "Status: Frozen (using AIQ's last backup)" in summary
    assert "1 of 2 credentials need attention" in summary


def test_frozen_shows_even_when_the_stored_status_says_connected(owner_a, company_a):
    card = IntegrationFactory(
        company=company_a, provider="cova", status=IntegrationStatus.CONNECTED
    )
    CredentialFactory(integration=card, state=CredentialState.VERIFIED)
    Integration.objects.filter(pk=card.pk).update(use_last_backup=True)

    summary = status_summary(card_html(owner_a, card))

    assert "Status: Frozen (using AIQ's last backup)" in summary


def test_integrations_page_shows_the_derived_status(owner_a, company_a):
    card, _good, bad = two_credentials_one_failing(company_a)
    # a credential fixed outside the card's services (e.g. by a sync) is still counted
    type(bad).objects.filter(pk=bad.pk).update(state=CredentialState.VERIFIED)

    html = owner_a.get(PAGE).content.decode()

    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*POSaBIT(?:(?!</tr>).)*</tr>", html, re.S).group(0)
    assert "Connected" in row and "Needs attention" not in row
    card.refresh_from_db()


# Sync health -------------------------------------------------------------------------------


def run(card, credential, stream="customers", **fields):
    return SyncRun.objects.create(
        company=card.company, integration=card, credential=credential, stream=stream, **fields
    )


def test_sync_health_shows_a_retrying_run_instead_of_no_run_yet(owner_a, company_a):
    # given: a first run that hit a transient error and waits to be retried
    card = IntegrationFactory(company=company_a, provider="cova", status="connected")
    credential = CredentialFactory(integration=card)
    run(
        card,
        credential,
        status=RunStatus.QUEUED,
        attempts=1,
        error_code="unavailable",
        error_message="Cova is not answering right now; AIQ will try again shortly.",
    )

    html = card_html(owner_a, card)

    row = re.search(r'<tr class="sync-stream-customers">.*?</tr>', html, re.S).group(0)
    assert "No run yet" not in row
    assert "Retrying" in row
    assert "Cova is not answering right now" in row


def test_sync_health_shows_a_skipped_frozen_run(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova", status="frozen")
    credential = CredentialFactory(integration=card)
    run(
        card,
        credential,
        status=RunStatus.SKIPPED,
        error_code="frozen",
        error_message="Frozen: using AIQ's last backup. Nothing was requested from the POS.",
        finished_at=timezone.now(),
    )

    row = re.search(
        r'<tr class="sync-stream-customers">.*?</tr>', card_html(owner_a, card), re.S
    ).group(0)

    assert "No run yet" not in row
    assert "Skipped" in row and "Frozen: using AIQ" in row


def test_a_successful_retry_keeps_no_old_error(company_a):
    # given: a run that failed transiently, then succeeded on its retry
    card = IntegrationFactory(company=company_a, provider="cova", status="connected")
    credential = CredentialFactory(integration=card)
    retried = run(
        card,
        credential,
        status=RunStatus.SYNCING,
        started_at=timezone.now(),
        error_code="unavailable",
        error_message="Cova is not answering right now.",
    )

    _finish(retried, RunStatus.OK)

    retried.refresh_from_db()
    assert (retried.status, retried.error_code, retried.error_message) == (RunStatus.OK, "", "")


def test_last_error_older_than_the_last_success_is_not_shown_as_current(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova", status="connected")
    credential = CredentialFactory(integration=card)
    now = timezone.now()
    failed = run(
        card,
        credential,
        status=RunStatus.FAILED,
        error_code="unavailable",
        error_message="Cova is not answering right now.",
        finished_at=now - timedelta(hours=2),
    )
    ok = run(card, credential, status=RunStatus.OK, finished_at=now - timedelta(hours=1))
    SyncRun.objects.filter(pk=failed.pk).update(queued_at=now - timedelta(hours=2))
    SyncRun.objects.filter(pk=ok.pk).update(queued_at=now - timedelta(hours=1))

    row = re.search(
        r'<tr class="sync-stream-customers">.*?</tr>', card_html(owner_a, card), re.S
    ).group(0)
    last_error_cell = re.findall(r"<td>(.*?)</td>", row, re.S)[-1]

    assert "Cova is not answering" not in last_error_cell
    assert "None since the last success" in last_error_cell


# Keys of a removed credential ----------------------------------------------------------------


def test_keys_of_a_removed_credential_leave_the_dropdowns_and_the_count(company_a):
    # given: two Cova credentials, each reaching one location that brought sales
    card = IntegrationFactory(company=company_a, provider="cova")
    kept = CredentialFactory(integration=card)
    removed = CredentialFactory(integration=card)
    PosKeyFactory(integration=card, credential=kept, key="553805", name="Downtown", has_data=True)
    PosKeyFactory(
        integration=card, credential=removed, key="553822", name="Eastside", has_data=True
    )
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    assert unmapped_pos_keys(company_a).count() == 2

    # when: staff remove the second credential
    remove_credential(removed)

    # then: its key is neither offered nor counted (the row stays for sales history)
    assert list(unmapped_pos_keys(company_a).values_list("key", flat=True)) == ["553805"]
    (row,) = mappings_for_store(company_a, store)
    assert row.choices() == [("", "\u2014 not mapped \u2014"), ("553805", "Downtown (553805)")]


def test_a_store_mapped_to_a_removed_credentials_key_keeps_it(owner_a, company_a):
    # given: a store mapped to a key whose credential is then removed
    card = IntegrationFactory(company=company_a, provider="cova")
    removed = CredentialFactory(integration=card)
    PosKeyFactory(
        integration=card, credential=removed, key="553822", name="Eastside", has_data=True
    )
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    StoreMappingFactory(store=store, provider="cova", key="553822")
    remove_credential(removed)

    # when: the store is saved without touching the mapping
    (row,) = mappings_for_store(company_a, store)
    response = owner_a.post(
        f"/admin/stores/retailstore/{store.pk}/change/",
        {
            "name": store.name,
            "state": "WA",
            "country": "US",
            "time_zone": store.time_zone,
            "mapping_cova": "553822",
        },
    )

    # then: the mapping stays, shown for what it is
    assert ("553822", "Eastside (553822) (from a removed credential)") in row.choices()
    assert response.status_code == 302
    assert StoreMapping.objects.get(store=store).key == "553822"


def test_a_removed_credentials_key_cannot_be_newly_mapped(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")
    removed = CredentialFactory(integration=card)
    PosKeyFactory(
        integration=card, credential=removed, key="553822", name="Eastside", has_data=True
    )
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    remove_credential(removed)

    response = owner_a.post(
        f"/admin/stores/retailstore/{store.pk}/change/",
        {
            "name": store.name,
            "state": "WA",
            "country": "US",
            "time_zone": store.time_zone,
            "mapping_cova": "553822",
        },
    )

    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["mapping_cova"]
    assert not StoreMapping.objects.filter(store=store).exists()


# Connect and Disconnect ----------------------------------------------------------------------


def test_disconnect_asks_for_confirmation_and_is_not_a_second_main_action(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova", status="connected")
    CredentialFactory(integration=card, state=CredentialState.VERIFIED)

    html = card_html(owner_a, card)

    tools = re.search(r'<ul class="object-tools">.*?</ul>', html, re.S).group(0)
    assert 'class="connect-button"' not in tools  # nothing left to verify: no purple Connect
    assert ">Verify again</button>" in tools
    assert 'class="disconnect-button"' in tools
    assert "return confirm(" in re.search(r"<form[^>]*disconnect.*?</form>", tools, re.S).group(0)


def test_a_card_not_connected_offers_connect_only(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")
    CredentialFactory(integration=card)

    tools = re.search(r'<ul class="object-tools">.*?</ul>', card_html(owner_a, card), re.S).group(0)

    assert tools.count('class="connect-button"') == 1 and ">Connect</button>" in tools
    assert "Disconnect" not in tools


def test_a_card_with_credentials_to_verify_offers_connect_as_main_action(owner_a, company_a):
    card, _good, _bad = two_credentials_one_failing(company_a)

    tools = re.search(r'<ul class="object-tools">.*?</ul>', card_html(owner_a, card), re.S).group(0)

    assert tools.count('class="connect-button"') == 1 and ">Connect</button>" in tools
    assert 'class="disconnect-button"' in tools


def test_a_removed_credentials_key_reached_again_is_offered_again(company_a):
    # given: a key retired with its credential
    card = IntegrationFactory(company=company_a, provider="cova")
    removed = CredentialFactory(integration=card)
    PosKeyFactory(
        integration=card, credential=removed, key="553822", name="Eastside", has_data=True
    )
    remove_credential(removed)
    assert not unmapped_pos_keys(company_a).exists()

    # when: a new credential's Connect finds the location again
    fresh = CredentialFactory(integration=card)
    record_pos_keys(card, [Location(key="553822", name="Eastside")], credential=fresh)

    # then
    assert list(unmapped_pos_keys(company_a).values_list("key", flat=True)) == ["553822"]
