"""`GET /api/v1.1/piis/:uid`: reading AIQ's query parameters and building the persona query.

Parameters (shared/reference/pos-apis.md 4.2): ``start`` (offset), ``limit`` (100 to
2000), ``sort`` (one of ``SORT_KEYS``), ``dir`` (asc/desc) and ``search``: free text (a
phone in any format or its last 4 or 7 digits, an email, a name, a contact id or a source
id) plus the terms in ``TERMS`` and the ``email:<address>`` form, combinable.

The text search is the admin's (``aiq.personas.search``) so it rides the same indexes; a
contact id is the primary key, a source id is looked up on the identities' unique key
first (one query) so every branch of the OR stays an index lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, F, Q, QuerySet, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, Lower

from aiq.accounts.models import Company
from aiq.personas.choices import Source
from aiq.personas.models import Persona, PersonaIdentity
from aiq.personas.normalize import normalize_email
from aiq.personas.search import persona_search_filter
from aiq.validators import first_control_character
from loyalty.api import assumptions
from loyalty.api.errors import bad_request
from loyalty.ledger.models import POINTS
from loyalty.program.models import BlockedPhone

# A source id matches few personas (one per source); more would be a data problem.
MAX_SOURCE_ID_MATCHES = 50
# PostgreSQL's integer primary key: a longer number cannot be a contact id.
MAX_CONTACT_ID = 2**31 - 1
# No company has more personas than a contact id can count.
MAX_START = MAX_CONTACT_ID
MAX_DIGITS = 12


@dataclass(frozen=True)
class Search:
    """A parsed ``search``: the free text, an ``email:`` address and the terms."""

    text: str = ""
    email: str = ""
    terms: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class PiisQuery:
    """The listing's parameters, validated."""

    start: int = 0
    limit: int = assumptions.PIIS_DEFAULT_LIMIT
    sort: str = assumptions.PIIS_DEFAULT_SORT
    descending: bool = assumptions.PIIS_DEFAULT_DIR == "desc"
    search: Search = field(default_factory=Search)


def _no_points() -> Value:
    return Value(Decimal("0"), output_field=DecimalField(**POINTS))


# Each sort key: the expressions to order by before the id tie-break (which keeps pages
# stable). homePhone (we keep one phone) and inserted (ids follow insertion) order by id
# alone, on the (company, -id) index; None: an aggregate, paged by ``piis_ranking``.
SORT_KEYS: dict[str, Callable[[], list] | None] = {
    "name": lambda: [Lower("last_name"), Lower("first_name")],
    "email": lambda: [F("email")],
    "mobilePhone": lambda: [F("phone")],
    "homePhone": lambda: [],
    "source": None,
    "id": lambda: [],
    "inserted": lambda: [],
    "signup": lambda: [F("loyalty_enrolled_at")],
    "points": lambda: [Coalesce(F("loyalty_account__balance"), _no_points())],
    "usedpoints": None,
}

# Keys that can be NULL sort their NULLs last both ways (non-members after members). The
# others must not say NULLS LAST on a descending sort: the (company, -id) and (company,
# phone) indexes only serve the default NULL order.
NULLABLE_SORT_KEYS = frozenset({"signup"})

TERMS: dict[str, Callable[[], Q]] = {
    "has:phone": lambda: ~Q(phone=""),
    "has:email": lambda: ~Q(email=""),
    "is:member": lambda: Q(loyalty_enrolled_at__isnull=False),
    "not:member": lambda: Q(loyalty_enrolled_at__isnull=True),
    "has:points": lambda: Q(loyalty_account__balance__gt=0),
}
TERM_PREFIXES = frozenset(term.split(":")[0] for term in TERMS)


PARAMETERS = ("start", "limit", "sort", "dir", "search")


def parse_piis_query(params: Mapping[str, str]) -> PiisQuery:
    """The query string, validated; a bad value is a 400 naming the parameter."""
    bad = first_control_character({name: params.get(name, "") for name in PARAMETERS})
    if bad is not None:
        # A NUL cannot reach PostgreSQL (it raises): a 400 naming the parameter instead.
        raise bad_request(bad[0], f"contains a control character ({bad[1]})")
    sort = params.get("sort", "").strip() or assumptions.PIIS_DEFAULT_SORT
    if sort not in SORT_KEYS:
        raise bad_request("sort", f"must be one of {', '.join(SORT_KEYS)}")
    direction = params.get("dir", "").strip().lower() or assumptions.PIIS_DEFAULT_DIR
    if direction not in ("asc", "desc"):
        raise bad_request("dir", "must be asc or desc")
    return PiisQuery(
        start=_start(params),
        limit=assumptions.piis_limit(_whole_number(params, "limit")),
        sort=sort,
        descending=direction == "desc",
        search=parse_search(params.get("search", "")),
    )


def _whole_number(params: Mapping[str, str], name: str) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise bad_request(name, "must be a whole number, 0 or more")
    # Thousands of digits would make int() raise; any such number is out of range anyway.
    return int(raw) if len(raw) <= MAX_DIGITS else 10**MAX_DIGITS


def _start(params: Mapping[str, str]) -> int:
    start = _whole_number(params, "start") or 0
    if start > MAX_START:
        # PostgreSQL's OFFSET is a bigint: a larger number would be a 500, not an answer.
        raise bad_request("start", f"must be at most {MAX_START}")
    return start


def parse_search(raw: str) -> Search:
    """Split ``search`` into terms (``has:phone``...), ``email:<x>`` and the free text."""
    words: list[str] = []
    terms: set[str] = set()
    email = ""
    for word in raw.split():
        lowered = word.lower()
        if lowered in TERMS:
            terms.add(lowered)
        elif lowered.startswith("email:"):
            email = normalize_email(word.split(":", 1)[1])
            if not email:
                raise bad_request("search", "email: needs an address")
        elif lowered.split(":", 1)[0] in TERM_PREFIXES and ":" in lowered:
            raise bad_request("search", f"unknown term {word}; known: {', '.join(TERMS)}")
        else:
            words.append(word)
    return Search(text=" ".join(words), email=email, terms=frozenset(terms))


def visible_personas(company: Company) -> QuerySet:
    """The company's personas a POS may see: all but those on the points blocklist."""
    # The blocklist is a few staff phones: read first and written into the query as
    # values. As a subquery, NOT IN halves PostgreSQL's row estimate (which the total
    # trusts past its bound) and NOT EXISTS became an anti-join that rescans the blocklist
    # for every persona (2.4 of a sort's 10 s at a million rows, with no blocklist at all).
    blocked = list(BlockedPhone.objects.filter(company=company).values_list("phone", flat=True))
    personas = Persona.objects.filter(company=company)
    return personas.exclude(phone__in=blocked) if blocked else personas


def search_condition(company: Company, search: Search) -> Q:
    """Every part of the search, ANDed; the free text matches any of its meanings."""
    condition = Q()
    for term in sorted(search.terms):
        condition &= TERMS[term]()
    if search.email:
        # lower(email) = x: the same expression as the persona_company_email index.
        condition &= Q(email__lower=search.email)
    if search.text:
        condition &= _text_condition(company, search.text)
    return condition


def _text_condition(company: Company, text: str) -> Q:
    matches = persona_search_filter(text, company.phone_region) or Q(pk__in=[])
    # "0134" is the last four of a phone, not contact 134: ids are written without zeros.
    if text.isascii() and text.isdigit() and text == str(int(text)) and int(text) <= MAX_CONTACT_ID:
        matches |= Q(pk=int(text))
    if " " not in text:
        by_source_id = list(
            PersonaIdentity.objects.filter(
                company=company, source__in=Source.values, external_id=text
            ).values_list("persona_id", flat=True)[:MAX_SOURCE_ID_MATCHES]
        )
        if by_source_id:
            matches |= Q(pk__in=by_source_id)
    return matches


def filtered_personas(company: Company, search: Search) -> QuerySet:
    """The visible personas matching the search, unordered."""
    return visible_personas(company).filter(search_condition(company, search))


def is_aggregate_sort(sort: str) -> bool:
    return SORT_KEYS[sort] is None


def ordered(personas: QuerySet, query: PiisQuery) -> QuerySet:
    """``personas`` in a column sort's order, ids breaking ties the same way."""
    columns = SORT_KEYS[query.sort]
    assert columns is not None, f"{query.sort} is paged by piis_ranking"
    keys = [*columns(), F("pk")]
    nulls_last = True if query.sort in NULLABLE_SORT_KEYS else None
    order: list[OrderBy] = [
        key.desc(nulls_last=nulls_last) if query.descending else key.asc(nulls_last=nulls_last)
        for key in keys
    ]
    return personas.order_by(*order)
