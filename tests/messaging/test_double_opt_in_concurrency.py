"""Two workers running the daily double opt-in job at the same instant, on PostgreSQL
(SQLite serialises whole transactions and hides the race): each shopper gets one request.
Without the unique constraint both workers insert one."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from aiq.messaging.choices import MessageKind
from aiq.messaging.double_opt_in import request_opt_ins
from aiq.messaging.models import OutboundMessage
from integrations.models import Integration
from tests.factories import CompanyFactory, PersonaFactory
from tests.integrations.factories import IntegrationFactory
from tests.loyalty.test_concurrency import run_at_once
from tests.personas.factories import make_sale

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def test_two_workers_at_once_ask_each_shopper_once(settings):
    settings.SMS_SEND_AT_ONCE = False
    # given 20 eligible shoppers
    company = CompanyFactory()
    card = IntegrationFactory(company=company, sms_double_opt_in_after=date(2026, 11, 1))
    shoppers = PersonaFactory.create_batch(20, company=company)
    for n, persona in enumerate(shoppers):
        make_sale(persona, f"race-{n}")

    # when two workers run the job at the same instant, each reading the card itself
    outcomes = run_at_once(
        lambda: request_opt_ins(Integration.objects.get(pk=card.pk)),
        lambda: request_opt_ins(Integration.objects.get(pk=card.pk)),
    )

    # then neither failed, together they asked 20, and every shopper has one request
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert sum(outcomes) == 20  # type: ignore[arg-type]
    requests = OutboundMessage.objects.filter(kind=MessageKind.OPT_IN_REQUEST)
    assert requests.count() == 20
    assert set(requests.values_list("persona_id", flat=True)) == {p.pk for p in shoppers}
