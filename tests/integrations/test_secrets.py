"""No credential secret in plaintext: not in the database, the admin HTML, the logs or
the history."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from integrations.models import Credential, Integration, IntegrationEvent

pytestmark = pytest.mark.django_db
PAGE = "/admin/integrations/integration/"

# Distinctive secrets the sandboxes accept.
SECRETS = {
    "cova": {"client_secret": "Zq-client-secret-5151", "password": "Zq-permanent-pass-8282"},
    "posabit": {"key": "Zq-venue-key-7373"},
    "clover": {"api_token": "Zq-clover-token-6464"},
}
PUBLIC = {
    "cova": {"client_id": "ZQ.AIQ", "username": "AIQ.COVA.APIUser.ZQ"},
    "posabit": {"store_name": "Zq Store"},
    "clover": {"merchant_id": "ZQMERCHANT001"},
}
ALL_SECRETS = [value for values in SECRETS.values() for value in values.values()]


def every_value_in_the_database() -> str:
    """Every cell of every table, as text (the test database is small)."""
    cells = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            cells.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(cells)


def add_and_connect(owner_a, provider: str, extra_secret: str = "") -> Integration:
    owner_a.post(f"{PAGE}open/{provider}/")
    card = Integration.objects.get(provider=provider)
    values = {**PUBLIC[provider], **SECRETS[provider]}
    data = {f"credential-{k}": v for k, v in values.items()} | {"credential-is_sandbox": "on"}
    assert owner_a.post(f"{PAGE}{card.pk}/credentials/add/", data).status_code == 302
    owner_a.post(f"{PAGE}{card.pk}/change/", {"age_gate_attested": "on", "_connect": "1"})
    return card


@pytest.fixture
def connected_cards(owner_a, settings, sandbox_origin, caplog):
    settings.POS_SANDBOX_ORIGIN = sandbox_origin
    caplog.set_level(logging.DEBUG)
    cards = [add_and_connect(owner_a, provider) for provider in SECRETS]
    for card in cards:
        card.refresh_from_db()
        assert card.status == "connected", card.status_detail
    return cards


def test_no_secret_in_any_database_column(connected_cards):
    dump = every_value_in_the_database()

    for secret in ALL_SECRETS:
        assert secret not in dump
    # the readable parts are there, and the secrets decrypt
    assert "ZQMERCHANT001" in dump
    cova = Credential.objects.get(integration__provider="cova")
    assert cova.values()["password"] == SECRETS["cova"]["password"]
    assert cova.secret_fields_encrypted.startswith("gAAAAA")  # a Fernet token


def test_no_secret_in_the_admin_html(owner_a, connected_cards):
    pages = [owner_a.get(PAGE).content.decode()]
    for card in connected_cards:
        pages.append(owner_a.get(f"{PAGE}{card.pk}/change/").content.decode())
        pages.append(owner_a.get(f"{PAGE}{card.pk}/history/").content.decode())
    html = "\n".join(pages)

    for secret in ALL_SECRETS:
        assert secret not in html
    assert "\u2022\u2022\u2022\u20228282" in html  # the Cova password's last four only


def test_a_rejected_form_does_not_echo_the_secret(owner_a, company_a):
    owner_a.post(f"{PAGE}open/cova/")
    card = Integration.objects.get()
    data = {"credential-password": "Zq-typed-secret-4040", "credential-client_id": "X"}

    response = owner_a.post(f"{PAGE}{card.pk}/credentials/add/", data)

    assert response.status_code == 200 and response.context["credential_form"].errors
    assert "Zq-typed-secret-4040" not in response.content.decode()
    assert "4040" not in response.content.decode()


def test_no_secret_in_the_logs(connected_cards, caplog):
    # the cards were added and connected while the fixture set up
    records = caplog.get_records("setup") + caplog.get_records("call")
    text = "\n".join(
        [record.getMessage() for record in records] + [str(record.__dict__) for record in records]
    )

    assert "integration" in text  # the services did log
    for secret in ALL_SECRETS:
        assert secret not in text


def test_no_secret_in_the_logs_of_a_failing_connect(owner_a, settings, sandbox_origin, caplog):
    settings.POS_SANDBOX_ORIGIN = sandbox_origin
    caplog.set_level(logging.DEBUG)
    bad_password = "Zq-permanent-pass-8282 fault=temporary-password"
    owner_a.post(f"{PAGE}open/cova/")
    card = Integration.objects.get()
    data = {f"credential-{k}": v for k, v in PUBLIC["cova"].items()} | {
        "credential-client_secret": SECRETS["cova"]["client_secret"],
        "credential-password": bad_password,
        "credential-is_sandbox": "on",
    }
    owner_a.post(f"{PAGE}{card.pk}/credentials/add/", data)
    owner_a.post(f"{PAGE}{card.pk}/change/", {"age_gate_attested": "on", "_connect": "1"})

    card.refresh_from_db()
    assert card.status == "needs_attention"
    assert "failed its check: temporary-password" in caplog.text
    for secret in [*SECRETS["cova"].values(), bad_password]:
        assert secret not in caplog.text


def test_no_secret_in_the_history(connected_cards):
    events = list(IntegrationEvent.objects.values_list("changes", "message"))

    assert len(events) >= 9  # created, credential added, settings changed, connected (x3)
    for secret in ALL_SECRETS:
        assert secret not in repr(events)
