"""POS balances: "Loyalty points imported on" (once, idempotent) and "Mirror integration
loyalty point values?" (the difference, every sync; refused under FIFO; a frozen card
keeps the last mirrored balance)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from aiq.personas.models import PersonaIdentity
from integrations.providers.errors import NotFound
from integrations.providers.values import LoyaltyBalance
from integrations.services.card_settings import update_card_settings
from integrations.sync.choices import RunStatus, Stream
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.holds import hold
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount
from loyalty.ledger.verify import verify
from loyalty.pos_balances.models import PosBalanceImport
from loyalty.pos_balances.rules import FIFO_REFUSAL
from loyalty.program.choices import ExpirationMode
from tests.factories import IdentityFactory, PersonaFactory
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.loyalty.helpers import D
from tests.sync.factories import SandboxCredentialFactory, run_once
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


class BalancesProvider(FakeProvider):
    """The engine's fake POS, with a loyalty balance per customer id."""

    def __init__(self, balances: dict[str, str], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(**kwargs)
        self.balances = balances
        self.balance_reads: list[str] = []

    def get_loyalty_balance(self, customer_external_id: str, location_key=None):  # type: ignore[no-untyped-def]
        self.balance_reads.append(customer_external_id)
        if customer_external_id not in self.balances:
            raise NotFound("no such customer")
        return LoyaltyBalance(
            customer_external_id, Decimal(self.balances[customer_external_id]), timezone.now()
        )


def card_with_shoppers(*external_ids: str, provider: str = "cova", **settings):  # type: ignore[no-untyped-def]
    credential = SandboxCredentialFactory(
        integration__provider=provider,
        **{f"integration__{name}": value for name, value in settings.items()},
    )
    personas = {}
    for external_id in external_ids:
        persona = PersonaFactory(company=credential.company)
        IdentityFactory(persona=persona, source=provider, external_id=external_id)
        personas[external_id] = persona
    return credential, personas


def sync_customers(credential, provider):  # type: ignore[no-untyped-def]
    return run_once(credential, Stream.CUSTOMERS, provider)


TODAY = timezone.localdate()


def balance(persona) -> Decimal:  # type: ignore[no-untyped-def]
    """The persona's balance; zero while no entry has opened an account."""
    account = LoyaltyAccount.objects.filter(persona=persona).first()
    return account.balance if account else D("0")


def test_the_import_brings_each_shoppers_balance_in_once():
    # given a card whose import date has come, and three shoppers with POS balances
    credential, personas = card_with_shoppers("c1", "c2", "c3", loyalty_points_imported_on=TODAY)
    pos = BalancesProvider({"c1": "120", "c2": "0", "c3": "7.5"})

    # when a customers sync runs
    run = sync_customers(credential, pos)

    # then each positive balance is one import entry, and every shopper is recorded
    assert run.status == RunStatus.OK
    assert run.details["pos_balances_imported"] == 3
    assert balance(personas["c1"]) == D("120.00")
    assert balance(personas["c3"]) == D("7.50")
    assert balance(personas["c2"]) == D("0")
    entries = LedgerEntry.objects.filter(kind=EntryKind.IMPORT)
    assert entries.count() == 2
    assert set(PosBalanceImport.objects.values_list("customer_external_id", flat=True)) == {
        "c1",
        "c2",
        "c3",
    }
    assert "imported for" in entries.get(points=D("120")).reason

    # when it runs again (the POS balance has moved since)
    pos.balances["c1"] = "999"
    pos.balance_reads.clear()
    again = sync_customers(credential, pos)

    # then nothing is imported and the POS is not even asked
    assert "pos_balances_imported" not in again.details
    assert pos.balance_reads == []
    assert LedgerEntry.objects.filter(kind=EntryKind.IMPORT).count() == 2
    assert balance(personas["c1"]) == D("120.00")
    assert verify().drifts == []


def test_a_shopper_new_since_the_import_is_imported_on_the_next_sync():
    credential, personas = card_with_shoppers("c1", loyalty_points_imported_on=TODAY)
    pos = BalancesProvider({"c1": "10", "c2": "20"})
    sync_customers(credential, pos)
    newcomer = PersonaFactory(company=credential.company)
    IdentityFactory(persona=newcomer, source="cova", external_id="c2")
    pos.balance_reads.clear()

    sync_customers(credential, pos)

    assert pos.balance_reads == ["c2"]
    assert balance(newcomer) == D("20.00")
    assert balance(personas["c1"]) == D("10.00")


def test_no_import_before_the_date_or_without_it():
    future, _ = card_with_shoppers("c1", loyalty_points_imported_on=TODAY + timedelta(days=3))
    unset, _ = card_with_shoppers("c9")
    pos = BalancesProvider({"c1": "50", "c9": "50"})

    sync_customers(future, pos)
    sync_customers(unset, pos)

    assert pos.balance_reads == []
    assert PosBalanceImport.objects.count() == 0
    assert LedgerEntry.objects.count() == 0


def test_a_changed_date_imports_again_for_the_new_date():
    # the unique key is per date: a card re-dated on purpose imports again
    credential, personas = card_with_shoppers("c1", loyalty_points_imported_on=TODAY)
    pos = BalancesProvider({"c1": "10"})
    sync_customers(credential, pos)
    integration = credential.integration
    integration.loyalty_points_imported_on = TODAY - timedelta(days=1)
    integration.save()

    sync_customers(credential, pos)

    assert balance(personas["c1"]) == D("20.00")
    assert PosBalanceImport.objects.count() == 2


def test_an_unreadable_balance_is_skipped_and_tried_next_time():
    credential, personas = card_with_shoppers("c1", "gone", loyalty_points_imported_on=TODAY)
    pos = BalancesProvider({"c1": "10"})

    run = sync_customers(credential, pos)

    assert run.status == RunStatus.OK
    assert run.details["pos_balances_unreadable"] == 1
    assert not PosBalanceImport.objects.filter(customer_external_id="gone").exists()
    pos.balances["gone"] = "4"
    sync_customers(credential, pos)
    assert balance(personas["gone"]) == D("4.00")


def test_mirroring_sets_our_balance_to_the_pos_value_both_ways():
    # given a mirrored Cova card and a shopper with 50 points earned here
    credential, personas = card_with_shoppers("c1", mirror_loyalty_points=True)
    persona = personas["c1"]
    award(persona, 50, explanation="50 points for the test")
    pos = BalancesProvider({"c1": "80"})

    # when the POS says 80, then 30 are mirrored in
    run = sync_customers(credential, pos)
    assert run.details["pos_balances_mirrored"] == 1
    assert balance(persona) == D("80.00")
    up = LedgerEntry.objects.get(kind=EntryKind.MIRROR)
    assert up.points == D("30.00")
    assert up.reason == "Mirrored from Cova: 80.00 there, 50.00 here"

    # when the POS says 12.25, then exactly the difference is debited
    pos.balances["c1"] = "12.25"
    sync_customers(credential, pos)
    assert balance(persona) == D("12.25")
    assert LedgerEntry.objects.filter(kind=EntryKind.MIRROR).order_by("pk").last().points == D(
        "-67.75"
    )

    # when it says the same again, then nothing is written
    before = LedgerEntry.objects.count()
    again = sync_customers(credential, pos)
    assert again.details["pos_balances_already_equal"] == 1
    assert LedgerEntry.objects.count() == before
    assert verify().drifts == []


def test_mirroring_down_to_zero_with_points_on_hold_succeeds():
    # given 40 points of which 15 are held for a redemption
    credential, personas = card_with_shoppers("c1", mirror_loyalty_points=True)
    persona = personas["c1"]
    award(persona, 40, explanation="40 points for the test")
    hold(persona, 15)
    pos = BalancesProvider({"c1": "0"})

    run = sync_customers(credential, pos)

    # then the available balance goes to the POS value without tripping the CHECK
    assert run.status == RunStatus.OK
    assert balance(persona) == D("0.00")
    assert verify().drifts == []


def test_a_persona_with_two_pos_records_mirrors_their_sum():
    credential, personas = card_with_shoppers("c1", mirror_loyalty_points=True)
    IdentityFactory(persona=personas["c1"], source="cova", external_id="c1-duplicate")
    pos = BalancesProvider({"c1": "10", "c1-duplicate": "5"})

    sync_customers(credential, pos)

    assert balance(personas["c1"]) == D("15.00")


def test_a_frozen_card_asks_the_pos_nothing_and_the_last_mirrored_balance_stays():
    # given a mirrored card that mirrored 80 points
    credential, personas = card_with_shoppers("c1", mirror_loyalty_points=True)
    pos = BalancesProvider({"c1": "80"})
    sync_customers(credential, pos)
    assert balance(personas["c1"]) == D("80.00")

    # when the card is frozen ("Use AIQ's last backup") and the POS value changes
    integration = credential.integration
    integration.use_last_backup = True
    integration.save()
    pos.balances["c1"] = "5"
    pos.balance_reads.clear()
    run = sync_customers(credential, pos)

    # then the run is skipped, nothing is read, and the balance stays at 80
    assert run.status == RunStatus.SKIPPED
    assert pos.balance_reads == []
    assert balance(personas["c1"]) == D("80.00")
    assert LedgerEntry.objects.filter(kind=EntryKind.MIRROR).count() == 1


def test_turning_mirroring_on_is_refused_while_expiration_is_fifo():
    credential, _ = card_with_shoppers("c1")
    LoyaltyProgramFactory(
        company=credential.company, expiration_mode=ExpirationMode.FIFO, expiration_days=365
    )
    integration = credential.integration

    with pytest.raises(ValidationError) as refused:
        update_card_settings(integration, {"mirror_loyalty_points": True})

    assert refused.value.message_dict == {"mirror_loyalty_points": [FIFO_REFUSAL]}
    integration.refresh_from_db()
    assert integration.mirror_loyalty_points is False


def test_the_card_form_says_the_seeds_message_under_fifo(owner_a, company_a):
    from tests.integrations.factories import IntegrationFactory

    LoyaltyProgramFactory(
        company=company_a, expiration_mode=ExpirationMode.FIFO, expiration_days=365
    )
    card = IntegrationFactory(company=company_a, provider="cova")

    response = owner_a.post(
        f"/admin/integrations/integration/{card.pk}/change/", {"mirror_loyalty_points": "on"}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["mirror_loyalty_points"] == [FIFO_REFUSAL]
    card.refresh_from_db()
    assert card.mirror_loyalty_points is False


def test_mirroring_is_allowed_under_legacy_expiration(owner_a, company_a):
    from tests.integrations.factories import IntegrationFactory

    LoyaltyProgramFactory(
        company=company_a, expiration_mode=ExpirationMode.LEGACY, expiration_days=365
    )
    card = IntegrationFactory(company=company_a, provider="cova")

    response = owner_a.post(
        f"/admin/integrations/integration/{card.pk}/change/", {"mirror_loyalty_points": "on"}
    )

    assert response.status_code == 302
    card.refresh_from_db()
    assert card.mirror_loyalty_points is True


def test_a_card_mirroring_since_before_fifo_stops_mirroring_under_fifo():
    credential, personas = card_with_shoppers("c1", mirror_loyalty_points=True)
    LoyaltyProgramFactory(
        company=credential.company, expiration_mode=ExpirationMode.FIFO, expiration_days=30
    )
    pos = BalancesProvider({"c1": "80"})

    sync_customers(credential, pos)

    assert pos.balance_reads == []
    assert balance(personas["c1"]) == D("0")


def test_imported_points_expire_like_any_award_under_fifo():
    credential, _ = card_with_shoppers("c1", loyalty_points_imported_on=TODAY)
    LoyaltyProgramFactory(
        company=credential.company, expiration_mode=ExpirationMode.FIFO, expiration_days=30
    )

    sync_customers(credential, BalancesProvider({"c1": "10"}))

    lot = LedgerEntry.objects.get(kind=EntryKind.IMPORT).lot
    assert lot.expires_at is not None
    assert (lot.expires_at - lot.earned_at).days == 30


def test_clover_cards_never_read_balances():
    credential, _ = card_with_shoppers(
        "c1", provider="clover", loyalty_points_imported_on=TODAY, mirror_loyalty_points=True
    )
    pos = BalancesProvider({"c1": "10"})

    sync_customers(credential, pos)

    assert pos.balance_reads == []
    assert PersonaIdentity.objects.count() == 1
    assert LedgerEntry.objects.count() == 0
