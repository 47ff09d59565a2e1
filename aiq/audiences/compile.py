"""Condition rows to one query over the company's personas.

Every condition becomes a WHERE term of a single SELECT on ``personas_persona``. The
purchase conditions test the persona's purchase summary columns (purchase count, net
spend, first and last sale, last purchase and last purchase of each fulfillment type;
kept exact by ``aiq.personas.summaries`` in every sales write): "spent $250", "last
purchase in 30 days", "delivery in 90 days" are column tests. A window ("3+ purchases in
365 days") is answered from the columns for shoppers whose first sale is inside it, and
from their sales, grouped once, only for the shoppers who began earlier (found by the
(company, first sale) index). Other conditions: a column test, or an EXISTS over an
indexed child table (sale lines by sale, a brand's lines by the partial UPPER(brand)
index, identities by (persona, source), the loyalty account by its unique persona);
"bought a category" and "bought brand" count the shopper's units of it, returns
subtracted (grouped once, or per shopper inside an "any"). Custom brand traits use JSON
containment on PostgreSQL (the GIN index on ``brand_traits``) and a key lookup elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    TextField,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Abs, Cast
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone

from aiq.accounts.models import Company
from aiq.audiences.models import Audience, Match
from aiq.personas.choices import Consent, Fulfillment
from aiq.personas.models import Persona, PersonaIdentity, Sale, SaleLine


def members(audience: Audience) -> QuerySet[Persona]:
    """The audience's members, as one query (not yet run)."""
    return members_of(audience.company_id, audience.match, audience.conditions)


def members_of(
    company: Company | int, match: str, conditions: list[dict[str, Any]], today: date | None = None
) -> QuerySet[Persona]:
    """The personas of ``company`` matching cleaned ``conditions`` (all or any). No
    conditions: every persona of the company."""
    company_id = company if isinstance(company, int) else company.pk
    today = today or timezone.localdate()
    personas = Persona.objects.filter(company_id=company_id)
    # A term that is a conjunct of the whole WHERE may be a grouped IN (a semi-join the
    # planner narrows to one persona for the wallet); inside an OR it must stay correlated.
    terms_of = _TERMS if match == Match.ANY and len(conditions) > 1 else _CONJUNCT_TERMS
    terms = [terms_of[row["type"]](row, company_id, today) for row in conditions]
    if not terms:
        return personas
    combined = terms[0]
    for term in terms[1:]:
        combined = (combined | term) if match == Match.ANY else (combined & term)
    return personas.filter(combined)


def _since(row: dict[str, Any], today: date) -> Any:
    days = row.get("days")
    if days is None:
        return None
    start = today - timedelta(days=int(days))
    return timezone.make_aware(timezone.datetime.combine(start, timezone.datetime.min.time()))


def _sales(row: dict[str, Any], company_id: int, today: date, **filters: Any) -> QuerySet[Sale]:
    # The company is implied by the persona; saying it lets the planner use the
    # (company, ...) sale indexes of migration 0002 for a semi-join.
    sales = Sale.objects.filter(
        company_id=company_id, persona=OuterRef("pk"), is_refund=False, **filters
    )
    since = _since(row, today)
    return sales if since is None else sales.filter(occurred_at__gte=since)


def _yes(row: dict[str, Any]) -> bool:
    return row.get("value") == "yes"


def _loyalty(row: dict[str, Any], company_id: int, today: date) -> Q:
    return Q(loyalty_enrolled_at__isnull=not _yes(row))


def _favorite_store(row: dict[str, Any], company_id: int, today: date) -> Q:
    return Q(favorite_store_id=int(row["store"]))


def _sms(row: dict[str, Any], company_id: int, today: date) -> Q:
    opted_in = Q(sms_consent=Consent.OPTED_IN)
    return opted_in if _yes(row) else ~opted_in


def _source(row: dict[str, Any], company_id: int, today: date) -> Q:
    return Q(Exists(PersonaIdentity.objects.filter(persona=OuterRef("pk"), source=row["value"])))


def _state(row: dict[str, Any], company_id: int, today: date) -> Q:
    return Q(state__iexact=row["value"])


def _age(row: dict[str, Any], company_id: int, today: date) -> Q:
    # Aged at least N: born on or before today N years ago; at most M: born after
    # today M+1 years ago.
    term = Q(birth_date__isnull=False)
    if row.get("min") is not None:
        term &= Q(birth_date__lte=_years_ago(today, int(row["min"])))
    if row.get("max") is not None:
        term &= Q(birth_date__gt=_years_ago(today, int(row["max"]) + 1))
    return term


def _years_ago(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _fulfillment(row: dict[str, Any], company_id: int, today: date) -> Q:
    # "Contains" is answered against the fulfillment types a sync stores (their value or
    # label): the last purchase of each type is on the purchase summary. Text matching
    # none is still searched in the sales as is.
    text = row["value"].lower()
    kinds = [key for key, label in Fulfillment.choices if text in key or text in label.lower()]
    if not kinds:
        match = {"fulfillment__icontains": row["value"]}
        return Q(Exists(_sales(row, company_id, today, **match)))
    since = _since(row, today)
    term = Q()
    for kind in kinds:
        last = f"last_{kind}_at"
        term |= Q(**{f"{last}__isnull": False} if since is None else {f"{last}__gte": since})
    return term


def _last_purchase(row: dict[str, Any], company_id: int, today: date) -> Q:
    return Q(last_purchase_at__gte=_since(row, today))


def _category(row: dict[str, Any], company_id: int, today: date) -> Q:
    return _bought_correlated(row, company_id, today, _named_category(row))


def _brand(row: dict[str, Any], company_id: int, today: date) -> Q:
    return _bought_correlated(row, company_id, today, _named_brand(row))


def _category_conjunct(row: dict[str, Any], company_id: int, today: date) -> Q:
    return _bought_grouped(row, company_id, today, _named_category(row))


def _brand_conjunct(row: dict[str, Any], company_id: int, today: date) -> Q:
    return _bought_grouped(row, company_id, today, _named_brand(row))


def _named_category(row: dict[str, Any]) -> Q:
    return Q(category__iexact=row["value"])


def _named_brand(row: dict[str, Any]) -> Q:
    # "Not blank" lets PostgreSQL read the partial index on UPPER(brand) of migration
    # audiences/0004 (lines without a brand are not in it), so only that brand's lines.
    return Q(brand__iexact=row["value"]) & ~Q(brand="")


# "Bought a category/brand" means the shopper still has some of it: net units (bought
# minus returned, in the row's window if it has one) above zero. A marketer targeting
# "bought Acme" means shoppers who kept some Acme: one who returned all of it is not a
# fan, one who returned one of two still is, and a refund of another brand changes
# nothing. Units, not money: a discounted or free line still counts as bought. A refund's
# lines are returns whatever their sign (Clover and the sandboxes' refunds repeat the
# order with positive quantities, the sales API sends negative ones); a negative line on
# a sale is a return rung up with it (an exchange). Both forms below give the same members.
_SIGNED_UNITS = Case(When(sale__is_refund=True, then=-Abs("quantity")), default=F("quantity"))


def _bought_grouped(row: dict[str, Any], company_id: int, today: date, these: Q) -> Q:
    """Net units per shopper, grouped once over the matching lines (the brand index, or
    every line for a category): measured 4 times faster than the correlated form for a
    count (30,000 personas, PostgreSQL), and for one persona (the wallet) the planner
    pushes ``persona = X`` into the grouping. Only as a conjunct of the whole query: under
    an OR it would be aggregated in full for every wallet read."""
    lines = SaleLine.objects.filter(
        sale__company_id=company_id, sale__persona__isnull=False, **_window_of(row, today)
    ).filter(these)
    kept = (
        lines.order_by()
        .values("sale__persona")
        .annotate(units=Sum(_SIGNED_UNITS))
        .filter(units__gt=0)
        .values("sale__persona")
    )
    return Q(pk__in=kept)


def _bought_correlated(row: dict[str, Any], company_id: int, today: date, these: Q) -> Q:
    """Inside an "any" audience: the EXISTS of a bought line (the old test, a cheap probe
    per persona), then the shopper's net units, summed only for those it lets through."""
    lines = _lines(row, company_id, today).filter(these)
    bought = lines.filter(sale__is_refund=False, quantity__gt=0)
    units = lines.order_by().values("sale__persona").annotate(units=Sum(_SIGNED_UNITS))
    return Q(Exists(bought)) & Q(GreaterThan(Subquery(units.values("units")), 0))


def _lines(row: dict[str, Any], company_id: int, today: date) -> QuerySet[SaleLine]:
    """The persona's sale lines (sales and refunds), in the row's window if it has one."""
    lines = SaleLine.objects.filter(sale__company_id=company_id, sale__persona=OuterRef("pk"))
    return lines.filter(**_window_of(row, today))


def _window_of(row: dict[str, Any], today: date) -> dict[str, Any]:
    since = _since(row, today)
    return {} if since is None else {"sale__occurred_at__gte": since}


def _total_spend(row: dict[str, Any], company_id: int, today: date) -> Q:
    # Net spend: refunds count (their totals are negative).
    amount = Decimal(row["amount"])
    since = _since(row, today)
    if since is None:
        return Q(total_spend__gte=amount)
    # A shopper whose first sale is inside the window spent their all-time total in it;
    # only the window's sales of shoppers who began earlier are summed.
    earlier = Persona.objects.filter(
        company_id=company_id, first_sale_at__lt=since, last_sale_at__gte=since
    )
    spenders = (
        _window(company_id, since, earlier)
        .annotate(spend=Sum("total"))
        .filter(spend__gte=amount)
        .values("persona_id")
    )
    return Q(first_sale_at__gte=since, total_spend__gte=amount) | Q(pk__in=spenders)


def _purchase_count(row: dict[str, Any], company_id: int, today: date) -> Q:
    count = int(row["count"])
    if count == 0:
        return Q(pk__isnull=False)
    since = _since(row, today)
    if since is None:
        return Q(purchase_count__gte=count)
    # N purchases in the window need N in all and one in the window; when the first sale
    # is inside the window all of them are, otherwise the window's are counted.
    candidates = Q(purchase_count__gte=count, last_purchase_at__gte=since)
    earlier = Persona.objects.filter(candidates, company_id=company_id, first_sale_at__lt=since)
    buyers = (
        _window(company_id, since, earlier)
        .filter(is_refund=False)
        .annotate(purchases=Count("id"))
        .filter(purchases__gte=count)
        .values("persona_id")
    )
    return candidates & (Q(first_sale_at__gte=since) | Q(pk__in=buyers))


def _window(company_id: int, since: Any, shoppers: QuerySet[Persona]) -> QuerySet[Sale]:
    """These shoppers' sales since ``since``, grouped by shopper. Not correlated: the
    planner reads the few shoppers who began before the window by their index
    (company, first sale) once, rather than weighing a lookup per persona."""
    sales = Sale.objects.filter(company_id=company_id, occurred_at__gte=since)
    return sales.filter(persona__in=shoppers.values("pk")).order_by().values("persona_id")


def _brand_trait(row: dict[str, Any], company_id: int, today: date) -> Q:
    key, value = row["key"], row.get("value")
    if value is None:
        return Q(brand_traits__has_key=key)
    if connection.vendor == "postgresql":
        # Containment is what the GIN index answers; a numeric id may be stored as a
        # number ("Pricing Group ID": 3) or as text.
        term = Q(brand_traits__contains={key: value})
        if value.lstrip("-").isdigit():
            term |= Q(brand_traits__contains={key: int(value)})
        return term
    # SQLite's JSON extraction keeps a number a number: compare as text.
    return Q(Exact(Cast(KeyTextTransform(key, "brand_traits"), TextField()), value))


def _points(row: dict[str, Any], company_id: int, today: date) -> Q:
    from loyalty.ledger.models import LoyaltyAccount

    accounts = LoyaltyAccount.objects.filter(
        persona=OuterRef("pk"), balance__gte=Decimal(row["points"])
    )
    return Q(Exists(accounts))


_TERMS: dict[str, Callable[[dict[str, Any], int, date], Q]] = {
    "loyalty_member": _loyalty,
    "favorite_store": _favorite_store,
    "sms_opted_in": _sms,
    "source": _source,
    "state": _state,
    "age": _age,
    "fulfillment": _fulfillment,
    "total_spend": _total_spend,
    "purchase_count": _purchase_count,
    "last_purchase": _last_purchase,
    "category": _category,
    "brand": _brand,
    "brand_trait": _brand_trait,
    "points": _points,
}
# Terms for a query whose WHERE is their conjunction ("all", or a single condition).
_CONJUNCT_TERMS = {**_TERMS, "category": _category_conjunct, "brand": _brand_conjunct}
