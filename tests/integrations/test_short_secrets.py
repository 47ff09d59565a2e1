"""Secrets never show, whatever their length: a hint (the last characters) only for a
secret long enough that it reveals little (12 characters or more, at most a quarter of it);
otherwise the card, the change page and the history say a value is set and when."""

from __future__ import annotations

import json

import pytest

from aiq.crypto import encrypt
from integrations.models import Credential, IntegrationEvent
from integrations.secret_hints import MASK, hint_for, redact_stored_hints
from integrations.services.credentials import add_credential, update_credential
from tests.integrations.factories import CredentialFactory, IntegrationFactory

pytestmark = pytest.mark.django_db
PAGE = "/admin/integrations/integration/"


@pytest.mark.parametrize(
    ("secret", "hint"),
    [
        ("a", ""),
        ("abcd", ""),
        ("abcdef", ""),
        ("abcdefghijk", ""),  # 11
        ("abcdefghijkl", "jkl"),  # 12: a quarter is 3
        ("abcdefghijklmno", "mno"),  # 15: 3
        ("abcdefghijklmnop", "mnop"),  # 16: 4
        ("x" * 36 + "WXYZ", "WXYZ"),  # never more than 4
    ],
)
def test_a_hint_only_for_a_long_secret_and_at_most_a_quarter_of_it(secret, hint):
    assert hint_for(secret) == hint


def clover_card_with_token(company, token: str):
    card = IntegrationFactory(company=company, provider="clover")
    credential = add_credential(
        card, {"merchant_id": "SANDBOXMERCH1", "api_token": token}, is_sandbox=True
    )
    return card, credential


@pytest.mark.parametrize("token", ["Zq7", "Zq7Y", "Zq7Y9k"])
def test_a_short_secret_shows_nowhere(owner_a, company_a, token):
    # given a Clover credential whose token is 3, 4 or 6 characters long
    card, credential = clover_card_with_token(company_a, token)

    # when staff open the card, the credential's change page and the history
    card_html = owner_a.get(f"{PAGE}{card.pk}/change/").content.decode()
    change_html = owner_a.get(
        f"{PAGE}{card.pk}/credentials/{credential.pk}/change/"
    ).content.decode()
    history_html = owner_a.get(f"{PAGE}{card.pk}/history/").content.decode()

    # then no part of it shows, nor is stored readable; each says a value is set
    tail = token[-3:]
    for html in (card_html, change_html, history_html):
        assert f"{MASK}{tail}" not in html
    assert f"{MASK} set " in card_html
    assert "Saved: set " in change_html
    credential.refresh_from_db()
    assert credential.secret_hint("api_token") == ""
    assert credential.secret_changed_at("api_token") is not None
    assert tail not in json.dumps(credential.secret_hints)
    event = IntegrationEvent.objects.get(integration=card)
    assert event.changes["api_token"] == [None, MASK]


def test_a_long_secret_shows_its_last_four(owner_a, company_a):
    card, _credential = clover_card_with_token(company_a, "clover-token-0123456789-WXYZ")

    card_html = owner_a.get(f"{PAGE}{card.pk}/change/").content.decode()

    assert f"{MASK}WXYZ" in card_html
    event = IntegrationEvent.objects.get(integration=card)
    assert event.changes["api_token"] == [None, f"{MASK}WXYZ"]


def test_changing_a_short_secret_is_recorded_without_showing_it(company_a):
    _card, credential = clover_card_with_token(company_a, "Zq7Y")
    first_changed_at = credential.secret_changed_at("api_token")

    changes = update_credential(credential, {"merchant_id": "SANDBOXMERCH1", "api_token": "Ab9"})

    assert changes["api_token"] == [MASK, MASK]
    credential.refresh_from_db()
    assert credential.secret_changed_at("api_token") > first_changed_at
    assert credential.values()["api_token"] == "Ab9"


def test_an_unchanged_secret_keeps_when_it_was_set(company_a):
    _card, credential = clover_card_with_token(company_a, "Zq7Y")
    set_at = credential.secret_changed_at("api_token")

    update_credential(credential, {"merchant_id": "OTHERMERCHANT", "api_token": ""})

    credential.refresh_from_db()
    assert credential.secret_changed_at("api_token") == set_at


def test_stored_hints_and_history_are_redacted(company_a):
    # given rows written before this rule: last-four hints of a short and a long secret,
    # and history entries holding them
    credential = CredentialFactory(integration__company=company_a, integration__provider="cova")
    secrets = {"client_secret": "abc", "password": "a-long-enough-password-7731"}
    Credential.objects.filter(pk=credential.pk).update(
        secret_fields_encrypted=encrypt(json.dumps(secrets)),
        secret_hints={"client_secret": "abc", "password": "7731"},
    )
    event = IntegrationEvent.objects.create(
        company=company_a,
        integration=credential.integration,
        action="credential_changed",
        changes={"client_secret": [f"{MASK}xyz", f"{MASK}abc"], "username": ["a", "b"]},
    )

    # when the data migration's function runs
    redact_stored_hints(Credential, IntegrationEvent)

    # then hints follow the rule, and the history keeps only that a secret changed
    credential.refresh_from_db()
    assert credential.secret_hint("client_secret") == ""
    assert credential.secret_hint("password") == "7731"
    assert credential.secret_changed_at("password") is not None
    event.refresh_from_db()
    assert event.changes == {"client_secret": [MASK, MASK], "username": ["a", "b"]}
