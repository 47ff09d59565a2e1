"""Settings > API & Tracking > Redemptions: read-only, scoped to the staff's company."""

from __future__ import annotations

import pytest

from aiq.accounts.choices import Role
from loyalty.api.keys import create_api_key
from loyalty.api.redemption.models import Redemption
from tests.conftest import staff_client
from tests.loyalty.api.redemption_support import call, discount_of, member_with, url

pytestmark = pytest.mark.django_db


def redeemed(company, transaction_id: str) -> Redemption:
    key = create_api_key(company, "Register")
    member = member_with(company, 500)
    call("PUT", url(member, discount_of(company, 400, "40"), transaction_id), key.plaintext)
    return Redemption.objects.get(transaction_id=transaction_id)


def test_staff_see_their_companys_redemptions_only(owner_a, company_a, company_b):
    ours = redeemed(company_a, "OURS-1")
    theirs = redeemed(company_b, "THEIRS-1")

    listing = owner_a.get("/admin/loyalty/redemption/")
    detail = owner_a.get(f"/admin/loyalty/redemption/{ours.pk}/change/")
    foreign = owner_a.get(f"/admin/loyalty/redemption/{theirs.pk}/change/")

    assert listing.status_code == 200
    assert "OURS-1" in listing.content.decode()
    assert "THEIRS-1" not in listing.content.decode()
    assert detail.status_code == 200
    assert foreign.status_code == 404


def test_redemptions_are_read_only(company_a):
    ours = redeemed(company_a, "OURS-2")
    manager = staff_client(company_a, Role.MANAGER)

    response = manager.post(
        f"/admin/loyalty/redemption/{ours.pk}/change/", {"transaction_id": "EDITED"}
    )

    assert response.status_code == 403
    assert Redemption.objects.get(pk=ours.pk).transaction_id == "OURS-2"
    assert manager.get("/admin/loyalty/redemption/add/").status_code == 403


def test_budtenders_see_no_redemptions(budtender_a, company_a):
    redeemed(company_a, "OURS-3")

    assert budtender_a.get("/admin/loyalty/redemption/").status_code == 403
