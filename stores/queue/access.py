"""Who sees which store's queue.

Owners and managers see every store of their company. A budtender sees the stores their
membership names (every store when it names none), and only while the loyalty program's
"Budtender can see waiting room queue" is on. Marketers design campaigns; the counter's
queue is not theirs. Another company's store is never in the set, so its queue is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from aiq.accounts.choices import Role
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore
from stores.staff import stores_worked_by

QUEUE_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.BUDTENDER})

HIDDEN_FROM_BUDTENDERS = (
    "The waiting-room queue is hidden from budtenders: an owner can turn on "
    '"Budtender can see waiting room queue" under Settings > Loyalty.'
)
NOT_YOUR_SCREEN = "The waiting-room queue is for owners, managers and budtenders."


def queue_refusal(user: Any) -> str:
    """Why this staff member may not open the queue at all, or "" when they may."""
    if user.is_superuser:
        return ""
    membership = getattr(user, "membership", None)
    if membership is None or membership.role not in QUEUE_ROLES:
        return NOT_YOUR_SCREEN
    if membership.role == Role.BUDTENDER and not budtenders_see_queue(membership.company_id):
        return HIDDEN_FROM_BUDTENDERS
    return ""


def budtenders_see_queue(company_id: int) -> bool:
    return LoyaltyProgram.objects.filter(
        company_id=company_id, budtender_can_see_queue=True
    ).exists()


def stores_for(user: Any) -> QuerySet[RetailStore]:
    """The stores whose queues this staff member works (call after ``queue_refusal``)."""
    return stores_worked_by(user)


def lands_on_queue(user: Any) -> bool:
    """A budtender who may see the queue, at a store of theirs whose queue is on, starts
    their session on it (with every queue off there is nobody to serve: the dashboard)."""
    membership = getattr(user, "membership", None)
    if membership is None or membership.role != Role.BUDTENDER or queue_refusal(user):
        return False
    return stores_for(user).filter(opt_in_queue_enabled=True).exists()
