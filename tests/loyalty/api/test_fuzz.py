"""Schemathesis fuzzes every operation of the served OpenAPI document through the WSGI app,
with a real API key: no 5xx, and every answer fits the document (status, content type,
headers, body). Bounded: a few dozen examples per operation and a whole-run time budget.

Examples are derandomized so CI is repeatable; set API_FUZZ_RANDOM=1 to explore new ones.
"""

from __future__ import annotations

import contextlib
import math
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from loyalty.api import endpoint
from loyalty.api.keys import create_api_key
from loyalty.api.redemption_tokens import redemption_token
from loyalty.ledger.awards import award
from loyalty.ledger.choices import EntryKind
from tests.factories import PersonaFactory, RetailStoreFactory
from tests.loyalty.factories import DiscountFactory, LoyaltyProgramFactory

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
]
# CI's bounds; a longer local hunt: API_FUZZ_EXAMPLES=500 API_FUZZ_SECONDS=600.
EXAMPLES_PER_STRATEGY = int(os.environ.get("API_FUZZ_EXAMPLES", "25"))
BUDGET_SECONDS = int(os.environ.get("API_FUZZ_SECONDS", "60"))
METHOD_ORDER = {"post": 0, "delete": 1, "put": 2, "get": 3}
# The phone and email the document's examples use: the examples reach a real wallet.
SHOPPER_PHONE = "+12065550134"
SHOPPER_EMAIL = "jo@example.com"


@dataclass(frozen=True)
class Shop:
    """The key, and the path values that name real things (the document's examples are
    replaced by them, so the example requests reach a real shopper and discount)."""

    key: str
    uid: str
    known: dict[str, str]


@pytest.fixture
def shop(company_a, monkeypatch) -> Shop:
    # A shopper with points, discounts she can redeem, and a store: answers with content.
    LoyaltyProgramFactory(company=company_a, enabled=True)
    shopper = PersonaFactory(
        company=company_a,
        phone=SHOPPER_PHONE,
        email=SHOPPER_EMAIL,
        loyalty_enrolled_at=timezone.now() - timedelta(days=30),
    )
    # Enough for every example redemption (each redeems the $40 off once or twice).
    award(shopper, 5000, EntryKind.ADJUST, reason="Welcome gift")
    discount = DiscountFactory(company=company_a, name="$40 off", points_cost=Decimal("400"))
    DiscountFactory(company=company_a, name="$5 off", points_cost=Decimal("12.5"))
    RetailStoreFactory(company=company_a, name="Capitol Hill", opt_in_queue_enabled=True)
    # The fuzz sends hundreds of requests a minute on one key: 429 is tested elsewhere.
    monkeypatch.setattr(endpoint, "check_rate", lambda key_id: None)
    known = {
        "id": str(discount.pk),
        "token": redemption_token(shopper.pk, discount.pk),
        "contactID": str(shopper.pk),
        "contactId": str(shopper.pk),
    }
    return Shop(create_api_key(company_a, "Fuzz terminal").plaintext, company_a.uid, known)


def test_fuzzing_the_document_finds_no_server_error_and_no_answer_off_the_schema(shop, wsgi_app):
    # given the document as /api/schema/ serves it, loaded against the WSGI app
    schema = schemathesis.openapi.from_wsgi("/api/schema/", wsgi_app)
    # A cart's order, so the example requests find the state they need: a hold (POST) is
    # made, released (DELETE), then redeemed (PUT) under the same transaction id.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda operation: METHOD_ORDER.get(operation.method.lower(), len(METHOD_ORDER)),
    )
    started = time.monotonic()
    statuses: dict[str, set[int]] = defaultdict(set)

    # when every operation gets the document's example requests (a handful, always sent),
    # then valid and invalid ones within its share of the budget (so a slow operation
    # cannot starve those after it)
    for done, operation in enumerate(operations):
        # A random UID only ever meets the 403 (test_auth.py covers it): the key's own
        # UID lets the fuzz reach the endpoint itself.
        generated = {"uid": shop.uid}
        examples = {**generated, **shop.known}
        for strategy in schema.get_strategies_from_examples(operation):
            _fuzz(strategy, shop.key, examples, math.inf, statuses[operation.label])
        remaining = BUDGET_SECONDS - (time.monotonic() - started)
        deadline = time.monotonic() + remaining / (len(operations) - done)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if time.monotonic() < deadline:
                strategy = operation.as_strategy(mode)
                _fuzz(strategy, shop.key, generated, deadline, statuses[operation.label])

    # then no check failed (it would have raised), every operation was called, and each
    # answered 200 at least once: the fuzz reached past the key check
    assert {operation.label for operation in operations} == set(statuses)
    assert {label for label, seen in statuses.items() if 200 not in seen} == set()


class _BudgetSpent(Exception):
    """Ends a strategy's run when its time is up: no more examples generated or sent."""


def _fuzz(strategy, key: str, path_values: dict[str, str], deadline: float, seen: set[int]):
    @settings(
        max_examples=EXAMPLES_PER_STRATEGY,
        deadline=None,
        database=None,
        derandomize=not os.environ.get("API_FUZZ_RANDOM"),
        # No shrinking: a failure reports its request as is, and the run stays bounded.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:
        if time.monotonic() > deadline:
            raise _BudgetSpent
        for name, value in path_values.items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        response = case.call(headers={"X-APIKEY": key})
        seen.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    with contextlib.suppress(_BudgetSpent):
        run()
