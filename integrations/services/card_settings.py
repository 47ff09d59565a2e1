"""The settings of an integration card: which cards show which (as the seed articles list
them), their labels and help texts, their validation, and saving them with a history.

What each setting does to syncing and loyalty belongs to those layers; here each is
stored, validated and shown, and saving hands loyalty the two it must act on at once
(enrollment by "purchased after"; the refusal to mirror under FIFO expiry).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from aiq.messaging.double_opt_in import request_opt_ins
from integrations.choices import EventAction, IntegrationStatus
from integrations.models import Integration
from integrations.services.history import diff, record_event
from integrations.services.status import derive_status, set_status
from loyalty.enrollment.by_setting import enroll_purchased_after
from loyalty.pos_balances.rules import mirror_refusal
from stores.regions import region_codes

COVA, POSABIT, CLOVER = "cova", "posabit", "clover"
ALL_PROVIDERS = frozenset({COVA, POSABIT, CLOVER})

# Sections of the card, in the order they appear (seed 003: "Scroll down to the Loyalty
# section" for the attestation).
SYNC, LOYALTY = "Sync", "Loyalty"

ATTESTATION = "age_gate_attested"
ATTESTATION_LABEL = "All users from this source have passed an age gate compliant with my industry"
ATTESTATION_REQUIRED = (
    "Tick \u201cAll users from this source have passed an age gate compliant with my "
    "industry\u201d before connecting: AIQ may only import shoppers who passed an age gate."
)

_SMS_WARNING = (
    "Removing this date stops new requests only: shoppers who already replied YES stay "
    "opted in, and loyalty members stay members (SMS consent and loyalty membership are "
    "separate here). Each shopper is asked once, ever; a shopper who opted out is never asked."
)


@dataclass(frozen=True, slots=True)
class SettingSpec:
    """One card setting as staff see it. ``{pos}`` in a text is the provider's name."""

    name: str
    label: str
    help_text: str
    providers: frozenset[str]
    section: str = SYNC
    warning: str = ""
    note: str = ""

    def text(self, provider_label: str) -> dict[str, str]:
        """Label, help text, warning and note with the provider's name filled in."""
        return {
            "label": self.label.format(pos=provider_label),
            "help_text": self.help_text.format(pos=provider_label),
            "warning": self.warning.format(pos=provider_label),
            "note": self.note.format(pos=provider_label),
        }


CARD_SETTINGS: tuple[SettingSpec, ...] = (
    SettingSpec(
        "relevant_markets",
        "Relevant market of credential",
        "Optional State/Province(s) selection to sync shoppers from only the specified "
        "market(s). Two-letter codes separated by commas, e.g. WA, OR.",
        frozenset({COVA}),
    ),
    SettingSpec(
        "sync_to_relevant_market",
        "Sync to relevant market / Sync to state",
        "When enabled, AIQ will only sync contacts that belong to the region or state "
        "associated with the given credential.",
        frozenset({COVA, POSABIT}),
    ),
    SettingSpec(
        "forced_pricing_group_id",
        "When syncing Personas into this integration, force a Pricing Group ID",
        "Set a pricing group ID (a number) you would like to force for all Cova creations "
        "made by AIQ.",
        frozenset({COVA}),
    ),
    SettingSpec(
        "restrict_location_ids",
        "Restrict imports by location ID",
        "Restricts the location(s) the integration will pull sales from, based on Cova "
        "Location IDs. Separate several with commas; leave blank for every location.",
        frozenset({COVA}),
    ),
    SettingSpec(
        "use_last_backup",
        "Use AIQ's last backup",
        "Freezes data from this source at the last audience run and stops AIQ from hitting "
        "the {pos} API for new data.",
        ALL_PROVIDERS,
        warning="Do not turn this on unless you are switching POS systems and want to retain "
        "existing data.",
    ),
    SettingSpec(
        "sync_personas",
        "Sync Personas / Sync Contacts",
        "Keeps shopper records aligned between {pos} and AIQ. From POS to AIQ: updates made "
        "to shopper profiles in {pos} (name, email, phone number, date of birth) flow into "
        "AIQ. From AIQ to POS: a shopper who signs up through an AIQ form with no match in "
        "{pos} is created in {pos}.",
        ALL_PROVIDERS,
        warning="The POS remains the source of truth \u2014 to change a shopper's contact "
        "info, update it directly in {pos} so it flows through to AIQ. Syncing begins from "
        "the day it is enabled; existing records will not be retroactively synced.",
    ),
    SettingSpec(
        "skip_payment_method",
        "Skip importing payment method",
        "Enabling this will stop AIQ from attempting to pull payment method information if "
        "the field is blank. This can reduce data syncing time.",
        frozenset({COVA}),
    ),
    SettingSpec(
        "sms_double_opt_in_after",
        "Send SMS double opt-ins to Personas who purchased after",
        "Sends an SMS double opt-in request to shoppers with a phone number who had a sale "
        "on or after the date you specify. Takes 24 hours to trigger.",
        ALL_PROVIDERS,
        section=LOYALTY,
        warning=_SMS_WARNING,
    ),
    SettingSpec(
        "enroll_loyalty_after",
        "Enroll Personas in loyalty program who purchased after",
        "Automatically enrolls shoppers in the loyalty program if they had a sale on or "
        "after the date you specify. Enrolled shoppers earn points for sales on or after "
        "that date. Takes 24 hours to reflect.",
        ALL_PROVIDERS,
        section=LOYALTY,
    ),
    SettingSpec(
        "loyalty_points_imported_on",
        "Loyalty points imported on",
        "If a date is filled in, AIQ will pull in loyalty points from {pos} up to that date "
        "and stop afterwards. Use this in conjunction with Settings > Loyalty > Points "
        "accrual start date, setting that to the following day.",
        frozenset({COVA, POSABIT}),
        section=LOYALTY,
        note="This is a one-time sync. Once the date is set and points have been imported, "
        "this setting does not need to be updated again.",
    ),
    SettingSpec(
        "mirror_loyalty_points",
        "Mirror integration loyalty point values?",
        "Pulls points from {pos} but keeps loyalty settings managed within {pos}.",
        frozenset({COVA}),
        section=LOYALTY,
        warning="When Mirror Points is enabled, AIQ continuously overrides loyalty balances "
        "with values coming from {pos}. Freezing or disconnecting the integration will not "
        "stop this behavior \u2014 it only leaves the last mirrored balance in place.",
        note="Points mirroring is not supported by First In, First Out (FIFO) Point "
        "Expiration. Please use legacy Points Expiration setting if you would like to Mirror "
        "Points from your POS system.",
    ),
)

SETTINGS_BY_NAME: dict[str, SettingSpec] = {spec.name: spec for spec in CARD_SETTINGS}

# A card-wide caution from the seed (003), shown at the top of its settings.
CARD_WARNINGS: dict[str, str] = {
    POSABIT: "Do not touch any other settings in this integration card without consulting an "
    "Onboarding Specialist or Customer Success Manager as they can affect your data and the "
    "shopper's opt-in status!",
}

_MARKET_SEPARATORS = re.compile(r"[,;]+")
_CODES_ONLY = re.compile(r"^[A-Za-z]{2}(\s+[A-Za-z]{2})+$")
_SEPARATORS = re.compile(r"[,;\s]+")


def settings_for(provider: str) -> list[SettingSpec]:
    """The settings the provider's card shows, in card order."""
    return [spec for spec in CARD_SETTINGS if provider in spec.providers]


def setting_label(name: str, provider_label: str = "the POS") -> str:
    """What staff call a card field (for the history); the field name if unknown."""
    if name == ATTESTATION:
        return ATTESTATION_LABEL
    spec = SETTINGS_BY_NAME.get(name)
    return spec.text(provider_label)["label"] if spec else name.replace("_", " ").capitalize()


def _items(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    parts = _SEPARATORS.split(value) if isinstance(value, str) else [str(v) for v in value]
    return [part.strip() for part in parts if part and part.strip()]


def parse_markets(value: str | Iterable[str] | None) -> list[str]:
    """US state or Canadian province codes from what staff typed: "wa, Oregon" -> ["WA",
    "OR"] (commas or semicolons separate markets, so "British Columbia" stays one).

    Raises ``ValidationError`` naming each entry that is not a US state or province.
    """
    if isinstance(value, str):
        items = [part.strip() for part in _MARKET_SEPARATORS.split(value)]
        # "WA OR" (codes separated by spaces) is several markets; "New York" is one.
        items = [
            piece
            for item in items
            for piece in (item.split() if _CODES_ONLY.match(item) else [item])
        ]
    else:
        items = _items(value)
    return region_codes(item for item in items if item)


def parse_location_ids(value: str | Iterable[str] | None) -> list[str]:
    """Location ids from what staff typed: "1001, 1002" -> ["1001", "1002"]."""
    return list(dict.fromkeys(_items(value)))


def parse_pricing_group(value: str | None) -> str:
    """A Cova pricing group id: digits only (Cova rejects anything else)."""
    text = (value or "").strip()
    if text and not text.isdigit():
        raise ValidationError(
            "A Cova Pricing Group ID is a number, e.g. 12345.", code="invalid_pricing_group"
        )
    return text


_PARSERS = {
    "relevant_markets": parse_markets,
    "restrict_location_ids": parse_location_ids,
    "forced_pricing_group_id": parse_pricing_group,
}


def editable_fields(provider: str) -> list[str]:
    """Every card field staff may change on this provider's card."""
    return [spec.name for spec in settings_for(provider)] + [ATTESTATION]


def clean_settings(provider: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated values; a field the card does not show, or a bad value, is an error."""
    allowed = set(editable_fields(provider))
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name not in allowed:
            errors[name] = [ValidationError("This setting is not on this card.")]
            continue
        parser = _PARSERS.get(name)
        try:
            cleaned[name] = parser(value) if parser else value
        except ValidationError as error:
            errors[name] = [error]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def update_card_settings(
    integration: Integration, values: Mapping[str, Any], actor: Any = None
) -> dict[str, list[Any]]:
    """Apply changed settings, record them in the history; returns the changes.

    Ticking the attestation records who and when; switching on "Use AIQ's last backup"
    freezes a connected card (and switching it off thaws it).
    """
    cleaned = clean_settings(integration.provider, values)
    before = {name: getattr(integration, name) for name in cleaned}
    changes = diff(before, cleaned)
    if not changes:
        return {}
    if "mirror_loyalty_points" in changes and cleaned["mirror_loyalty_points"]:
        refusal = mirror_refusal(integration.company_id)
        if refusal:
            raise ValidationError({"mirror_loyalty_points": [refusal]})
    now = timezone.now()
    for name in changes:
        setattr(integration, name, cleaned[name])
    update_fields = [*changes, "updated_at"]
    if ATTESTATION in changes:
        integration.age_gate_attested_at = now if integration.age_gate_attested else None
        integration.age_gate_attested_by = actor if integration.age_gate_attested else None
        update_fields += ["age_gate_attested_at", "age_gate_attested_by"]
    if "sync_personas" in changes:
        # Syncing begins from the day it is enabled (seed): the sync reads this date.
        integration.sync_personas_enabled_at = now if integration.sync_personas else None
        update_fields.append("sync_personas_enabled_at")
    if "use_last_backup" in changes and integration.status != IntegrationStatus.NOT_CONNECTED:
        # Frozen while the backup is on, whatever the card was (needs attention too).
        derived = derive_status(integration)
        changes.update(set_status(integration, derived.status, derived.detail))
        update_fields += ["status", "status_changed_at", "status_detail"]
    integration.save(update_fields=list(dict.fromkeys(update_fields)))
    names = ", ".join(setting_label(name, integration.label) for name in changes)
    message = f"Changed: {names}"
    if "enroll_loyalty_after" in changes and integration.enroll_loyalty_after:
        # Saving the date enrolls at once what the preview counted (syncs and the daily
        # task keep applying it).
        enrolled = enroll_purchased_after(integration)
        message += f"; {enrolled} personas enrolled in loyalty"
    if "sms_double_opt_in_after" in changes and integration.sms_double_opt_in_after:
        # Saving the date queues what the preview counted (syncs and the daily task too).
        asked = request_opt_ins(integration)
        message += f"; {asked} SMS double opt-in requests queued"
    record_event(
        integration,
        EventAction.SETTINGS_CHANGED,
        actor=actor,
        changes=changes,
        message=message[:500],
    )
    return changes
