"""Bad input on the integration card is a form error; long values never break its layout."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from integrations.models import Credential
from integrations.services.card_settings import SETTINGS_BY_NAME, parse_markets
from tests.integrations.factories import CredentialFactory, IntegrationFactory, sandbox_values

pytestmark = pytest.mark.django_db
PAGE = "/admin/integrations/integration/"


def credential_post(provider: str, **overrides: str) -> dict[str, str]:
    values = {**sandbox_values(provider), **overrides}
    return {f"credential-{k}": v for k, v in values.items()} | {"credential-is_sandbox": "on"}


@pytest.mark.parametrize(
    ("provider", "field", "label"),
    [
        ("posabit", "store_name", "Store Name"),
        ("posabit", "key", "Key"),
        ("cova", "client_id", "Client ID"),
        ("clover", "api_token", "API Token"),
    ],
)
def test_a_5000_character_credential_value_is_a_form_error(
    owner_a, company_a, provider, field, label
):
    # given
    card = IntegrationFactory(company=company_a, provider=provider)

    # when
    response = owner_a.post(
        f"{PAGE}{card.pk}/credentials/add/", credential_post(provider, **{field: "x" * 5000})
    )

    # then: the field says why, and nothing was saved
    assert response.status_code == 200
    errors = response.context["credential_form"].errors
    assert list(errors) == [field]
    assert errors[field] == ["Ensure this value has at most 200 characters (it has 5000)."], label
    assert not Credential.objects.filter(integration=card).exists()


def test_long_values_already_saved_are_cut_with_an_ellipsis(owner_a, company_a):
    # given: a value saved before the limit existed
    card = IntegrationFactory(company=company_a, provider="posabit")
    CredentialFactory(
        integration=card,
        values={**sandbox_values("posabit"), "store_name": "Capitol Hill " + "x" * 5000},
    )

    # when
    html = owner_a.get(f"{PAGE}{card.pk}/change/").content.decode()

    # then: the cell is truncated by CSS, with the whole value on hover
    assert '<td class="cell-value" title="Capitol Hill xxxx' in html
    assert "table.credentials-table { table-layout: fixed; }" in html
    assert "text-overflow: ellipsis" in html


@pytest.mark.parametrize(
    ("typed", "codes"),
    [("wa, OR", ["WA", "OR"]), ("Washington; british columbia", ["WA", "BC"]), ("", [])],
)
def test_relevant_markets_take_codes_or_full_names(typed, codes):
    assert parse_markets(typed) == codes


@pytest.mark.parametrize("typed", ["ZZ", "WA, XY", "Atlantis"])
def test_relevant_markets_refuse_what_is_not_a_us_state_or_canadian_province(typed):
    with pytest.raises(ValidationError) as raised:
        parse_markets(typed)

    assert "Not a US state or Canadian province" in raised.value.messages[0]


def test_posabit_relevant_market_by_full_name_is_stored_as_its_code(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="posabit")

    response = owner_a.post(
        f"{PAGE}{card.pk}/credentials/add/",
        credential_post("posabit", relevant_market="Washington"),
    )

    assert response.status_code == 302
    assert Credential.objects.get(integration=card).public_fields["relevant_market"] == "WA"


def test_posabit_relevant_market_that_is_no_market_is_a_form_error(owner_a, company_a):
    card = IntegrationFactory(company=company_a, provider="posabit")

    response = owner_a.post(
        f"{PAGE}{card.pk}/credentials/add/", credential_post("posabit", relevant_market="QQ")
    )

    assert response.status_code == 200
    assert list(response.context["credential_form"].errors) == ["relevant_market"]
    assert not Credential.objects.filter(integration=card).exists()


@pytest.mark.parametrize(
    ("provider", "field", "label", "character"),
    [
        ("posabit", "store_name", "Store Name", "\x00"),
        ("posabit", "key", "Key", "\x00"),
        ("clover", "merchant_id", "Merchant ID", "\x1b"),
    ],
)
def test_a_control_character_in_a_credential_is_a_form_error_naming_the_field(
    owner_a, company_a, provider, field, label, character
):
    # given
    card = IntegrationFactory(company=company_a, provider=provider)
    typed = f"abc{character}def"

    # when: a value carrying an invisible control character is added
    response = owner_a.post(
        f"{PAGE}{card.pk}/credentials/add/", credential_post(provider, **{field: typed})
    )

    # then: the field says why, and nothing was saved
    assert response.status_code == 200
    name = "NUL" if character == "\x00" else f"U+{ord(character):04X}"
    assert response.context["credential_form"].errors == {
        field: [
            f"{label} contains an invisible control character ({name}). "
            "Remove it, or type the value again."
        ]
    }
    assert not Credential.objects.filter(integration=card).exists()


def test_a_nul_in_a_card_setting_is_a_form_error_naming_the_field(owner_a, company_a):
    # given
    card = IntegrationFactory(company=company_a, provider="cova")

    # when: a setting carries a NUL byte
    response = owner_a.post(
        f"{PAGE}{card.pk}/change/",
        {"forced_pricing_group_id": "12\x0034", "restrict_location_ids": "1001", "_save": "1"},
    )

    # then: that setting says why, and nothing changed
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    label = SETTINGS_BY_NAME["forced_pricing_group_id"].text("Cova")["label"]
    assert errors == {
        "forced_pricing_group_id": [
            f"{label} contains an invisible control character (NUL). "
            "Remove it, or type the value again."
        ]
    }
    card.refresh_from_db()
    assert (card.forced_pricing_group_id, card.restrict_location_ids) == ("", [])
