"""POSaBIT: V3 Basic auth, Enhanced Customer Data Access, customer writes."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
import responses
from provider_fakes import NOW, SleepRecorder
from provider_scenarios import POSABIT_CREDENTIALS, load_payload
from responses import matchers

from aiq.http import HttpClient
from integrations.providers.base import (
    AuthenticationFailed,
    CredentialsIncomplete,
    CustomerDraft,
    PermissionMissing,
)
from integrations.providers.posabit.client import ENHANCED_ACCESS_HINT
from integrations.providers.posabit.mapping import sale_from
from integrations.providers.posabit.provider import PosabitProvider
from integrations.providers.unauthorized import UNAUTHORIZED_RETRY_WAIT
from integrations.providers.values import Checkpoint

API = "https://app.posabit.com/api/v3"


@pytest.fixture
def posabit(http: HttpClient) -> PosabitProvider:
    return PosabitProvider(POSABIT_CREDENTIALS, http=http)


def test_requests_use_basic_auth_of_integrator_and_venue_tokens(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))

    list(posabit.iter_locations())

    expected = base64.b64encode(b"aiq-integrator-token-77aa:venue-token-3c2b1a").decode()
    assert mocked.calls[0].request.headers["Authorization"] == f"Basic {expected}"


def test_the_integrator_token_may_come_from_the_environment(
    http: HttpClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = {k: v for k, v in POSABIT_CREDENTIALS.items() if k != "integrator_token"}

    monkeypatch.delenv("POSABIT_INTEGRATOR_TOKEN", raising=False)
    with pytest.raises(CredentialsIncomplete) as caught:
        PosabitProvider(credentials, http=http)
    assert "integrator token" in caught.value.user_message

    monkeypatch.setenv("POSABIT_INTEGRATOR_TOKEN", "from-env-token")
    assert PosabitProvider(credentials, http=http).secret_values()[-1] == "from-env-token"


def test_customers_answer_403_until_enhanced_customer_data_access(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    # given a key whose venue data works but whose customer data is not enabled
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))
    mocked.add(responses.GET, f"{API}/venue/customers", status=403, json={"error": "Forbidden"})

    # when the connection is checked, then it passes: the key reaches its venue
    posabit.check()

    # and the missing permission is a warning saying whom to ask for what, and what stops
    assert posabit.permission_warnings() == [ENHANCED_ACCESS_HINT]
    assert "account rep" in ENHANCED_ACCESS_HINT
    assert "shoppers are not synced; sales still are" in ENHANCED_ACCESS_HINT
    assert len(mocked.calls) == 2  # a 403 is not asked again

    # and reading shoppers stops that stream only
    with pytest.raises(PermissionMissing) as caught:
        list(posabit.iter_customers())
    assert caught.value.permanent is True
    assert caught.value.only_stream == "customers"
    assert caught.value.stops_credential is False


def test_a_bad_key_is_authentication_failed_after_a_second_401(
    posabit: PosabitProvider, mocked: responses.RequestsMock, sleeps: SleepRecorder
) -> None:
    # given a key POSaBIT refuses every time
    mocked.add(responses.GET, f"{API}/info", status=401)

    # when the connection is checked
    with pytest.raises(AuthenticationFailed) as caught:
        posabit.check()

    # then it was asked twice, a short wait apart, and only then called a bad key
    assert "Key" in caught.value.user_message
    assert caught.value.permanent is True
    assert len(mocked.calls) == 2
    assert sleeps.calls == [UNAUTHORIZED_RETRY_WAIT]


def test_one_401_is_an_expired_moment_not_a_verdict(
    posabit: PosabitProvider, mocked: responses.RequestsMock, sleeps: SleepRecorder
) -> None:
    # given a POSaBIT that refuses the first request once, then answers
    mocked.add(responses.GET, f"{API}/info", status=401)
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))

    # when the connection is checked
    posabit.check()

    # then the refused request was sent again once, after a short wait, and it passed
    assert [call.response.status_code for call in mocked.calls] == [401, 200]
    assert sleeps.calls == [UNAUTHORIZED_RETRY_WAIT]


def test_customers_since_filters_by_updated_at_with_the_required_date_range(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))
    mocked.add(
        responses.GET,
        f"{API}/venue/customers",
        json={"total_records": 0, "current_page": 1, "total_pages": 0, "customers": []},
        match=[
            matchers.query_param_matcher(
                {
                    "start_date": "2000-01-01",
                    "end_date": "2024-06-02",
                    "q[updated_at_gt]": "2024-06-01T12:00:00.000Z",
                    "page": "1",
                    "per_page": "100",
                }
            )
        ],
    )

    assert list(posabit.iter_customers(NOW)) == []


def test_find_customers_by_phone_digits_and_email(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    page = load_payload("posabit", "customers_page_1")
    one = {**page, "total_pages": 1, "customers": page["customers"][:1]}
    for name, value in (("q[telephone_eq]", "2535550101"), ("q[email_eq]", "ada@example.com")):
        mocked.add(
            responses.GET,
            f"{API}/venue/customers",
            json=one,
            match=[matchers.query_param_matcher({name: value}, strict_match=False)],
        )

    found = posabit.find_customers(phone="(253) 555-0101", email="ADA@example.com")

    assert [c.external_id for c in found] == ["501"]
    assert len(mocked.calls) == 2


def test_create_and_update_send_loyalty_membership_and_marketing_opt_in(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    created = load_payload("posabit", "customers_page_1")["customers"][0]
    mocked.add(responses.POST, f"{API}/venue/customers", json=created, status=201)
    mocked.add(responses.PUT, f"{API}/venue/customers/501", json=created)

    customer = posabit.create_customer(
        CustomerDraft(
            first_name="Ada",
            last_name="Lovelace",
            phone="253-555-0101",
            loyalty_member=True,
            marketing_opt_in=True,
        )
    )
    posabit.update_customer("501", CustomerDraft(marketing_opt_in=False))

    create_body = json.loads(mocked.calls[0].request.body)
    assert create_body == {
        "customer": {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "telephone": "2535550101",
            "loyalty_member": True,
            "marketing_opt_in": True,
        }
    }
    assert json.loads(mocked.calls[1].request.body) == {"customer": {"marketing_opt_in": False}}
    assert customer.external_id == "501" and customer.loyalty_member is True


def test_the_loyalty_balance_is_the_customers_loyalty_points(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    customer = load_payload("posabit", "customers_page_1")["customers"][0]
    customer["customer"]["loyalty_points"] = 42
    mocked.add(responses.GET, f"{API}/venue/customers/501", json=customer)

    balance = posabit.get_loyalty_balance("501")

    assert (balance.customer_external_id, balance.points) == ("501", Decimal(42))
    assert balance.lifetime_points is None


def test_a_customer_without_loyalty_points_has_none(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    customer = load_payload("posabit", "customers_page_1")["customers"][0]
    customer["customer"].pop("loyalty_points", None)
    mocked.add(responses.GET, f"{API}/venue/customers/501", json=customer)

    assert posabit.get_loyalty_balance("501").points == Decimal(0)


def test_sales_for_another_location_are_not_fetched(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))

    assert list(posabit.iter_sales(None, location_keys=["999999"])) == []
    assert len(mocked.calls) == 1  # only the venue info


def test_sales_money_is_cents_converted() -> None:
    raw = load_payload("posabit", "sales_page_1")["sales_histories"][0]
    sale = sale_from(raw, "412345")

    assert (sale.subtotal, sale.tax, sale.discount, sale.total) == (
        Decimal("45.00"),
        Decimal("16.28"),
        Decimal("1.00"),
        Decimal("60.28"),
    )
    assert sale.lines[0].unit_price == Decimal("20.00")
    assert (sale.lines[0].category, sale.lines[0].brand) == ("Flower", "House")
    assert sale.occurred_at.isoformat() == "2024-05-30T18:22:10+00:00"


def test_a_resumable_sales_read_checkpoints_the_records_read_after_each_page(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    # given two pages of two sales
    posabit.page_size = 2
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))
    for number in (1, 2):
        mocked.add(
            responses.GET,
            f"{API}/venue/sales_histories",
            json=load_payload("posabit", f"sales_page_{number}"),
            match=[matchers.query_param_matcher({"page": str(number)}, strict_match=False)],
        )

    # when they are read as a resumable read
    items = list(posabit.iter_sales(None, position={}))

    # then a checkpoint follows each page with the records read so far
    checkpoints = [item.position for item in items if isinstance(item, Checkpoint)]
    assert checkpoints == [{"offset": 2}, {"offset": 4}]
    assert len([item for item in items if not isinstance(item, Checkpoint)]) == 4


def test_a_resumed_sales_read_starts_at_the_page_of_its_saved_offset(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    # given a read saved after 3 sales, at 2 a page
    posabit.page_size = 2
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))
    page_2 = load_payload("posabit", "sales_page_2")
    mocked.add(
        responses.GET,
        f"{API}/venue/sales_histories",
        json=page_2,
        match=[matchers.query_param_matcher({"page": "2", "per_page": "2"}, strict_match=False)],
    )

    # when it resumes
    items = list(posabit.iter_sales(None, position={"offset": 3}))

    # then it asked the second page only and skipped its first sale (already read)
    assert len(mocked.calls) == 2  # the venue, then that page
    sales = [item for item in items if not isinstance(item, Checkpoint)]
    assert [sale.external_id for sale in sales] == [str(page_2["sales_histories"][1]["id"])]  # type: ignore[union-attr]
    assert items[-1] == Checkpoint({"offset": 4})


def test_a_resumed_customers_read_starts_at_the_page_of_its_saved_offset(
    posabit: PosabitProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, f"{API}/info", json=load_payload("posabit", "info"))
    mocked.add(
        responses.GET,
        f"{API}/venue/customers",
        json={"code": 1, "current_page": 31, "total_pages": 31, "customers": []},
        match=[matchers.query_param_matcher({"page": "31"}, strict_match=False)],
    )

    items = list(posabit.iter_customers(position={"offset": 3000}))

    assert len(mocked.calls) == 2
    assert items == [Checkpoint({"offset": 3000})]
