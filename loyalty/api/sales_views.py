"""AIQ's createUpdateSale and createUpdateSales (reference 4.5): thin views over
loyalty/api/sales/ (parsing, the sales writer, earning)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from loyalty.api import assumptions
from loyalty.api.endpoint import Call, api_endpoint, read_json
from loyalty.api.errors import bad_request
from loyalty.api.sales.body import bulk_visits, single_visit
from loyalty.api.sales.fields import VisitError
from loyalty.api.sales.service import Outcome, Refused, Status, post_visits
from loyalty.api.sales.visits import Visit, parse_visit
from loyalty.program.models import LoyaltyProgram


@api_endpoint("POST")
def create_update_sale(request: HttpRequest, call: Call, uid: str) -> Any:
    raw = single_visit(read_json(request, assumptions.SALE_MAX_BODY_BYTES, standard_only=True))
    try:
        visit = parse_visit(raw)
    except VisitError as error:
        raise bad_request(_path("visit", error), error.why) from None
    (outcome,) = post_visits(call.key, [visit], timezone.now())
    if outcome.error is not None:
        raise bad_request(_path("visit", outcome.error), outcome.error.why)
    return _result(outcome, _points_hidden(call))


@api_endpoint("POST")
def create_update_sales(request: HttpRequest, call: Call, uid: str) -> Any:
    raws = bulk_visits(read_json(request, assumptions.SALES_MAX_BODY_BYTES, standard_only=True))
    visits: list[Visit | Refused] = []
    for raw in raws:
        try:
            visits.append(parse_visit(raw))
        except VisitError as error:
            visits.append(Refused(_pos_id_of(raw), error))
    outcomes = post_visits(call.key, visits, timezone.now())
    hidden = _points_hidden(call)
    counts = dict.fromkeys((Status.CREATED, Status.UPDATED, Status.UNCHANGED, Status.REFUSED), 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return {"results": [_result(outcome, hidden) for outcome in outcomes], **counts}


def _result(outcome: Outcome, points_hidden: bool) -> dict[str, Any]:
    if outcome.error is not None:
        return {
            "index": outcome.index,
            "pos_id": outcome.pos_id,
            "status": outcome.status,
            "field": outcome.error.field or "visit",
            "message": outcome.error.why,
        }
    return {
        "index": outcome.index,
        "pos_id": outcome.pos_id,
        "status": outcome.status,
        "saleID": outcome.sale_id,
        "contactID": outcome.persona_id,
        "storeID": outcome.store_id,
        "refund": outcome.is_refund,
        "total": str(outcome.total),
        # As the wallet shows them: 0 where the program hides points.
        "pointsEarned": 0 if points_hidden else _points(outcome.points_earned),
        "loyaltyPoints": (
            None if outcome.balance is None else 0 if points_hidden else _points(outcome.balance)
        ),
    }


def _path(prefix: str, error: VisitError) -> str:
    return f"{prefix}.{error.field}" if error.field else prefix


def _points(value: Decimal) -> int | str:
    """Whole points as an int (as the wallet's loyaltyPoints); fractions as a string."""
    return int(value) if value == int(value) else str(value)


def _points_hidden(call: Call) -> bool:
    return bool(
        LoyaltyProgram.objects.filter(
            company_id=call.key.company_id, hide_points_in_wallet=True
        ).exists()
    )


def _pos_id_of(raw: Any) -> str:
    """The refused visit's pos_id when it has a readable one, to tell the POS which."""
    value = raw.get("pos_id") if isinstance(raw, dict) else None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return str(value)[:128]
    return ""
