"""The integration card: credentials, Connect/Disconnect, settings and history, scoped to
the staff member's company."""

from __future__ import annotations

import pytest

from integrations.choices import CredentialState, EventAction, IntegrationStatus
from integrations.models import Credential, IntegrationEvent
from tests.integrations.factories import CredentialFactory, IntegrationFactory, sandbox_values

pytestmark = pytest.mark.django_db
PAGE = "/admin/integrations/integration/"

COVA_LABELS = [
    "Relevant market of credential",
    "Sync to relevant market / Sync to state",
    "When syncing Personas into this integration, force a Pricing Group ID",
    "Restrict imports by location ID",
    "Use AIQ&#x27;s last backup",
    "Sync Personas / Sync Contacts",
    "Skip importing payment method",
    "Send SMS double opt-ins to Personas who purchased after",
    "Enroll Personas in loyalty program who purchased after",
    "Loyalty points imported on",
    "Mirror integration loyalty point values?",
    "All users from this source have passed an age gate compliant with my industry",
]


def card_url(card) -> str:
    return f"{PAGE}{card.pk}/change/"


def credential_post(provider: str, sandbox: bool = True, **overrides: str) -> dict[str, str]:
    data = {f"credential-{k}": v for k, v in {**sandbox_values(provider), **overrides}.items()}
    if sandbox:
        data["credential-is_sandbox"] = "on"
    return data


def settings_post(card, **values) -> dict[str, str]:
    data = {"age_gate_attested": "on"} if card.age_gate_attested else {}
    data.update(values)
    return data


def test_cova_card_shows_its_fields_settings_and_warnings(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")

    html = owner_a.get(card_url(card)).content.decode()

    for label in ["Client ID", "Client secret", "Username", "Password", "Sandbox credential"]:
        assert f">{label}:</label>" in html
    for label in COVA_LABELS:
        assert label in html, label
    assert "Warning: Do not turn this on unless you are switching POS systems" in html
    assert "Points mirroring is not supported by First In, First Out (FIFO)" in html
    assert 'value="Add Credential"' in html
    assert ">Connect</button>" in html
    assert ">Disconnect</button>" not in html  # not connected yet
    assert 'value="Save settings"' in html


def test_posabit_and_clover_show_only_their_seed_settings(owner_a, company_a):
    posabit = IntegrationFactory(company=company_a, provider="posabit")
    clover = IntegrationFactory(company=company_a, provider="clover")

    posabit_html = owner_a.get(card_url(posabit)).content.decode()
    clover_html = owner_a.get(card_url(clover)).content.decode()

    for label in ["Store Name", "Key", "Relevant market of credential"]:
        assert f">{label}:</label>" in posabit_html
    assert "Loyalty points imported on" in posabit_html
    assert "Do not touch any other settings in this integration card" in posabit_html
    for absent in ["Mirror integration", "Skip importing payment", "force a Pricing Group"]:
        assert absent not in posabit_html
    for label in ["Merchant ID", "API Token"]:
        assert f">{label}:</label>" in clover_html
    for absent in ["Loyalty points imported on", "Sync to relevant market", "Mirror"]:
        assert absent not in clover_html
    assert "All users from this source have passed an age gate" in clover_html


def test_add_credential_from_the_card(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="posabit")

    response = owner_a.post(
        f"{PAGE}{card.pk}/credentials/add/", credential_post("posabit", relevant_market="wa")
    )

    assert response.status_code == 302
    assert response["Location"] == card_url(card) + "#credentials"
    credential = Credential.objects.get(integration=card)
    assert credential.is_sandbox is True
    assert credential.public_fields == {"store_name": "Capitol Hill", "relevant_market": "WA"}
    html = owner_a.get(card_url(card)).content.decode()
    assert "Capitol Hill" in html and "\u2022\u2022\u2022\u2022hill" in html
    assert "Not verified yet" in html


def test_a_bad_credential_shows_field_errors_on_the_card(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="posabit")
    CredentialFactory(integration=card)

    response = owner_a.post(
        f"{PAGE}{card.pk}/credentials/add/",
        credential_post("posabit", key="", relevant_market="Washington"),
    )

    assert response.status_code == 200
    errors = response.context["credential_form"].errors
    assert set(errors) == {"key"}
    assert card.credentials.count() == 1
    # the same store name again: its own field error
    response = owner_a.post(f"{PAGE}{card.pk}/credentials/add/", credential_post("posabit"))
    errors = response.context["credential_form"].errors
    assert list(errors) == ["store_name"]
    assert "one key per store" in response.content.decode()
    assert card.credentials.count() == 1


def test_remove_a_credential(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="clover")
    credential = CredentialFactory(integration=card)

    response = owner_a.post(f"{PAGE}{card.pk}/credentials/{credential.pk}/remove/")

    assert response.status_code == 302
    assert not Credential.objects.exists()
    assert IntegrationEvent.objects.filter(action=EventAction.CREDENTIAL_REMOVED).count() == 1


def test_save_settings_validates_and_records_history(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")

    bad = owner_a.post(card_url(card), {"relevant_markets": "WA, Atlantis"})
    assert bad.status_code == 200
    assert (
        "Not a US state or Canadian province: Atlantis."
        in bad.context["adminform"].form.errors["relevant_markets"][0]
    )

    good = owner_a.post(
        card_url(card),
        {"relevant_markets": "wa, or", "restrict_location_ids": "1001, 1002", "_save": "1"},
    )
    assert good.status_code == 302 and good["Location"] == card_url(card)
    card.refresh_from_db()
    assert card.relevant_markets == ["WA", "OR"]
    assert card.restrict_location_ids == ["1001", "1002"]
    html = owner_a.get(card_url(card)).content.decode()
    assert 'value="WA, OR"' in html
    assert "Settings changed" in html and owner_a.user.username in html
    assert "<strong>Relevant market of credential</strong>: \u2014 &rarr; WA, OR" in html


def test_connect_without_attestation_is_refused_on_the_field(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="clover")
    CredentialFactory(integration=card)

    response = owner_a.post(card_url(card), {"_connect": "1"})

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "before connecting" in errors["age_gate_attested"][0]
    card.refresh_from_db()
    assert card.status == IntegrationStatus.NOT_CONNECTED
    assert not IntegrationEvent.objects.filter(integration=card).exists()


def test_tick_attestation_and_connect(owner_a, company_a, settings, sandbox_origin):
    settings.POS_SANDBOX_ORIGIN = sandbox_origin
    card = IntegrationFactory(company=company_a, provider="clover")
    credential = CredentialFactory(integration=card)

    response = owner_a.post(card_url(card), {"age_gate_attested": "on", "_connect": "1"})

    assert response.status_code == 302
    card.refresh_from_db()
    credential.refresh_from_db()
    assert card.age_gate_attested and card.status == IntegrationStatus.CONNECTED
    assert credential.state == CredentialState.VERIFIED
    page = owner_a.get(card_url(card)).content.decode()
    assert "Clover is connected" in page
    assert 'id="card-status">Connected</span>' in page
    assert ">Disconnect</button>" in page
    actions = list(
        IntegrationEvent.objects.filter(integration=card).values_list("action", flat=True)
    )
    assert actions == [EventAction.CONNECTED, EventAction.SETTINGS_CHANGED]


def test_failing_credential_is_said_on_the_card(owner_a, company_a, settings, sandbox_origin):
    settings.POS_SANDBOX_ORIGIN = sandbox_origin
    card = IntegrationFactory(company=company_a, provider="cova", age_gate_attested=True)
    CredentialFactory(
        integration=card,
        values={**sandbox_values("cova"), "password": "sandbox-password fault=temporary-password"},
    )

    owner_a.post(card_url(card), {"age_gate_attested": "on", "_connect": "1"})

    page = owner_a.get(card_url(card)).content.decode()
    assert "Needs attention" in page
    assert "change the temporary password" in page
    assert "Cova Hub" in page


def test_disconnect(owner_a, company_a):
    card = IntegrationFactory(company=company_a, status=IntegrationStatus.CONNECTED)

    response = owner_a.post(f"{PAGE}{card.pk}/disconnect/")

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == IntegrationStatus.NOT_CONNECTED
    assert "is disconnected" in owner_a.get(card_url(card)).content.decode()


def test_another_companys_card_is_404_everywhere(owner_a, company_b):
    card = IntegrationFactory(
        company=company_b, provider="cova", status=IntegrationStatus.CONNECTED
    )
    credential = CredentialFactory(integration=card)

    assert owner_a.get(card_url(card)).status_code == 404
    assert owner_a.post(card_url(card), {"_connect": "1"}).status_code == 404
    assert owner_a.get(f"{PAGE}{card.pk}/history/").status_code == 404
    assert owner_a.post(f"{PAGE}{card.pk}/disconnect/").status_code == 404
    assert (
        owner_a.post(f"{PAGE}{card.pk}/credentials/add/", credential_post("cova")).status_code
        == 404
    )
    assert owner_a.post(f"{PAGE}{card.pk}/credentials/{credential.pk}/remove/").status_code == 404
    # nothing happened to B's card
    card.refresh_from_db()
    assert card.status == IntegrationStatus.CONNECTED
    assert card.credentials.count() == 1
    assert not IntegrationEvent.objects.exists()


def test_a_credential_of_another_card_cannot_be_removed_through_mine(owner_a, company_a, company_b):
    mine = IntegrationFactory(company=company_a, provider="cova")
    theirs = CredentialFactory(integration=IntegrationFactory(company=company_b, provider="cova"))

    response = owner_a.post(f"{PAGE}{mine.pk}/credentials/{theirs.pk}/remove/")

    assert response.status_code == 404
    assert Credential.objects.filter(pk=theirs.pk).exists()


def test_history_shows_only_this_cards_events(owner_a, company_a, company_b):
    mine = IntegrationFactory(company=company_a, provider="cova")
    theirs = IntegrationFactory(company=company_b, provider="cova")
    CredentialFactory(integration=theirs, values={**sandbox_values("cova"), "username": "B-USER"})
    IntegrationEvent.objects.create(
        company=company_b,
        integration=theirs,
        action=EventAction.CREDENTIAL_ADDED,
        message="Credential “B-USER” added",
    )

    html = owner_a.get(card_url(mine)).content.decode()

    assert "B-USER" not in html
    assert "No changes yet." in html


def test_change_a_credential_keeps_blank_secrets(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="cova")
    credential = CredentialFactory(integration=card)
    url = f"{PAGE}{card.pk}/credentials/{credential.pk}/change/"

    page = owner_a.get(url).content.decode()
    assert 'value="EVERGREEN.AIQ"' in page  # readable fields prefilled
    assert "sandbox-password" not in page and "Saved: \u2022\u2022\u2022\u2022word" in page

    response = owner_a.post(
        url,
        {
            "credential-client_id": "EVERGREEN.AIQ",
            "credential-username": "AIQ.COVA.APIUser.EVERGREEN",
            "credential-password": "Permanent-Pass-1234",
            "credential-is_sandbox": "on",
        },
    )

    assert response.status_code == 302
    credential.refresh_from_db()
    assert credential.values()["password"] == "Permanent-Pass-1234"
    assert credential.values()["client_secret"] == "sandbox-client-secret"
    event = IntegrationEvent.objects.get(action=EventAction.CREDENTIAL_CHANGED)
    assert event.changes == {
        "password": ["\u2022\u2022\u2022\u2022word", "\u2022\u2022\u2022\u20221234"]
    }


def test_another_companys_credential_cannot_be_changed(owner_a, company_b):
    card = IntegrationFactory(company=company_b, provider="clover")
    credential = CredentialFactory(integration=card)

    url = f"{PAGE}{card.pk}/credentials/{credential.pk}/change/"

    assert owner_a.get(url).status_code == 404
    assert owner_a.post(url, {"credential-merchant_id": "X"}).status_code == 404


def test_changing_a_set_sms_date_asks_for_confirmation(owner_a, company_a):
    card = IntegrationFactory(
        company=company_a, provider="clover", sms_double_opt_in_after="2026-01-01"
    )

    first = owner_a.post(card_url(card), {"sms_double_opt_in_after": ""})

    assert first.status_code == 200
    errors = first.context["adminform"].form.errors
    assert "Shoppers who already joined stay opted in" in errors["sms_double_opt_in_after"][0]
    assert "I have read the warnings" in first.content.decode()
    card.refresh_from_db()
    assert str(card.sms_double_opt_in_after) == "2026-01-01"

    second = owner_a.post(card_url(card), {"sms_double_opt_in_after": "", "confirm_warnings": "on"})

    assert second.status_code == 302
    card.refresh_from_db()
    assert card.sms_double_opt_in_after is None
    event = IntegrationEvent.objects.get(action=EventAction.SETTINGS_CHANGED)
    assert event.changes == {"sms_double_opt_in_after": ["2026-01-01", None]}


def test_setting_the_sms_date_the_first_time_shows_how_many_it_would_text(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="posabit")

    first = owner_a.post(card_url(card), {"sms_double_opt_in_after": "2026-02-01"})

    assert first.status_code == 200
    errors = first.context["adminform"].form.errors
    assert (
        "This will text a double opt-in request to 0 shoppers"
        in errors["sms_double_opt_in_after"][0]
    )
    card.refresh_from_db()
    assert card.sms_double_opt_in_after is None

    second = owner_a.post(
        card_url(card), {"sms_double_opt_in_after": "2026-02-01", "confirm_warnings": "on"}
    )

    assert second.status_code == 302
    card.refresh_from_db()
    assert str(card.sms_double_opt_in_after) == "2026-02-01"


def test_turning_on_last_backup_asks_for_confirmation(owner_a, company_a):
    card = IntegrationFactory(
        company=company_a, provider="cova", status=IntegrationStatus.CONNECTED
    )
    CredentialFactory(integration=card, state=CredentialState.VERIFIED)

    first = owner_a.post(card_url(card), {"use_last_backup": "on"})
    assert "switching POS systems" in first.context["adminform"].form.errors["use_last_backup"][0]

    owner_a.post(card_url(card), {"use_last_backup": "on", "confirm_warnings": "on"})

    card.refresh_from_db()
    assert card.use_last_backup and card.status == IntegrationStatus.FROZEN
    assert "Frozen (using AIQ" in owner_a.get(card_url(card)).content.decode()


def test_no_sandbox_checkbox_where_sandboxes_are_off(owner_a, company_a, settings):
    settings.POS_SANDBOX_ENABLED = False
    card = IntegrationFactory(company=company_a, provider="clover")

    html = owner_a.get(card_url(card)).content.decode()
    owner_a.post(
        f"{PAGE}{card.pk}/credentials/add/",
        credential_post("clover", merchant_id="ABCD1234ABCD1"),  # is_sandbox=on is ignored
    )

    assert "Sandbox credential" not in html
    assert Credential.objects.get().is_sandbox is False
