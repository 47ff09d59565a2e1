"""The sandboxes' write endpoints accept only credentials this sandbox issued
(``issue_sandbox_credentials``, signed with the deployment's secret key); reads accept any
non-refused value, as before. A refused write answers 401 and writes nothing."""

from __future__ import annotations

import pytest

from integrations.sandbox.models import SandboxRecord
from integrations.sandbox_credentials import issue_sandbox_credentials
from tests.sandbox.conftest import COVA, INTEGRATOR, Cova, basic

pytestmark = pytest.mark.django_db
NEVER_ISSUED = {
    "cova": {**COVA, "password": "permanent-pw"},
    "posabit": {"store_name": "Anywhere", "key": "made-up-venue-key"},
    "clover": {"merchant_id": "MADEUPMERCHNT", "api_token": "made-up-clover-token"},
}
CLOVER_BODY = {"firstName": "Mallory", "phoneNumbers": [{"phoneNumber": "3035550199"}]}
POSABIT_BODY = {"customer": {"first_name": "Mallory", "telephone": "3035550199"}}
COVA_BODY = {"FirstName": "Mallory", "LastName": "Intruder"}


def clover_post(client, values: dict[str, str]):
    return client.post(
        f"/sandbox/clover/v3/merchants/{values['merchant_id']}/customers",
        CLOVER_BODY,
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {values['api_token']}",
    )


def posabit_post(client, values: dict[str, str]):
    return client.post(
        "/sandbox/posabit/api/v3/venue/customers",
        POSABIT_BODY,
        "application/json",
        HTTP_AUTHORIZATION=basic(INTEGRATOR, values["key"]),
    )


def test_clover_write_with_a_token_the_sandbox_never_issued_is_refused(client):
    # given a token the sandbox accepts for reading but never issued
    values = NEVER_ISSUED["clover"]
    listing = client.get(
        f"/sandbox/clover/v3/merchants/{values['merchant_id']}/customers",
        HTTP_AUTHORIZATION=f"Bearer {values['api_token']}",
    )
    assert listing.status_code == 200

    # when it creates a customer
    response = clover_post(client, values)

    # then it is refused and nothing is written
    assert response.status_code == 401
    assert "not issued by this sandbox" in response.json()["message"]
    assert SandboxRecord.objects.count() == 0


def test_clover_write_with_a_forged_issue_mark_is_refused(client):
    values = {**NEVER_ISSUED["clover"], "api_token": "made-up-clover-token,issued=" + "0" * 32}

    response = clover_post(client, values)

    assert response.status_code == 401
    assert SandboxRecord.objects.count() == 0


def test_clover_write_with_issued_credentials_is_accepted(client):
    values = issue_sandbox_credentials("clover", NEVER_ISSUED["clover"])

    response = clover_post(client, values)

    assert response.status_code == 200
    assert SandboxRecord.objects.filter(provider="clover", kind="customer").count() == 1


def test_an_issued_token_cannot_be_moved_to_another_merchant(client):
    # the mark signs the merchant and the token together
    issued = issue_sandbox_credentials("clover", NEVER_ISSUED["clover"])

    response = clover_post(client, {**issued, "merchant_id": "OTHERMERCHANT"})

    assert response.status_code == 401
    assert SandboxRecord.objects.count() == 0


def test_posabit_write_with_a_key_the_sandbox_never_issued_is_refused(client):
    response = posabit_post(client, NEVER_ISSUED["posabit"])

    assert response.status_code == 401
    assert "not issued by this sandbox" in response.json()["message"]
    assert SandboxRecord.objects.count() == 0


def test_posabit_write_with_an_issued_key_is_accepted(client):
    values = issue_sandbox_credentials("posabit", NEVER_ISSUED["posabit"])

    response = posabit_post(client, values)

    assert response.status_code == 201
    assert SandboxRecord.objects.filter(provider="posabit").count() == 1


def test_cova_write_with_credentials_the_sandbox_never_issued_is_refused(client):
    # given a token granted for credentials the sandbox never issued (reads work)
    cova = Cova(client, password=NEVER_ISSUED["cova"]["password"])
    assert cova.get(cova.url("crm", "Customers")).status_code == 200

    # when it creates a customer, and updates one
    created = cova.send("post", cova.url("crm", "CustomerFull"), COVA_BODY)
    customer_id = cova.get(cova.url("crm", "Customers")).json()[0]["Id"]
    updated = cova.send("put", cova.url("crm", f"CustomerFull({customer_id})"), COVA_BODY)

    # then both are refused and nothing is written
    assert created.status_code == 401
    assert updated.status_code == 401
    assert "not issued by this sandbox" in created.json()["Message"]
    assert SandboxRecord.objects.count() == 0


def test_cova_search_is_a_read_and_needs_no_issued_credentials(client):
    cova = Cova(client, password=NEVER_ISSUED["cova"]["password"])

    response = cova.send("post", cova.url("crm", "Search"), {"Criteria": []})

    # past the gate: the search's own validation answers
    assert response.status_code == 400
    assert "Criteria is required" in response.json()["Message"]


def test_cova_write_with_issued_credentials_is_accepted(client):
    issued = issue_sandbox_credentials("cova", NEVER_ISSUED["cova"])
    cova = Cova(client, password=issued["password"])

    created = cova.send("post", cova.url("crm", "CustomerFull"), COVA_BODY)

    assert created.status_code == 201
    assert SandboxRecord.objects.filter(provider="cova").count() == 1
