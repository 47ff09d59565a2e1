"""Card settings: validated, stored, and every change in the history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from integrations.choices import CredentialState, EventAction, IntegrationStatus
from integrations.models import IntegrationEvent
from integrations.services.card_settings import (
    editable_fields,
    parse_location_ids,
    parse_markets,
    update_card_settings,
)
from tests.factories import UserFactory
from tests.integrations.factories import CredentialFactory, IntegrationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "markets"),
    [("WA, OR", ["WA", "OR"]), ("wa;or  bc", ["WA", "OR", "BC"]), ("", []), ("WA,WA", ["WA"])],
)
def test_markets_are_state_codes(typed, markets):
    assert parse_markets(typed) == markets


def test_a_bad_market_is_named():
    with pytest.raises(ValidationError) as caught:
        parse_markets("WA, Oregon, X")

    assert "Not a US state or Canadian province: X." in caught.value.messages[0]


def test_location_ids_are_a_list():
    assert parse_location_ids(" 1001, 1002 ,1001") == ["1001", "1002"]


def test_each_card_shows_the_settings_its_seed_lists():
    assert set(editable_fields("cova")) == {
        "relevant_markets",
        "sync_to_relevant_market",
        "forced_pricing_group_id",
        "restrict_location_ids",
        "use_last_backup",
        "sync_personas",
        "skip_payment_method",
        "sms_double_opt_in_after",
        "enroll_loyalty_after",
        "loyalty_points_imported_on",
        "mirror_loyalty_points",
        "age_gate_attested",
    }
    assert set(editable_fields("posabit")) == {
        "enroll_loyalty_after",
        "sms_double_opt_in_after",
        "sync_personas",
        "sync_to_relevant_market",
        "loyalty_points_imported_on",
        "use_last_backup",
        "age_gate_attested",
    }
    assert set(editable_fields("clover")) == {
        "enroll_loyalty_after",
        "sms_double_opt_in_after",
        "sync_personas",
        "use_last_backup",
        "age_gate_attested",
    }


def test_changes_are_recorded_with_who_and_what():
    card = IntegrationFactory(provider="cova")
    owner = UserFactory()

    changes = update_card_settings(
        card,
        {
            "relevant_markets": "wa, or",
            "restrict_location_ids": "1001,1002",
            "enroll_loyalty_after": date(2026, 3, 1),
            "sync_personas": True,
            "age_gate_attested": True,
            "mirror_loyalty_points": False,  # unchanged: not recorded
        },
        actor=owner,
    )

    card.refresh_from_db()
    assert card.relevant_markets == ["WA", "OR"]
    assert card.restrict_location_ids == ["1001", "1002"]
    assert card.age_gate_attested_by == owner and card.age_gate_attested_at is not None
    assert card.sync_personas_enabled_at is not None
    assert changes == {
        "relevant_markets": [[], ["WA", "OR"]],
        "restrict_location_ids": [[], ["1001", "1002"]],
        "enroll_loyalty_after": [None, "2026-03-01"],
        "sync_personas": [False, True],
        "age_gate_attested": [False, True],
    }
    event = IntegrationEvent.objects.get(integration=card)
    assert (event.action, event.actor, event.changes) == (
        EventAction.SETTINGS_CHANGED,
        owner,
        changes,
    )


def test_nothing_changed_records_nothing():
    card = IntegrationFactory(provider="clover")

    assert update_card_settings(card, {"use_last_backup": False}) == {}
    assert not IntegrationEvent.objects.exists()


def test_a_setting_not_on_the_card_is_refused():
    card = IntegrationFactory(provider="clover")

    with pytest.raises(ValidationError) as caught:
        update_card_settings(card, {"forced_pricing_group_id": "12", "relevant_markets": "WA"})

    assert set(caught.value.message_dict) == {"forced_pricing_group_id", "relevant_markets"}
    card.refresh_from_db()
    assert card.forced_pricing_group_id == ""


def test_pricing_group_must_be_a_number():
    card = IntegrationFactory(provider="cova")

    with pytest.raises(ValidationError) as caught:
        update_card_settings(card, {"forced_pricing_group_id": "VIP"})

    assert "is a number" in caught.value.message_dict["forced_pricing_group_id"][0]


def test_last_backup_freezes_and_thaws_a_connected_card():
    card = IntegrationFactory(provider="posabit", status=IntegrationStatus.CONNECTED)
    CredentialFactory(integration=card, state=CredentialState.VERIFIED)

    update_card_settings(card, {"use_last_backup": True})
    card.refresh_from_db()
    assert card.status == IntegrationStatus.FROZEN
    assert card.status_changed_at is not None

    changes = update_card_settings(card, {"use_last_backup": False})
    card.refresh_from_db()
    assert card.status == IntegrationStatus.CONNECTED
    assert changes["status"] == ["frozen", "connected"]


def test_mirror_points_is_stored():
    card = IntegrationFactory(provider="cova")

    update_card_settings(card, {"mirror_loyalty_points": True})

    card.refresh_from_db()
    assert card.mirror_loyalty_points is True
