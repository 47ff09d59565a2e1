"""What the persona card shows, in a manager's words: sources once with counts, the point of
sale membership derived from the identities that exist, purchases in the store's local time
and payments in words."""

from __future__ import annotations

import json
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateformat import format as format_date

from aiq.personas.choices import POS_SOURCES, EnrollmentRoute, Source
from aiq.personas.models import Persona, PersonaIdentity, Sale, SaleLine

STORE_TIME_FORMAT = "M j, Y g:i A T"  # Nov 22, 2026 3:04 PM PST
CURRENCY_SYMBOLS = {"USD": "$"}
SOURCE_ORDER = {value: position for position, value in enumerate(Source.values)}


@dataclass(frozen=True, slots=True)
class SourceCount:
    """One source a persona came from, and how many of its records point at the persona."""

    source: str
    label: str
    count: int

    def __str__(self) -> str:
        return f"{self.label} ({self.count})" if self.count > 1 else self.label


def source_counts(identities: Iterable[PersonaIdentity]) -> list[SourceCount]:
    """Each source once, in the order of ``Source``, with its number of identities."""
    counts = Counter(identity.source for identity in identities)
    labels = dict(Source.choices)
    return [
        SourceCount(source, labels.get(source, source), count)
        for source, count in sorted(counts.items(), key=lambda item: SOURCE_ORDER.get(item[0], 99))
    ]


def sources_text(identities: Iterable[PersonaIdentity]) -> str:
    """ "Cova (3), Signup form": what the "Sourced from" column and card say."""
    return ", ".join(str(count) for count in source_counts(identities)) or "-"


@dataclass(frozen=True, slots=True)
class PosMembership:
    """Since when the shopper is known to a point of sale, and to which one."""

    since: datetime
    source_label: str


def pos_member_since(identities: Iterable[PersonaIdentity]) -> PosMembership | None:
    """The earliest POS identity's first appearance; None when no POS record points here.

    Derived, never stored: merges and their undo move identities, so this always agrees
    with "Sourced from".
    """
    pos = [identity for identity in identities if identity.source in POS_SOURCES]
    if not pos:
        return None
    earliest = min(pos, key=lambda identity: (identity.first_seen_at, identity.pk or 0))
    return PosMembership(earliest.first_seen_at, earliest.get_source_display())


def enrollment_route_label(persona: Persona, identities: Sequence[PersonaIdentity]) -> str:
    """How the shopper joined loyalty, in words that never contradict "Sourced from".

    "Point of sale" is only said while a POS record points at the persona (and names it);
    a route recorded as POS with no POS source left is not claimed at all.
    """
    route = persona.loyalty_enrollment_route
    if route != EnrollmentRoute.POS:
        return persona.get_loyalty_enrollment_route_display() if route else ""
    membership = pos_member_since(identities)
    return f"Point of sale ({membership.source_label})" if membership else ""


def brand_traits(persona: Persona) -> list[tuple[str, str]]:
    """The custom brand traits as (name, value) pairs, sorted by name."""
    traits = persona.brand_traits if isinstance(persona.brand_traits, dict) else {}
    return [
        (str(name), "" if value is None else str(value)) for name, value in sorted(traits.items())
    ]


def money(amount: Any, currency: str = "USD") -> str:
    """``Decimal("40")`` -> "$40.00"; other currencies keep their code: "40.00 CAD"."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    sign = "-" if value < 0 else ""
    digits = f"{abs(value):,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {currency}"


def payments_in_words(payments: Any, currency: str = "USD") -> str:
    """The tenders of a sale as staff say them: "Cash $40.00, Debit $12.30"."""
    if isinstance(payments, str):
        try:
            payments = json.loads(payments)
        except ValueError:
            return payments
    if not isinstance(payments, list):
        return ""
    words = []
    for tender in payments:
        if not isinstance(tender, dict):
            continue
        method = str(tender.get("method") or "Other").strip() or "Other"
        amount = tender.get("amount")
        words.append(f"{method} {money(amount, currency)}" if amount is not None else method)
    return ", ".join(words)


def store_time_zone(sale: Sale) -> zoneinfo.ZoneInfo:
    """The time zone of the store the sale was rung up at; the server's while unmapped."""
    name = sale.store.time_zone if sale.store_id and sale.store else ""
    try:
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def store_time(sale: Sale) -> str:
    """When the sale happened, on the store's clock: "Nov 22, 2026 3:04 PM PST"."""
    return format_date(
        timezone.localtime(sale.occurred_at, store_time_zone(sale)), STORE_TIME_FORMAT
    )


@dataclass(frozen=True, slots=True)
class Purchase:
    """One sale as the card lists it."""

    sale: Sale
    when: str
    lines: list[SaleLine]
    total: str
    payments: str


def purchase(sale: Sale) -> Purchase:
    """Needs the sale's store and lines loaded (select_related / prefetch_related)."""
    return Purchase(
        sale=sale,
        when=store_time(sale),
        lines=list(sale.lines.all()),
        total=money(sale.total, sale.currency),
        payments=payments_in_words(sale.payments, sale.currency) or sale.payment_method,
    )


def recent_purchases(persona: Persona, limit: int) -> list[Purchase]:
    """The persona's latest sales and refunds with their lines: three queries."""
    sales = (
        persona.sales.select_related("store")
        .prefetch_related("lines")
        .order_by("-occurred_at", "-id")[:limit]
    )
    return [purchase(sale) for sale in sales]
