"""Each card setting that shapes syncing takes effect (each test fails if it is ignored)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from aiq.personas.models import Persona, PersonaIdentity, Sale
from integrations.choices import IntegrationStatus, PosKeySource
from integrations.models import Credential, PosKey
from integrations.providers.values import Location
from integrations.sync.choices import RunStatus, Stream
from integrations.sync.outbound import push_persona
from tests.factories import IdentityFactory, PersonaFactory
from tests.integrations.factories import sandbox_values
from tests.sync.factories import (
    T0,
    SandboxCredentialFactory,
    customer,
    run_once,
    sale,
)
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


def _shoppers_by_state():  # type: ignore[no-untyped-def]
    return [
        customer("wa", state="WA", email="wa@example.com"),
        customer("or", state="Oregon", email="or@example.com"),
        customer("none", state=None, email="none@example.com"),
    ]


def _synced() -> set[str]:
    return set(PersonaIdentity.objects.values_list("external_id", flat=True))


# --- Relevant market of credential / Sync to relevant market ---------------------------


def test_without_a_market_every_shopper_is_synced():
    credential = SandboxCredentialFactory()
    run_once(credential, Stream.CUSTOMERS, FakeProvider(_shoppers_by_state()))
    assert _synced() == {"wa", "or", "none"}


def test_the_cards_relevant_markets_limit_the_shoppers_synced():
    credential = SandboxCredentialFactory(integration__relevant_markets=["OR"])

    run = run_once(credential, Stream.CUSTOMERS, FakeProvider(_shoppers_by_state()))

    assert _synced() == {"or"}
    assert (run.skipped, run.details["outside_market"]) == (2, 2)


def test_sync_to_relevant_market_uses_the_posabit_credentials_market():
    credential = SandboxCredentialFactory(
        integration__provider="posabit",
        integration__sync_to_relevant_market=True,
        values={**sandbox_values("posabit"), "relevant_market": "wa"},
    )

    run_once(credential, Stream.CUSTOMERS, FakeProvider(_shoppers_by_state()))

    assert _synced() == {"wa"}


def test_a_posabit_credentials_market_alone_does_not_restrict():
    credential = SandboxCredentialFactory(
        integration__provider="posabit",
        values={**sandbox_values("posabit"), "relevant_market": "WA"},
    )

    run_once(credential, Stream.CUSTOMERS, FakeProvider(_shoppers_by_state()))

    assert _synced() == {"wa", "or", "none"}


def test_sync_to_relevant_market_without_markets_uses_the_credentials_locations():
    credential = SandboxCredentialFactory(integration__sync_to_relevant_market=True)
    PosKey.objects.create(
        company=credential.company,
        integration=credential.integration,
        credential=credential,
        key="L1",
        state="OR",
        source=PosKeySource.POS,
    )

    run_once(credential, Stream.CUSTOMERS, FakeProvider(_shoppers_by_state()))

    assert _synced() == {"or"}


# --- Restrict imports by location ID (Cova) ---------------------------------------------


def test_restricted_locations_are_the_only_ones_requested():
    credential = SandboxCredentialFactory(integration__restrict_location_ids=["L2"])
    provider = FakeProvider(
        sales=[
            sale("a", location_key="L1"),
            sale("b", location_key="L2"),
            sale("c", location_key="L3"),
        ],
        locations=["L1", "L2", "L3"],
    )

    run_once(credential, Stream.SALES, provider)

    requested = {tuple(call[1][2]) for call in provider.calls if call[0] == "sales"}
    assert requested == {("L2",)}
    assert ("locations", None) not in provider.calls
    assert list(Sale.objects.values_list("external_id", flat=True)) == ["b"]


@pytest.mark.django_db(transaction=True)
def test_restricted_locations_against_the_cova_sandbox(sandbox_origin):
    # given the Cova sandbox's three locations, restricted to one
    credential = SandboxCredentialFactory()
    keys = [i.key for i in credential.provider_client().iter_locations() if isinstance(i, Location)]
    credential.integration.restrict_location_ids = [keys[1]]
    credential.integration.save()

    run = run_once(credential, Stream.SALES)

    # then only that location's sales are pulled
    assert run.status == RunStatus.OK and run.created > 0
    assert set(Sale.objects.values_list("pos_key", flat=True)) == {keys[1]}


# --- Use AIQ's last backup (freeze) -------------------------------------------------------


def test_a_frozen_card_calls_no_pos_and_keeps_its_data(monkeypatch):
    credential = SandboxCredentialFactory()
    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1")]))
    credential.integration.use_last_backup = True
    credential.integration.save()

    def no_pos(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a frozen card must not reach the POS")

    monkeypatch.setattr(Credential, "provider_client", no_pos)

    run = run_once(credential, Stream.SALES)

    assert (run.status, run.error_code) == (RunStatus.SKIPPED, "frozen")
    assert Sale.objects.count() == 1
    credential.integration.refresh_from_db()
    assert credential.integration.status == IntegrationStatus.FROZEN


# --- Skip importing payment method ----------------------------------------------------------


@pytest.mark.parametrize("skip", [True, False])
def test_skip_importing_payment_method(skip):
    credential = SandboxCredentialFactory(integration__skip_payment_method=skip)

    run_once(credential, Stream.SALES, FakeProvider(sales=[sale("s1")]))

    stored = Sale.objects.get()
    if skip:
        assert (stored.payment_method, stored.payments) == ("", [])
    else:
        assert stored.payment_method == "Cash"
        assert stored.payments == [{"method": "Cash", "amount": "44.00"}]


# --- Sync personas / contacts: POS to AIQ --------------------------------------------------


def _linked_persona(credential):  # type: ignore[no-untyped-def]
    run_once(
        credential,
        Stream.CUSTOMERS,
        FakeProvider([customer("c1", first_name="Ava", email="ava@example.com", updated_at=T0)]),
    )
    return Persona.objects.get()


def _pos_change(credential, moment):  # type: ignore[no-untyped-def]
    changed = customer(
        "c1",
        first_name="Avery",
        email="avery@example.com",
        phone="2065550134",
        updated_at=moment,
    )
    run_once(credential, Stream.CUSTOMERS, FakeProvider([changed]))


def test_sync_personas_lets_pos_changes_after_enabling_flow_into_the_persona():
    credential = SandboxCredentialFactory()
    persona = _linked_persona(credential)
    card = credential.integration
    card.sync_personas, card.sync_personas_enabled_at = True, T0 + timedelta(days=1)
    card.save()

    _pos_change(credential, T0 + timedelta(days=2))

    persona.refresh_from_db()
    assert (persona.first_name, persona.email, persona.phone) == (
        "Avery",
        "avery@example.com",
        "+12065550134",
    )


def test_sync_personas_is_not_retroactive():
    credential = SandboxCredentialFactory()
    persona = _linked_persona(credential)
    card = credential.integration
    card.sync_personas, card.sync_personas_enabled_at = True, T0 + timedelta(days=3)
    card.save()

    _pos_change(credential, T0 + timedelta(days=2))  # changed before it was enabled

    persona.refresh_from_db()
    assert (persona.first_name, persona.email) == ("Ava", "ava@example.com")
    assert persona.phone == "+12065550134"  # a blank is still filled


def test_without_sync_personas_the_persona_keeps_its_contact_fields():
    credential = SandboxCredentialFactory()
    persona = _linked_persona(credential)

    _pos_change(credential, T0 + timedelta(days=2))

    persona.refresh_from_db()
    assert (persona.first_name, persona.email) == ("Ava", "ava@example.com")


# --- Sync personas / contacts: AIQ to POS, forced pricing group -------------------------


@pytest.mark.django_db(transaction=True)
def test_a_new_persona_is_created_in_cova_with_the_forced_pricing_group(sandbox_origin):
    credential = SandboxCredentialFactory(
        integration__sync_personas=True,
        integration__sync_personas_enabled_at=timezone.now() - timedelta(days=1),
        integration__forced_pricing_group_id="3",
    )
    persona = PersonaFactory(
        company=credential.company,
        first_name="Quinn",
        last_name="Okafor",
        phone="+12065550177",
        email="quinn.okafor@example.com",
    )

    result = push_persona(persona, credential.integration)

    assert result == "created"
    identity = PersonaIdentity.objects.get(persona=persona, source="cova")
    found = credential.provider_client().find_customers(email="quinn.okafor@example.com")
    assert [c.external_id for c in found] == [identity.external_id]
    assert found[0].pricing_group == "3"


@pytest.mark.django_db(transaction=True)
def test_a_persona_matching_a_pos_shopper_is_linked_not_duplicated(sandbox_origin):
    credential = SandboxCredentialFactory(
        integration__sync_personas=True,
        integration__sync_personas_enabled_at=timezone.now() - timedelta(days=1),
    )
    provider = credential.provider_client()
    existing = next(
        c for c in provider.iter_customers() if not isinstance(c, Exception) and c.email
    )
    persona = PersonaFactory(company=credential.company, phone="", email=existing.email)

    assert push_persona(persona, credential.integration) == "matched"
    assert PersonaIdentity.objects.get(persona=persona).external_id == existing.external_id


@pytest.mark.parametrize(
    ("enabled", "created_before_enabling", "expected"),
    [(False, False, "off"), (True, True, "not-new")],
)
def test_personas_are_pushed_only_when_enabled_and_new(enabled, created_before_enabling, expected):
    persona = PersonaFactory()
    enabled_at = persona.created_at + (
        timedelta(days=1) if created_before_enabling else -timedelta(days=1)
    )
    credential = SandboxCredentialFactory(
        integration__company=persona.company,
        integration__sync_personas=enabled,
        integration__sync_personas_enabled_at=enabled_at,
    )

    assert push_persona(persona, credential.integration) == expected
    assert not PersonaIdentity.objects.filter(persona=persona).exists()


# --- Pricing groups land as custom brand traits ---------------------------------------------


def test_cova_pricing_groups_become_a_custom_brand_trait():
    credential = SandboxCredentialFactory()
    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1", pricing_group="2")]))
    persona = Persona.objects.get()
    assert persona.brand_traits == {"CovaPricingGroup": "2"}

    # a group removed in Cova is removed from the persona
    run_once(credential, Stream.CUSTOMERS, FakeProvider([customer("c1", pricing_group=None)]))
    persona.refresh_from_db()
    assert persona.brand_traits == {}


def test_existing_traits_are_kept_beside_the_pricing_group():
    credential = SandboxCredentialFactory()
    persona = PersonaFactory(
        company=credential.company, brand_traits={"Tier": "gold"}, phone="+12065550134"
    )
    IdentityFactory(persona=persona, source="signup_form")

    run_once(
        credential,
        Stream.CUSTOMERS,
        FakeProvider([customer("c1", phone="2065550134", pricing_group="1")]),
    )

    persona.refresh_from_db()
    assert persona.brand_traits == {"Tier": "gold", "CovaPricingGroup": "1"}
