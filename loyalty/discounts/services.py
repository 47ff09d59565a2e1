"""Which discounts a shopper can redeem now, and why each other one is not available.

One evaluation serves the POS wallet API (``redeemable_discounts``) and the budtenders'
queue page (``discount_options``, every active discount with its reasons). Rules: loyalty
is on and the shopper is a member; enough points; in date (the store's local date); at
this store; not used up (single use) nor cooling down; the minimum spend when the cart is
known; staff-only discounts only when staff redeem; in the discount's audience, if it is
limited to one. Turned-off discounts are not listed.
"""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Literal

from django.db import connection
from django.db.models import prefetch_related_objects
from django.db.models.expressions import Col
from django.utils import timezone

from aiq.personas.models import Persona
from aiq.raw_rows import RowShape, hot_cursor
from loyalty.discounts.models import Discount, DiscountUse
from loyalty.program.models import LoyaltyProgram
from loyalty.program.points import say_date, say_money, say_points
from stores.models import RetailStore

if TYPE_CHECKING:  # aiq.audiences imports loyalty models: imported where used
    from aiq.audiences.membership import Membership


@dataclass(frozen=True, slots=True)
class DiscountOption:
    discount: Discount
    reasons: tuple[str, ...]  # empty: the shopper can redeem it now

    @property
    def redeemable(self) -> bool:
        return not self.reasons

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons)


class _Program(Enum):
    LOOK_UP = "look up"  # the caller has not read the company's program


LOOK_UP_PROGRAM = _Program.LOOK_UP
ProgramArgument = LoyaltyProgram | None | Literal[_Program.LOOK_UP]


@dataclass(frozen=True, slots=True)
class Usage:
    """A shopper's uses of one discount: how many, and the last one."""

    count: int
    last_used_at: datetime | None


def discount_options(
    persona: Persona,
    *,
    balance: Decimal,
    store: RetailStore | None = None,
    at: datetime | None = None,
    staff: bool = False,
    spend: Decimal | None = None,
    program: ProgramArgument = LOOK_UP_PROGRAM,
    audiences: Membership | None = None,
    discounts: list[Discount] | None = None,
) -> list[DiscountOption]:
    """Every active discount of the shopper's company, each with the reasons it cannot be
    redeemed now (none when it can). ``store`` None: any store (the wallet, before the
    shopper picks one); ``spend`` None: the cart is not known, no minimum is checked.
    ``program``: the company's program (or None) when the caller has read it already;
    ``audiences``: the shopper's audience membership when the caller has read it (the
    wallet lists it), so audience-limited discounts cost no further query;
    ``discounts``: the company's active discounts with the shopper's uses, when the caller
    has read them (the wallet, in the shopper's own query: ``usage_columns``)."""
    if discounts is None:
        discounts = _with_usage(persona.company_id, persona)
    usage = {
        d.pk: d.persona_uses  # type: ignore[attr-defined]
        for d in discounts
        if d.persona_uses.count  # type: ignore[attr-defined]
    }
    return _evaluate(
        persona, discounts, usage, balance, store, at, staff, spend, program, audiences
    )


def discount_option(
    persona: Persona,
    discount: Discount,
    *,
    balance: Decimal,
    store: RetailStore | None = None,
    at: datetime | None = None,
    staff: bool = False,
    spend: Decimal | None = None,
    program: ProgramArgument = LOOK_UP_PROGRAM,
    uses: Usage | None = None,
) -> DiscountOption | None:
    """``discount_options`` for one discount the caller has read (a redemption names
    it): the same rules, with only this discount's uses read. None when it is turned off
    (it would not be listed). ``uses``: the shopper's uses of it when the caller has read
    them (the redemption, in one statement under the shopper's lock); None: read here."""
    if not discount.is_active:
        return None
    if uses is None:
        uses = _uses_of(persona, discount)
    usage = {discount.pk: uses} if uses.count else {}
    (option,) = _evaluate(
        persona, [discount], usage, balance, store, at, staff, spend, program, None
    )
    return option


def _evaluate(
    persona: Persona,
    discounts: list[Discount],
    usage: dict[int, Usage],
    balance: Decimal,
    store: RetailStore | None,
    at: datetime | None,
    staff: bool,
    spend: Decimal | None,
    program: ProgramArgument,
    audiences: Membership | None,
) -> list[DiscountOption]:
    """Each discount with the reasons it cannot be redeemed now (see ``discount_options``)."""
    at = at or timezone.now()
    zone = _zone(store)
    today = timezone.localtime(at, zone).date()
    if store is not None:
        # Only a known store is compared with each discount's stores (one query fewer
        # per wallet read for the usual key, which serves every store).
        prefetch_related_objects(discounts, "stores")
    if program is LOOK_UP_PROGRAM:
        program = LoyaltyProgram.objects.filter(company_id=persona.company_id).first()
    blocked = _blocked(program, persona)
    outside = {} if blocked else _audiences_outside(persona, discounts, audiences)
    options = []
    for discount in discounts:
        reasons = list(blocked)
        if not blocked:
            if discount.audience_id in outside:
                reasons.append(f"Only for {outside[discount.audience_id]}")
            reasons += _reasons(
                discount, usage.get(discount.pk), balance, store, at, zone, today, staff, spend
            )
        options.append(DiscountOption(discount, tuple(reasons)))
    return options


def redeemable_discounts(
    persona: Persona,
    *,
    balance: Decimal,
    store: RetailStore | None = None,
    at: datetime | None = None,
    staff: bool = False,
    spend: Decimal | None = None,
    program: ProgramArgument = LOOK_UP_PROGRAM,
    audiences: Membership | None = None,
    discounts: list[Discount] | None = None,
) -> list[Discount]:
    """The discounts the shopper can redeem now (see ``discount_options``)."""
    options = discount_options(
        persona,
        balance=balance,
        store=store,
        at=at,
        staff=staff,
        spend=spend,
        program=program,
        audiences=audiences,
        discounts=discounts,
    )
    return [option.discount for option in options if option.redeemable]


def unavailable_discounts(
    persona: Persona,
    *,
    balance: Decimal,
    store: RetailStore | None = None,
    at: datetime | None = None,
    staff: bool = False,
    spend: Decimal | None = None,
) -> list[tuple[Discount, str]]:
    """(discount, why not) for each active discount the shopper cannot redeem now."""
    options = discount_options(
        persona, balance=balance, store=store, at=at, staff=staff, spend=spend
    )
    return [(option.discount, option.reason) for option in options if not option.redeemable]


def _blocked(program: LoyaltyProgram | None, persona: Persona) -> list[str]:
    if program is None or not program.enabled:
        return ["Loyalty is turned off"]
    if persona.loyalty_enrolled_at is None:
        return ["Not a loyalty member"]
    return []


def _audiences_outside(
    persona: Persona, discounts: list[Discount], known: Membership | None
) -> dict[int, str]:
    """{audience id: name} of the discounts' audiences the shopper is not in. Nothing is
    read when no discount is limited to an audience or the caller's ``known`` membership
    covers them; otherwise the audiences in one query and their membership in one more
    (``aiq/audiences/membership.py``), computed now."""
    wanted = {d.audience_id for d in discounts if d.audience_id is not None}
    if not wanted:
        return {}
    from aiq.audiences.membership import membership
    from aiq.audiences.models import Audience

    if known is None or not known.knows(wanted):
        known = membership(persona, Audience.objects.filter(pk__in=wanted))
    return {pk: name for pk, name in known.outside().items() if pk in wanted}


def _zone(store: RetailStore | None) -> zoneinfo.ZoneInfo | None:
    if store is None or not store.time_zone:
        return None
    try:
        return zoneinfo.ZoneInfo(store.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _with_usage(company_id: int, persona: Persona) -> list[Discount]:
    """The company's active discounts (cheapest first), each with the shopper's uses of
    it (``persona_uses``, a ``Usage``) from two small correlated
    subqueries on the (persona, discount, used_at) index, so a popular discount's other
    uses are never read. Hand-written once: every wallet read runs it (aiq/raw_rows.py)."""
    with hot_cursor() as cursor:
        cursor.execute(_usage_query().sql, [persona.pk, persona.pk, company_id])
        return discounts_from_rows(cursor.fetchall())


def usage_columns(persona_id: str) -> str:
    """The SELECT list of ``_with_usage`` for a query of one's own: the discount's columns
    (alias ``d``) and the shopper's uses of it, ``persona_id`` being the SQL that names
    the shopper (a parameter, or a column of the query). ``discounts_from_rows`` reads
    them back; ``DISCOUNT_ORDER`` is the order the wallet lists them in."""
    return _usage_query().columns(persona_id)


# The wallet's order: cheapest first, then by name (columns of ``usage_columns``).
DISCOUNT_ORDER = ("points_cost", "name", "id")


def discount_columns() -> list[str]:
    """The column names of ``usage_columns``, in order (its last two: the uses)."""
    return [*_usage_query().discount.attnames, "use_count", "last_used_at"]


def discounts_from_rows(rows: list[Any], start: int = 0) -> list[Discount]:
    """The discounts of ``usage_columns`` read from ``row[start:]`` of each row, with the
    shopper's uses; a row whose discount is NULL (an outer join that found none) is
    skipped."""
    query = _usage_query()
    width = query.discount.width
    discounts = []
    for row in rows:
        discount = query.discount.build(row, start)
        if discount is None:
            continue
        discount.persona_uses = usage_from_row(*row[start + width : start + width + 2])  # type: ignore[attr-defined]
        discounts.append(discount)
    return discounts


def _uses_of(persona: Persona, discount: Discount) -> Usage:
    """The shopper's uses of one discount, as ``_with_usage`` reads them for all."""
    with hot_cursor() as cursor:
        cursor.execute(_usage_query().one_sql, [persona.pk, discount.pk])
        return usage_from_row(*cursor.fetchone())


def usage_from_row(count: int, used_at: Any) -> Usage:
    """A ``COUNT(*)`` and ``MAX(used_at)`` of a shopper's uses, as the database sent them."""
    query = _usage_query()
    for converter in query.last_used_converters:
        used_at = converter(used_at, query.last_used_column, connection)
    return Usage(int(count), used_at)


class _UsageQuery:
    def __init__(self) -> None:
        self.discount = RowShape(Discount, "d")
        self.uses = DiscountUse._meta.db_table
        used_at = DiscountUse._meta.get_field("used_at")
        # SQLite hands timestamps back as text: the column's own converters read them.
        self.last_used_column = Col("u", used_at)
        self.last_used_converters = connection.ops.get_db_converters(
            self.last_used_column
        ) + used_at.get_db_converters(connection)
        self.sql = (
            f"SELECT {self.columns('%s')}"  # noqa: S608 - names from the models
            f" FROM {Discount._meta.db_table} d"
            " WHERE d.company_id = %s AND d.is_active ORDER BY "
            + ", ".join(f"d.{column}" for column in DISCOUNT_ORDER)
        )
        self.one_sql = (
            f"SELECT COUNT(*), MAX(u.used_at) FROM {self.uses} u"  # noqa: S608 - names from the models
            " WHERE u.persona_id = %s AND u.discount_id = %s"
        )

    def columns(self, persona_id: str) -> str:
        return (
            f"{self.discount.sql},"  # noqa: S608 - names from the models, persona_id ours
            f" (SELECT COUNT(*) FROM {self.uses} u"
            f"   WHERE u.persona_id = {persona_id} AND u.discount_id = d.id),"
            f" (SELECT MAX(u.used_at) FROM {self.uses} u"
            f"   WHERE u.persona_id = {persona_id} AND u.discount_id = d.id)"
        )


@functools.cache
def _usage_query() -> _UsageQuery:
    return _UsageQuery()


def _reasons(
    discount: Discount,
    usage: Usage | None,
    balance: Decimal,
    store: RetailStore | None,
    at: datetime,
    zone: zoneinfo.ZoneInfo | None,
    today: date,
    staff: bool,
    spend: Decimal | None,
) -> list[str]:
    reasons = []
    if discount.staff_only and not staff:
        reasons.append("Staff-only: a staff member redeems it at the counter")
    if discount.active_from and today < discount.active_from:
        reasons.append(f"Starts {say_date(discount.active_from)}")
    if discount.active_until and today > discount.active_until:
        reasons.append(f"Ended {say_date(discount.active_until)}")
    if store is not None:
        stores = list(discount.stores.all())
        if stores and store.pk not in {s.pk for s in stores}:
            reasons.append("Not offered at " + store.name)
    if balance < discount.points_cost:
        reasons.append(
            f"Needs {say_points(discount.points_cost)} points; has {say_points(balance)}"
        )
    if usage is not None and discount.single_use and usage.count:
        reasons.append("Already used (single use per shopper)")
    elif usage is not None and discount.cooldown_hours and usage.last_used_at:
        again = usage.last_used_at + timedelta(hours=discount.cooldown_hours)
        if at < again:
            local = timezone.localtime(again, zone)
            clock = f"{local:%I:%M %p}".lstrip("0")
            reasons.append(f"Used recently: available again {say_date(local.date())} at {clock}")
    if discount.minimum_spend and spend is not None and spend < discount.minimum_spend:
        reasons.append(
            f"Minimum spend {say_money(discount.minimum_spend)} (cart {say_money(spend)})"
        )
    return reasons
