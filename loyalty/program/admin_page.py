"""What the Settings > Loyalty page shows besides its form: the history, in staff terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from aiq.personas.normalize import format_phone_for_display
from loyalty.program.choices import ExpirationMode, Rounding
from loyalty.program.models import LoyaltyProgram, LoyaltyProgramEvent
from loyalty.program.points import say_date, say_points
from loyalty.program.services import BLOCKLIST

HISTORY_LIMIT = 50
_EMPTY = "\u2014"
LABELS = {
    "enabled": "Enable loyalty points",
    "points_per_dollar": "Points per $1 spent",
    "points_per_visit": "Points per visit",
    "max_visits_per_day": "Maximum visits per day",
    "no_tax_accrual_from": "Don't accrue points on tax dollars, starting on",
    "rounding": "Rounding",
    "accrual_start_date": "Customers can earn points starting on",
    "expiration_mode": "Points expiration",
    "expiration_days": "Expire after (days)",
    "budtender_can_see_queue": "Budtender can see waiting room queue",
    "hide_points_in_wallet": "Hide points in the wallet",
    BLOCKLIST: "Points blocklist",
}
_CHOICES = {"rounding": Rounding, "expiration_mode": ExpirationMode}


@dataclass(frozen=True, slots=True)
class HistoryRow:
    event: LoyaltyProgramEvent
    changes: list[tuple[str, str]]  # (label, "before → after" in words)


def show(name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return _EMPTY
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if name in _CHOICES and value in _CHOICES[name].values:
        return str(_CHOICES[name](value).label)
    if name in ("no_tax_accrual_from", "accrual_start_date") and isinstance(value, str):
        try:
            return say_date(date.fromisoformat(value))
        except ValueError:
            return value
    if name == "points_per_dollar":
        return f"{value} (per $100: {_per_hundred(value)})"
    return str(value)


def _per_hundred(per_dollar: str) -> str:
    try:
        return say_points(Decimal(per_dollar) * 100)
    except InvalidOperation:
        return _EMPTY


def describe(name: str, before: Any, after: Any) -> str:
    if name == BLOCKLIST:
        added = sorted(set(after or []) - set(before or []))
        removed = sorted(set(before or []) - set(after or []))
        parts = []
        if added:
            parts.append("added " + ", ".join(format_phone_for_display(p) for p in added))
        if removed:
            parts.append("removed " + ", ".join(format_phone_for_display(p) for p in removed))
        return "; ".join(parts) or _EMPTY
    return f"{show(name, before)} \u2192 {show(name, after)}"


def history_rows(program: LoyaltyProgram) -> list[HistoryRow]:
    events = program.events.select_related("actor")[:HISTORY_LIMIT]
    return [
        HistoryRow(
            event,
            [
                (LABELS.get(name, name), describe(name, before, after))
                for name, (before, after) in (event.changes or {}).items()
            ],
        )
        for event in events
    ]
