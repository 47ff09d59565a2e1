"""The persona listing's page and the single contact, in AIQ's shapes (pos-apis.md 4.2).

A page is a constant number of queries whatever its size: the (bounded) count, the rows
(for an aggregate sort, its ids first), their source identities; PostgreSQL's estimate only
when the count reaches its bound; a source-id lookup when the search text is one word.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Case, F, QuerySet, Sum, When
from django.db.models.functions import Abs

from aiq.accounts.models import Company
from aiq.paginator import estimated_row_count
from aiq.personas.choices import Consent
from aiq.personas.models import PersonaIdentity, Sale
from loyalty.api import assumptions
from loyalty.api.piis import (
    MAX_CONTACT_ID,
    PiisQuery,
    filtered_personas,
    is_aggregate_sort,
    ordered,
    visible_personas,
)
from loyalty.api.piis_ranking import ranked_page_ids
from loyalty.ledger.models import LoyaltyAccount
from loyalty.program.models import LoyaltyProgram

ROW_FIELDS = (
    "pk",
    "first_name",
    "last_name",
    "phone",
    "phone_raw",
    "favorite_store_id",
    "created_at",
    "sms_consent",
)


def piis_page(company: Company, query: PiisQuery) -> dict[str, Any]:
    """``{results, start, total, limit, size}`` for one page of the listing."""
    personas = filtered_personas(company, query.search)
    rows = _page_rows(personas, company, query)
    sources = first_identities([row["pk"] for row in rows])
    results = [persona_result(row, sources.get(row["pk"])) for row in rows]
    return {
        "results": results,
        "start": query.start,
        "total": bounded_total(personas, query, len(rows)),
        "limit": query.limit,
        "size": len(results),
    }


def _page_rows(personas: QuerySet, company: Company, query: PiisQuery) -> list[dict[str, Any]]:
    if not is_aggregate_sort(query.sort):
        page = ordered(personas, query).values(*ROW_FIELDS)
        return list(page[query.start : query.start + query.limit])
    ids = ranked_page_ids(
        personas,
        company.pk,
        query.sort,
        descending=query.descending,
        start=query.start,
        limit=query.limit,
    )
    by_id = {row["pk"]: row for row in personas.filter(pk__in=ids).values(*ROW_FIELDS)}
    return [by_id[pk] for pk in ids if pk in by_id]


def bounded_total(personas: QuerySet, query: PiisQuery, page_size: int) -> int:
    """Exact up to a bound past this page, PostgreSQL's estimate beyond (assumptions)."""
    if page_size < query.limit and (page_size or query.start == 0):
        # A short page is the last one: its rows end the count, no query needed.
        return query.start + page_size
    bound = query.start + query.limit + assumptions.PIIS_EXACT_TOTAL_BEYOND_PAGE
    # One past the bound: reaching it proves more rows than the bound, so the total
    # below stays above this page's end even when the estimate is low.
    counted = personas.order_by()[: bound + 1].count()
    if counted <= bound:
        return counted
    estimate = estimated_row_count(personas)
    if estimate is None:
        return personas.count()
    return max(counted, estimate)


def first_identities(persona_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each persona's first source identity (lowest id) as (source, external id), in one
    query for the page."""
    first: dict[int, tuple[str, str]] = {}
    identities = (
        PersonaIdentity.objects.filter(persona_id__in=persona_ids)
        .order_by("persona_id", "id")
        .values_list("persona_id", "source", "external_id")
    )
    for persona_id, source, external_id in identities:
        first.setdefault(persona_id, (source, external_id))
    return first


def persona_result(row: dict[str, Any], identity: tuple[str, str] | None) -> dict[str, Any]:
    """One result of the listing: exactly the fields AIQ documents."""
    source, external_id = identity or ("", "")
    return {
        "contactID": row["pk"],
        "srcID": external_id,
        "firstName": row["first_name"],
        "lastName": row["last_name"],
        "mobilePhone": row["phone"] or row["phone_raw"],
        "homePhone": "",
        "platform": source,
        "favoriteStoreID": row["favorite_store_id"],
        "inserted": _epoch(row["created_at"]),
        "optinTime": assumptions.PIIS_UNKNOWN_TIME,
        "optoutTime": assumptions.PIIS_UNKNOWN_TIME,
        "optreqTime": assumptions.PIIS_UNKNOWN_TIME,
        "hasRequested": row["sms_consent"] == Consent.PENDING,
    }


def contact_detail(company: Company, contact_id: str) -> dict[str, Any] | None:
    """One visible persona of the company with its points, spend and refer code; None if
    there is none (another company's, blocklisted, or not a number)."""
    if not (contact_id.isascii() and contact_id.isdigit()) or int(contact_id) > MAX_CONTACT_ID:
        return None
    row = visible_personas(company).filter(pk=int(contact_id)).values(*ROW_FIELDS).first()
    if row is None:
        return None
    identity = first_identities([row["pk"]]).get(row["pk"])
    return {
        **persona_result(row, identity),
        "loyaltyPoints": _loyalty_points(company, row["pk"]),
        "orderAmountSpent": _json_number(amount_spent(row["pk"])),
        "referCode": assumptions.REFER_CODE,
    }


def amount_spent(persona_id: int) -> Decimal:
    """Sales minus refunds (a refund's total may arrive signed or not: it always subtracts)."""
    signed = Case(When(is_refund=True, then=-Abs(F("total"))), default=F("total"))
    total = Sale.objects.filter(persona_id=persona_id).aggregate(spent=Sum(signed))["spent"]
    return total or Decimal("0")


def _loyalty_points(company: Company, persona_id: int) -> int | float:
    program = LoyaltyProgram.objects.filter(company=company).first()
    if program is not None and program.hide_points_in_wallet:
        return 0
    balance = (
        LoyaltyAccount.objects.filter(persona_id=persona_id)
        .values_list("balance", flat=True)
        .first()
    )
    return _json_number(balance or Decimal("0"))


def _epoch(moment: datetime | None) -> int:
    return int(moment.timestamp()) if moment else assumptions.PIIS_UNKNOWN_TIME


def _json_number(value: Decimal) -> int | float:
    """Whole values as an int; hundredths as a float (JSON has no decimal type)."""
    return int(value) if value == int(value) else float(value)
