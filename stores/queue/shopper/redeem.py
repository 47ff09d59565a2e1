"""Redeeming on the shopper's behalf: the counter holds the points through the API's
redemption service, and the budtender applies the discount in the POS.

The hold is the API's own (``loyalty.api.redemption.service.hold``): the points leave the
spendable balance now, and come back by themselves after ``LOYALTY_HOLD_MINUTES`` unless
the sale arrives carrying the discount (``settle.commit_counter_holds``) or staff release
them. Each visit (a check-in, or the shopper's day when found by search) is one order with
one transaction id, so the service's own rule refuses a second discount for it.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.db import transaction
from django.utils import timezone

from aiq.personas.models import Persona
from loyalty.api.redemption import service
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.refusals import RedemptionRefused
from loyalty.api.redemption.service import Caller, RedemptionRequest
from loyalty.discounts.models import Discount
from stores.models import RetailStore
from stores.queue.models import CheckIn, CounterRedemption

ONE_PER_ORDER = "This visit already has a loyalty discount on hold: at most one per order."


class CounterRefused(Exception):
    """Nothing was held or released; the message is for the budtender."""


def order_key(persona: Persona, store: RetailStore, check_in: CheckIn | None) -> str:
    """The visit a discount is for: the check-in, else the shopper's day at this store."""
    if check_in is not None:
        return f"queue-{check_in.pk}"
    day = timezone.localdate(timezone.now(), zoneinfo.ZoneInfo(store.time_zone))
    return f"counter-{store.pk}-{persona.pk}-{day:%Y%m%d}"


def hold_at_counter(
    persona: Persona,
    discount: Discount,
    store: RetailStore,
    *,
    by: Any,
    check_in: CheckIn | None = None,
) -> CounterRedemption:
    """Hold the discount's points for this visit; refused with the budtender's words."""
    key = order_key(persona, store, check_in)
    attempt = _next_attempt(store.company_id, key)
    request = RedemptionRequest(
        caller=Caller.counter(store, by),
        persona=persona,
        discount=discount,
        at=timezone.now(),
        transaction_id=f"{key}.{attempt}",
        staff=True,
    )
    with transaction.atomic():  # the hold and the record of who held it, or neither
        try:
            service.hold(request)
        except RedemptionRefused as refused:
            raise CounterRefused(_in_words(refused)) from None
        redemption = Redemption.objects.get(
            company_id=store.company_id, request_key=request.request_key
        )
        return _record(redemption, request, store, check_in, key, attempt, by)


def _record(
    redemption: Redemption,
    request: RedemptionRequest,
    store: RetailStore,
    check_in: CheckIn | None,
    key: str,
    attempt: int,
    by: Any,
) -> CounterRedemption:
    persona = request.persona
    counter, created = CounterRedemption.objects.get_or_create(
        redemption=redemption,
        defaults={
            "company_id": store.company_id,
            "persona": persona,
            "store": store,
            "check_in": check_in,
            "order_key": key,
            "attempt": attempt,
            "held_by": by if getattr(by, "pk", None) else None,
        },
    )
    if created:
        Redemption.objects.filter(pk=redemption.pk).update(
            note=f"Held at the counter of {store.name} by {_who(by)}"[:300]
        )
    return counter


def release_at_counter(counter: CounterRedemption, *, by: Any) -> None:
    """Give the held points back now (the shopper changed their mind)."""
    redemption = counter.redemption
    request = RedemptionRequest(
        caller=Caller.counter(counter.store, by),
        persona=counter.persona,
        discount=redemption.discount,
        at=timezone.now(),
        transaction_id=counter.transaction_id,
        staff=True,
    )
    with transaction.atomic():
        try:
            service.release(request)
        except RedemptionRefused as refused:
            raise CounterRefused(_in_words(refused)) from None
        counter.released_by = by if getattr(by, "pk", None) else None
        counter.save(update_fields=["released_by", "updated_at"])
        Redemption.objects.filter(pk=redemption.pk).update(
            note=f"Released at the counter by {_who(by)}"[:300]
        )


def _next_attempt(company_id: int, key: str) -> int:
    # A visit whose hold was released (by staff or by time) may hold another discount.
    released = CounterRedemption.objects.filter(
        company_id=company_id, order_key=key, redemption__status=RedemptionStatus.RELEASED
    ).count()
    return released + 1


def _in_words(refused: RedemptionRefused) -> str:
    if refused.code == "one_discount_per_order":
        return ONE_PER_ORDER
    if refused.code == "already_redeemed":
        return "This visit's discount is already redeemed: at most one per order."
    return refused.message


def _who(user: Any) -> str:
    if user is None:
        return "staff"
    return user.get_full_name() or user.get_username()
