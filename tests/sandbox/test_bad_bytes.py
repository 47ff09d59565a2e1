"""Bad bytes anywhere in a sandbox request are a 400 naming the field, never a 500: a NUL
cannot be stored in PostgreSQL (a customer name holding one was a 500), and no real POS
keeps invisible control characters in a shopper's record."""

from __future__ import annotations

import json

import pytest

from integrations.sandbox.clover import payloads as clover_payloads
from integrations.sandbox.cova import payloads as cova_payloads
from integrations.sandbox.models import SandboxRecord
from integrations.sandbox.posabit import payloads as posabit_payloads
from tests.sandbox.conftest import (
    CLOVER_TOKEN,
    COVA,
    INTEGRATOR,
    MERCHANT,
    VENUE,
    Cova,
    basic,
    clover_account,
    posabit_account,
    post_form,
)

pytestmark = pytest.mark.django_db

POSABIT = "/sandbox/posabit/api/v3/venue/customers"
POSABIT_AUTH = {"HTTP_AUTHORIZATION": basic(INTEGRATOR, VENUE)}
CLOVER = f"/sandbox/clover/v3/merchants/{MERCHANT}/customers"
CLOVER_AUTH = {"HTTP_AUTHORIZATION": f"Bearer {CLOVER_TOKEN}"}


def said(response, key: str = "message") -> tuple[int, str]:  # type: ignore[no-untyped-def]
    return response.status_code, response.json()[key]


@pytest.mark.parametrize(
    ("customer", "field", "character"),
    [
        ({"first_name": "Ada\x00"}, "customer.first_name", "NUL"),
        ({"first_name": "Ada", "email": "ada\x1b@example.com"}, "customer.email", "U+001B"),
        ({"first_name": "Ada", "\x00": "x"}, "customer.[NUL]", "NUL"),
    ],
)
def test_posabit_create_with_a_control_character_names_the_field(
    client, customer, field, character
):
    # when a customer is created with a control character in one field
    response = client.post(POSABIT, {"customer": customer}, "application/json", **POSABIT_AUTH)

    # then a 400 names the field, and nothing was stored
    assert said(response) == (
        400,
        f"{field} contains an invisible control character ({character}).",
    )
    assert response.json()["field"] == field
    assert not SandboxRecord.objects.exists()


def test_posabit_update_with_a_nul_names_the_field(client):
    customer_id = posabit_payloads.customer_id(posabit_account(), 3)

    response = client.put(
        f"{POSABIT}/{customer_id}",
        {"customer": {"last_name": "Love\x00lace"}},
        "application/json",
        **POSABIT_AUTH,
    )

    assert said(response) == (
        400,
        "customer.last_name contains an invisible control character (NUL).",
    )
    assert not SandboxRecord.objects.exists()


def test_posabit_nul_in_the_path_or_the_query_names_it(client):
    in_path = client.get(f"{POSABIT}/12%0034", **POSABIT_AUTH)
    in_query = client.get(POSABIT, {"q[email_eq]": "a\x00b"}, **POSABIT_AUTH)

    assert said(in_path) == (400, "customer_id contains an invisible control character (NUL).")
    assert said(in_query) == (400, "q[email_eq] contains an invisible control character (NUL).")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"firstName": "Ada\x00"}, "firstName"),
        (
            {"firstName": "Ada", "phoneNumbers": [{"phoneNumber": "206\x00"}]},
            "phoneNumbers.0.phoneNumber",
        ),
        ({"firstName": "Ada", "metadata": {"note": "\ud800"}}, "metadata.note"),
    ],
)
def test_clover_create_with_a_control_character_names_the_field(client, body, field):
    response = client.post(CLOVER, body, "application/json", **CLOVER_AUTH)

    character = "U+D800" if "\ud800" in json.dumps(body, ensure_ascii=False) else "NUL"
    assert said(response) == (
        400,
        f"{field} contains an invisible control character ({character}).",
    )
    assert response.json()["field"] == field
    assert not SandboxRecord.objects.exists()


def test_clover_update_with_a_nul_names_the_field(client):
    customer_id = clover_payloads.customer_id(clover_account(), 5)

    response = client.post(
        f"{CLOVER}/{customer_id}", {"lastName": "\x00"}, "application/json", **CLOVER_AUTH
    )

    assert said(response) == (400, "lastName contains an invisible control character (NUL).")
    assert not SandboxRecord.objects.exists()


def test_cova_create_and_update_with_a_nul_name_the_field(client):
    cova = Cova(client)
    customer_id = cova_payloads.customer_id(cova.account, 7)

    created = cova.send("post", cova.url("crm", "CustomerFull"), {"PrimaryName": "Ada\x00"})
    updated = cova.send(
        "put",
        cova.url("crm", f"CustomerFull({customer_id})"),
        {"Addresses": [{"AddressLine1": "1 Way", "City": "Sea\x00ttle"}]},
    )

    assert said(created, "Message") == (
        400,
        "PrimaryName contains an invisible control character (NUL).",
    )
    assert created.json()["Field"] == "PrimaryName"
    assert said(updated, "Message") == (
        400,
        "Addresses.0.City contains an invisible control character (NUL).",
    )
    assert not SandboxRecord.objects.exists()


def test_cova_token_form_with_a_nul_names_the_field(client):
    form = {"grant_type": "password", **COVA, "username": "AIQ\x00user"}

    response = post_form(client, "/sandbox/cova/v1/oauth2/token", form)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert response.json()["error_description"] == (
        "username contains an invisible control character (NUL)."
    )


def test_a_well_formed_multiline_note_still_saves(client):
    # tabs and line breaks are typed text, not control characters to refuse
    response = client.post(
        CLOVER,
        {"firstName": "Ada", "metadata": {"note": "line one\n\tline two"}},
        "application/json",
        **CLOVER_AUTH,
    )

    assert response.status_code == 200
    assert SandboxRecord.objects.count() == 1
