"""The daily pass of "Enroll Personas in loyalty program who purchased after" over every
card that has the date (a sync applies it too; this catches sales that reached a persona
some other way, e.g. a merge or an import). Shared by the task and the command."""

from __future__ import annotations

from dataclasses import dataclass

from loyalty.enrollment.by_setting import (
    cards_with_setting,
    enroll_purchased_after,
    preview_count,
)


@dataclass(frozen=True)
class CardResult:
    company_id: int
    card: str
    setting_date: str
    enrolled: int


def run_daily(company_id: int | None = None, *, dry_run: bool = False) -> list[CardResult]:
    """Apply (or, with ``dry_run``, count) each card's setting; one result per card."""
    results = []
    for card in cards_with_setting(company_id).select_related("company").order_by("pk"):
        assert card.enroll_loyalty_after is not None
        count = (
            preview_count(card, card.enroll_loyalty_after)
            if dry_run
            else enroll_purchased_after(card)
        )
        results.append(
            CardResult(card.company_id, card.label, card.enroll_loyalty_after.isoformat(), count)
        )
    return results
