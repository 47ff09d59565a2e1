"""Faults switched on by ``fault=<name>`` in a credential value, for every provider."""

from __future__ import annotations

import pytest

from integrations.sandbox import faults, ids
from integrations.sandbox.cova import payloads as cova_payloads
from integrations.sandbox.cova.auth import DENIED
from tests.sandbox.conftest import (
    CLOVER_TOKEN,
    COVA,
    INTEGRATOR,
    MERCHANT,
    VENUE,
    Cova,
    basic,
    clover_account,
    cova_account,
    posabit_account,
    post_form,
)

pytestmark = pytest.mark.django_db
WHOLE_HISTORY = "Date ge datetime'2000-01-01T00:00:00' and Date le datetime'2100-01-01T00:00:00'"


def _cova(client, fault: str, field: str = "password"):
    """A GET for Cova sales with ``fault`` in one credential field."""
    session = Cova(client, **{field: f"{COVA[field]},fault={fault}"})
    location = cova_payloads.location_ids(session.account)[0]
    url = session.url("posreports", f"Entities({location})/ByInvoiceWithProducts")
    return lambda: session.get(url, {"DateRange": WHOLE_HISTORY, "$top": 500})


def _posabit(client, fault: str):
    header = {"HTTP_AUTHORIZATION": basic(INTEGRATOR, f"{VENUE},fault={fault}")}
    return lambda: client.get(
        "/sandbox/posabit/api/v3/venue/sales_histories", {"per_page": 500}, **header
    )


def _clover(client, fault: str):
    header = {"HTTP_AUTHORIZATION": f"Bearer {CLOVER_TOKEN},fault={fault},ratelimit=0"}
    return lambda: client.get(
        f"/sandbox/clover/v3/merchants/{MERCHANT}/orders", {"limit": 500}, **header
    )


CALLS = {"cova": _cova, "posabit": _posabit, "clover": _clover}


def _records(provider: str, response) -> list[dict]:
    body = response.json()
    if provider == "cova":
        return body
    return body["sales_histories"] if provider == "posabit" else body["elements"]


@pytest.mark.parametrize("provider", CALLS)
def test_rate_limit_fault_answers_429_bursts_with_retry_after(client, fake_clock, provider):
    call = CALLS[provider](client, "rate-limit")

    answers = [call().status_code for _ in range(faults.RATE_LIMIT_EVERY)]
    during = call()
    fake_clock.advance(faults.RETRY_AFTER_SECONDS)
    after = call()

    assert answers == [200] * (faults.RATE_LIMIT_EVERY - 1) + [429]
    assert during.status_code == 429, "retrying before Retry-After is refused again"
    assert int(during["Retry-After"]) == faults.RETRY_AFTER_SECONDS
    assert after.status_code == 200


@pytest.mark.parametrize("provider", CALLS)
def test_server_error_fault_fails_one_request_in_four_and_a_retry_succeeds(client, provider):
    call = CALLS[provider](client, "server-error")
    answers = [call().status_code for _ in range(8)]
    assert answers == [200, 500, 200, 200, 200, 503, 200, 200]


ACCOUNTS = {
    "cova": lambda: cova_account(password=f"{COVA['password']},fault=malformed"),
    "posabit": lambda: posabit_account(f"{VENUE},fault=malformed"),
    "clover": lambda: clover_account(token=f"{CLOVER_TOKEN},fault=malformed,ratelimit=0"),
}


def test_about_one_sale_in_twenty_is_chosen_to_be_malformed():
    for make in ACCOUNTS.values():
        account = make()
        chosen = [i for i in range(account.sales) if faults.malformed_variant(account, i)]
        kinds = {faults.malformed_variant(account, i) for i in chosen}
        assert 15 <= len(chosen) <= 35
        assert kinds == {"missing", "wrong-type"}


@pytest.mark.parametrize("provider", CALLS)
def test_malformed_fault_breaks_exactly_the_chosen_records(client, provider):
    records = _records(provider, CALLS[provider](client, "malformed")())
    clean = _records(provider, CALLS[provider](client, "none")())
    id_key = {"cova": "Id", "posabit": "id", "clover": "id"}[provider]
    total_key = {"cova": "Total", "posabit": "total", "clover": "total"}[provider]
    account = ACCOUNTS[provider]()

    broken = [
        position
        for position, record in enumerate(records)
        if id_key not in record or isinstance(record.get(total_key), str)
    ]
    # Records come in the same order with and without the fault; the clean id names them.
    chosen = [
        position
        for position, record in enumerate(clean)
        if faults.malformed_variant(account, _index(provider, account, record[id_key]))
    ]
    assert len(records) == len(clean)
    assert broken == chosen
    assert broken
    assert all(id_key in r and not isinstance(r[total_key], str) for r in clean)


def _index(provider: str, account, record_id) -> int:
    if provider == "cova":
        return ids.guid_index(account.key, "sale", record_id)
    if provider == "posabit":
        return ids.int_index(account.key, "sale", record_id)
    return ids.clover_index(account.key, "order", record_id)


def test_malformed_customers_too(client):
    header = {"HTTP_AUTHORIZATION": basic(INTEGRATOR, f"{VENUE},fault=malformed")}
    body = client.get(
        "/sandbox/posabit/api/v3/venue/customers",
        {"start_date": "2000-01-01", "end_date": "2100-01-01", "per_page": 150},
        **header,
    ).json()
    people = [item["customer"] for item in body["customers"]]
    account = posabit_account(f"{VENUE},fault=malformed")
    broken = sum("id" not in p or isinstance(p["created_at"], int) for p in people)
    assert broken == sum(bool(faults.malformed_variant(account, i)) for i in range(150))
    assert broken


def test_cova_temporary_password_refuses_the_grant(client):
    form = {"grant_type": "password", **COVA, "password": "Temp123!,fault=temporary-password"}
    response = post_form(client, "/sandbox/cova/v1/oauth2/token", form)
    assert response.status_code == 401
    body = response.json()
    assert body["error"] == "invalid_grant"
    assert body["error_description"] == "Password change required"
    assert {"Message", "Description"} <= set(body)


def test_cova_temporary_password_data_mode_issues_a_token_that_reads_nothing(client):
    session = Cova.__new__(Cova)
    form = {"grant_type": "password", **COVA, "password": "Temp123!,fault=temporary-password-data"}
    token = post_form(client, "/sandbox/cova/v1/oauth2/token", form).json()["access_token"]
    account = cova_account(password="Temp123!,fault=temporary-password-data")
    session.client, session.token, session.account = client, token, account
    session.company = cova_payloads.company_id(account)
    response = session.get(session.url("entitymanager", "Locations"))
    assert response.status_code == 401
    assert response.json()["Message"].startswith(DENIED)
    assert "Password change required" in response.json()["Message"]


def test_cova_expired_token_fault_expires_every_other_grant(client):
    form = {"grant_type": "password", **COVA, "client_secret": "s3cret,fault=expired-token"}
    tokens = [
        post_form(client, "/sandbox/cova/v1/oauth2/token", form).json()["access_token"]
        for _ in range(3)
    ]
    answers = [
        client.get("/sandbox/cova/v1/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        for token in tokens
    ]
    assert answers == [401, 200, 401]


@pytest.mark.parametrize("provider", ["posabit", "clover"])
def test_static_token_expired_fault_refuses_only_the_first_call(client, provider):
    call = CALLS[provider](client, "expired-token")
    assert [call().status_code for _ in range(3)] == [401, 200, 200]


def test_fault_state_is_per_credential(client, fake_clock):
    noisy = CALLS["clover"](client, "rate-limit")
    for _ in range(faults.RATE_LIMIT_EVERY):
        noisy()
    quiet = client.get(
        f"/sandbox/clover/v3/merchants/{MERCHANT}/orders",
        HTTP_AUTHORIZATION=f"Bearer {CLOVER_TOKEN}",
    )
    assert noisy().status_code == 429
    assert quiet.status_code == 200
    assert clover_account().faults == frozenset()
