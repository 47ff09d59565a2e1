"""A new redemption and its discount use, written together (one statement on PostgreSQL,
``loyalty/api/redemption/writes.py``): the rows hold what the ORM's two saves write, and
the instances come back saved."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.writes import save_redemption_with_use
from loyalty.discounts.models import DiscountUse
from tests.loyalty.api.redemption_support import discount_of, member_with

pytestmark = pytest.mark.django_db


def test_the_redemption_names_its_new_use_and_both_rows_hold_the_instances_values(company_a):
    # Given a new redemption and its use, as the PUT builds them
    persona, discount = member_with(company_a, 500), discount_of(company_a, points=100)
    at = timezone.now() - timedelta(minutes=1)
    use = DiscountUse(company_id=company_a.pk, discount=discount, persona=persona, used_at=at)
    redemption = Redemption(
        company_id=company_a.pk,
        persona=persona,
        discount=discount,
        transaction_id="T-77",
        request_key="txn:T-77",
        status=RedemptionStatus.REDEEMED,
        points=Decimal("100.00"),
        deducts_on_apply=True,
        reconcile_by=at + timedelta(hours=24),
        response_status=200,
        response_body=json.dumps({"success": True}),
    )

    # When both are written
    save_redemption_with_use(redemption, use)

    # Then both are saved instances, the redemption naming the use, and the database rows
    # say what the instances say (dates stamped as auto_now would)
    assert use.pk and redemption.pk and not redemption._state.adding
    stored = Redemption.objects.get(pk=redemption.pk)
    assert stored.discount_use_id == use.pk == redemption.discount_use_id
    assert model_to_dict(stored) == model_to_dict(redemption)
    assert stored.created_at == redemption.created_at and stored.created_at is not None
    assert model_to_dict(DiscountUse.objects.get(pk=use.pk)) == model_to_dict(use)
    assert DiscountUse.objects.get(pk=use.pk).used_at == at
