"""Saving the loyalty settings (with their history), the points blocklist, and what
turning loyalty off would affect. Called by the admin; the earning step calls
``points.compute_points`` and ``is_blocklisted``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from aiq.accounts.models import Company
from aiq.personas.models import Persona
from loyalty.program.choices import ProgramEventAction
from loyalty.program.history import diff, record_event
from loyalty.program.models import BlockedPhone, LoyaltyProgram
from loyalty.program.points import say_date, say_points

# The settings staff edit, in the order the history lists them.
SETTINGS_FIELDS = (
    "enabled",
    "points_per_dollar",
    "points_per_visit",
    "max_visits_per_day",
    "no_tax_accrual_from",
    "rounding",
    "accrual_start_date",
    "expiration_mode",
    "expiration_days",
    "gifted_points_expire",
    "budtender_can_see_queue",
    "hide_points_in_wallet",
)
BLOCKLIST = "blocklist"
EXPIRY_FIELDS = ("expiration_mode", "expiration_days", "gifted_points_expire")


@dataclass(frozen=True, slots=True)
class TurnOffImpact:
    members: int
    points: Decimal

    def sentence(self) -> str:
        return (
            f"This turns loyalty off for {self.members:,} member{'s' if self.members != 1 else ''}"
            f" holding {say_points(self.points)} points. Balances are kept; turning it back "
            "on restores them."
        )


@dataclass(slots=True)
class SaveResult:
    program: LoyaltyProgram
    created: bool
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def expiry_changed(self) -> bool:
        return any(name in self.changes for name in EXPIRY_FIELDS)


def program_for(company: Company | None) -> LoyaltyProgram | None:
    if company is None:
        return None
    return LoyaltyProgram.objects.filter(company=company).first()


def blocklist_of(program: LoyaltyProgram | None) -> list[str]:
    if program is None or program.pk is None:
        return []
    return list(program.blocked.order_by("phone").values_list("phone", flat=True))


def is_blocklisted(program: LoyaltyProgram, phone_e164: str) -> bool:
    """Whether a shopper's phone (E.164, as personas store it) earns nothing."""
    return bool(phone_e164) and program.blocked.filter(phone=phone_e164).exists()


def members_count(company: Company) -> int:
    return Persona.objects.filter(company=company, loyalty_enrolled_at__isnull=False).count()


def points_outstanding(company: Company) -> Decimal:
    """Points held by the company's members now: the ledger's cached balances, which
    `verify_ledger` proves equal to the sum of their entries."""
    from loyalty.ledger.models import LoyaltyAccount

    total = LoyaltyAccount.objects.filter(company=company).aggregate(total=Sum("balance"))
    return Decimal(total["total"] or 0).quantize(Decimal("0.01"))


def turn_off_impact(company: Company) -> TurnOffImpact:
    return TurnOffImpact(members_count(company), points_outstanding(company))


def current_settings(program: LoyaltyProgram) -> dict[str, Any]:
    values = {name: getattr(program, name) for name in SETTINGS_FIELDS}
    values[BLOCKLIST] = blocklist_of(program)
    return values


@transaction.atomic
def save_settings(
    company: Company,
    values: Mapping[str, Any],
    *,
    blocklist: Iterable[str] | None = None,
    actor: Any = None,
    today: date | None = None,
) -> SaveResult:
    """Create or update the company's program from ``values`` (a subset of
    SETTINGS_FIELDS) and ``blocklist`` (E.164 numbers; None leaves it as it is), and
    record what changed. Nothing is recomputed: expiry changes apply from ``today``."""
    today = today or timezone.localdate()
    # Two first saves at once: get_or_create lets one create and the other update.
    program, created = LoyaltyProgram.objects.get_or_create(company=company)
    program = LoyaltyProgram.objects.select_for_update().get(pk=program.pk)
    before = current_settings(program)
    for name, value in values.items():
        if name not in SETTINGS_FIELDS:
            raise ValueError(f"{name} is not a loyalty setting")
        setattr(program, name, value)
    after = {name: getattr(program, name) for name in SETTINGS_FIELDS}
    after[BLOCKLIST] = sorted(set(blocklist)) if blocklist is not None else before[BLOCKLIST]
    changes = diff(before, after)
    result = SaveResult(program, created, changes)
    if not changes and not created:
        return result

    message = ""
    if result.expiry_changed:
        program.expiration_rules_from = today
        message = expiry_notice(today)
    if "enabled" in changes:
        program.enabled_changed_at = timezone.now()
    program.full_clean(exclude=["company"])
    program.save()
    if BLOCKLIST in changes:
        _replace_blocklist(program, after[BLOCKLIST])

    if created:
        action = ProgramEventAction.CREATED
    elif "enabled" in changes:
        action = ProgramEventAction.TURNED_ON if program.enabled else ProgramEventAction.TURNED_OFF
        if not program.enabled:
            impact = turn_off_impact(company)
            message = " ".join(
                filter(
                    None,
                    [
                        f"{impact.members:,} members hold {say_points(impact.points)} "
                        "points; balances are kept.",
                        message,
                    ],
                )
            )
    else:
        action = ProgramEventAction.SETTINGS_CHANGED
    record_event(program, action, actor=actor, changes=changes, message=message)
    return result


def expiry_notice(today: date) -> str:
    return (
        f"Expiration changes apply from today ({say_date(today)}); nothing earned before "
        "is recomputed."
    )


def _replace_blocklist(program: LoyaltyProgram, phones: list[str]) -> None:
    program.blocked.exclude(phone__in=phones).delete()
    existing = set(program.blocked.values_list("phone", flat=True))
    BlockedPhone.objects.bulk_create(
        [
            BlockedPhone(company_id=program.company_id, program=program, phone=phone)
            for phone in phones
            if phone not in existing
        ]
    )
