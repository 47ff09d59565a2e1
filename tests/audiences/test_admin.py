"""Marketing > Audiences in the admin: building, the live size, bad input named on its
field, the member check, the CSV export, roles and tenancy."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from aiq.accounts.choices import Role
from aiq.audiences.models import Audience
from tests.audiences.helpers import sale
from tests.conftest import staff_client
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db
DELIVERY = [{"type": "fulfillment", "value": "delivery"}]


@pytest.fixture
def marketer_a(company_a):
    return staff_client(company_a, Role.MARKETER)


@pytest.fixture
def shoppers(company_a):
    delivered = PersonaFactory(company=company_a, email="dee@example.com", phone="+12065550101")
    sale(delivered, fulfillment="delivery")
    walked_in = PersonaFactory(company=company_a, email="wal@example.com", phone="+12065550102")
    sale(walked_in)
    return delivered, walked_in


def _size(client, conditions, match="all"):
    return client.post(
        reverse("admin:audiences_audience_size"),
        json.dumps({"match": match, "conditions": conditions}),
        content_type="application/json",
    )


def test_marketer_builds_an_audience_and_sees_its_size_and_sample(marketer_a, shoppers, company_a):
    delivered, _ = shoppers
    answer = _size(marketer_a, DELIVERY).json()
    assert answer["size"] == 1
    assert [row["name"] for row in answer["sample"]] == [str(delivered)]

    response = marketer_a.post(
        reverse("admin:audiences_audience_add"),
        {"name": "Delivery", "match": "all", "conditions": json.dumps(DELIVERY)},
    )
    assert response.status_code == 302
    audience = Audience.objects.get(company=company_a)
    assert audience.conditions == DELIVERY
    page = marketer_a.get(reverse("admin:audiences_audience_change", args=[audience.pk]))
    assert page.status_code == 200
    assert b"Export members (CSV)" in page.content


def test_bad_conditions_are_a_form_error_naming_the_row_and_field(marketer_a, company_a):
    bad = [{"type": "total_spend", "amount": "lots"}, {"type": "nope"}]
    response = marketer_a.post(
        reverse("admin:audiences_audience_add"),
        {"name": "Big", "match": "all", "conditions": json.dumps(bad)},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["conditions"]
    assert "Condition 1 (Total spend at least ($)), dollars: enter an amount" in errors[0]
    assert "Condition 2: pick a condition type." in errors
    garbled = marketer_a.post(
        reverse("admin:audiences_audience_add"),
        {"name": "Big", "match": "all", "conditions": "{not json"},
    )
    assert "could not be read" in str(garbled.context["adminform"].form.errors["conditions"])
    assert not Audience.objects.exists()

    answer = _size(marketer_a, [{"type": "last_purchase", "days": "-3"}])
    assert answer.status_code == 400
    assert "whole number" in answer.json()["errors"][0]
    centuries = _size(marketer_a, [{"type": "last_purchase", "days": "999999999"}])
    assert centuries.status_code == 400
    assert "within the last N days: at most 36,500." in centuries.json()["errors"][0]
    not_json = marketer_a.post(
        reverse("admin:audiences_audience_size"), "[", content_type="application/json"
    )
    assert not_json.status_code == 400


def test_another_companys_store_is_refused(marketer_a, company_b):
    from tests.factories import RetailStoreFactory

    theirs = RetailStoreFactory(company=company_b)
    answer = _size(marketer_a, [{"type": "favorite_store", "store": theirs.pk}])
    assert answer.status_code == 400
    assert "pick one of your stores" in answer.json()["errors"][0]


def test_member_check_and_csv_export(marketer_a, shoppers, company_a):
    delivered, _walked_in = shoppers
    audience = Audience.objects.create(company=company_a, name="Delivery", conditions=DELIVERY)
    check = reverse("admin:audiences_audience_check", args=[audience.pk])

    assert marketer_a.get(check, {"contact": "(206) 555-0101"}).json()["member"] is True
    answer = marketer_a.get(check, {"contact": "WAL@example.com"}).json()
    assert answer["found"] is True and answer["member"] is False
    assert marketer_a.get(check, {"contact": "nobody@example.com"}).json()["found"] is False
    assert marketer_a.get(check, {"contact": ""}).status_code == 400

    export = marketer_a.get(reverse("admin:audiences_audience_export", args=[audience.pk]))
    assert export.streaming
    lines = b"".join(export.streaming_content).decode().splitlines()
    assert lines[0].startswith("id,first_name,last_name,email,phone")
    assert [line.split(",")[0] for line in lines[1:]] == [str(delivered.pk)]


def test_budtenders_cannot_build_audiences(budtender_a, company_a):
    audience = Audience.objects.create(company=company_a, name="Delivery", conditions=DELIVERY)
    assert budtender_a.get(reverse("admin:audiences_audience_changelist")).status_code == 403
    assert budtender_a.get(reverse("admin:audiences_audience_add")).status_code == 403
    assert _size(budtender_a, DELIVERY).status_code == 403
    export = reverse("admin:audiences_audience_export", args=[audience.pk])
    assert budtender_a.get(export).status_code == 403


def test_another_companys_audience_is_404(marketer_a, company_b):
    theirs = Audience.objects.create(company=company_b, name="Theirs", conditions=DELIVERY)
    for name in ("change", "export", "check"):
        url = reverse(f"admin:audiences_audience_{name}", args=[theirs.pk])
        assert marketer_a.get(url, {"contact": "a@b.co"}).status_code == 404


def test_marketing_section_lists_audiences(marketer_a):
    page = marketer_a.get(reverse("admin:index"))
    assert b"Marketing" in page.content
    assert reverse("admin:audiences_audience_changelist").encode() in page.content


def test_builder_offers_bought_brand_with_the_companys_brands(marketer_a, company_a, company_b):
    # given brands on this company's sale lines, and another company's
    ours = PersonaFactory(company=company_a)
    sale(ours, brand="Greenleaf")
    sale(ours, brand="Acme Farms")
    sale(ours, category="Flower")  # a line without a brand
    sale(PersonaFactory(company=company_b), brand="Theirs Co")

    # when the builder opens
    page = marketer_a.get(reverse("admin:audiences_audience_add"))

    # then "Bought brand" is offered and the picker lists this company's brands only
    builder = page.context["audience_builder"]
    assert builder["brands"] == ["Acme Farms", "Greenleaf"]
    brand = next(c for c in builder["catalogue"] if c["key"] == "brand")
    assert (brand["group"], brand["label"]) == ("Performed Event", "Bought brand")
    assert [p["kind"] for p in brand["params"]] == ["brand", "whole"]
    # and the live size counts the brand's buyers
    assert _size(marketer_a, [{"type": "brand", "value": "acme farms"}]).json()["size"] == 1
