"""What a POS refusal does to a sync, against the sandboxes: one 401 is not a verdict, a
second one is; a missing Enhanced Customer Data Access stops the shoppers, not the sales."""

from __future__ import annotations

import pytest

from aiq.http import HttpClient, RetryPolicy
from aiq.personas.models import Sale
from integrations.choices import CredentialState, IntegrationStatus
from integrations.models import Credential, SyncRun
from integrations.providers.posabit.client import ENHANCED_ACCESS_HINT
from integrations.providers.unauthorized import UNAUTHORIZED_RETRY_WAIT
from integrations.sync.choices import RunStatus, Stream
from tests.integrations.factories import sandbox_values
from tests.sync.factories import SandboxCredentialFactory, SyncRunFactory, run_once

pytestmark = pytest.mark.django_db(transaction=True)

SMALL = "sales=12,customers=6,ratelimit=0"  # no Clover 429s: only the 401 waits


class RecordedSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _credential(provider: str, option: str) -> Credential:
    return SandboxCredentialFactory(
        integration__provider=provider, values=sandbox_values(provider, f"{SMALL},{option}")
    )


def _client(credential: Credential, origin: str, sleep: RecordedSleep):  # type: ignore[no-untyped-def]
    http = HttpClient(sleep=sleep, rand=lambda: 0.0, retry=RetryPolicy())
    return credential.provider_client(sandbox_origin=origin, http=http)


@pytest.mark.parametrize("provider", ["posabit", "clover"])
def test_a_single_401_does_not_stop_the_sync(sandbox_origin, provider):
    # given a credential whose first request is refused once (an expired token)
    credential = _credential(provider, "fault=expired-token")
    sleep = RecordedSleep()

    # when its sales sync
    run = run_once(credential, Stream.SALES, provider=_client(credential, sandbox_origin, sleep))

    # then the refused request was asked again and every sale landed
    assert (run.status, run.error_code, run.created) == (RunStatus.OK, "", 12)
    assert sleep.waits == [UNAUTHORIZED_RETRY_WAIT]
    credential.refresh_from_db()
    assert (credential.state, credential.last_error) == (CredentialState.VERIFIED, "")
    credential.integration.refresh_from_db()
    assert credential.integration.status == IntegrationStatus.CONNECTED


@pytest.mark.parametrize(
    ("provider", "field", "words"),
    [
        ("posabit", "key", "POSaBIT did not accept this Key."),
        ("clover", "api_token", "Clover did not accept this Merchant ID and API Token together."),
    ],
)
def test_a_401_asked_twice_fails_the_credential_in_plain_words(
    sandbox_origin, provider, field, words
):
    # given a credential the POS refuses every time
    credential = SandboxCredentialFactory(
        integration__provider=provider,
        values={**sandbox_values(provider, SMALL), field: "wrong-token"},
    )
    sleep = RecordedSleep()

    # when its sales sync
    run = run_once(credential, Stream.SALES, provider=_client(credential, sandbox_origin, sleep))

    # then after one more try the credential is failing and says what to do
    assert (run.status, run.error_code) == (RunStatus.FAILED, "bad-credentials")
    assert sleep.waits == [UNAUTHORIZED_RETRY_WAIT]
    credential.refresh_from_db()
    assert credential.state == CredentialState.FAILING
    assert credential.last_error.startswith(words)
    credential.integration.refresh_from_db()
    assert credential.integration.status == IntegrationStatus.NEEDS_ATTENTION
    assert not Sale.objects.exists()


def test_without_enhanced_customer_data_access_sales_still_sync(sandbox_origin, settings):
    # given a POSaBIT key without Enhanced Customer Data Access, both streams queued
    from integrations.tasks import sync_credential

    settings.POS_SANDBOX_ORIGIN = sandbox_origin
    credential = _credential("posabit", "fault=no-customer-access")
    customers = SyncRunFactory(credential=credential, stream=Stream.CUSTOMERS)
    sales = SyncRunFactory(credential=credential, stream=Stream.SALES)

    # when the credential syncs (customers first, as the task does)
    sync_credential.apply(args=(credential.pk, [customers.pk, sales.pk]))

    # then the shoppers stream says what is missing, and the sales still arrived
    customers.refresh_from_db()
    sales.refresh_from_db()
    assert (customers.status, customers.error_code) == (RunStatus.FAILED, "missing-permission")
    assert customers.error_message == ENHANCED_ACCESS_HINT
    assert (sales.status, sales.created) == (RunStatus.OK, 12)
    assert Sale.objects.count() == 12
    assert not Sale.objects.exclude(customer_external_id="").exists()
    # and the credential keeps syncing, with the missing permission on the card
    credential.refresh_from_db()
    assert credential.state == CredentialState.VERIFIED
    assert credential.last_error == ""
    assert credential.warnings == [ENHANCED_ACCESS_HINT]
    credential.integration.refresh_from_db()
    assert credential.integration.status == IntegrationStatus.CONNECTED


def test_the_missing_permission_is_said_once_however_often_the_shoppers_fail(sandbox_origin):
    # given a POSaBIT key without Enhanced Customer Data Access
    credential = _credential("posabit", "fault=no-customer-access")
    client = credential.provider_client(sandbox_origin=sandbox_origin)

    # when its customers stream runs twice
    run_once(credential, Stream.CUSTOMERS, provider=client)
    run_once(credential, Stream.CUSTOMERS, provider=client)

    # then the card carries one warning, and the credential still syncs
    credential.refresh_from_db()
    assert credential.warnings == [ENHANCED_ACCESS_HINT]
    assert credential.state == CredentialState.VERIFIED
    assert SyncRun.objects.filter(status=RunStatus.FAILED).count() == 2
