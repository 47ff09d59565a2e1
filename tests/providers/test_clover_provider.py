"""Clover: cents and epoch ms, filters and expands, limits, permission messages."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import responses
from provider_fakes import FakeClock, SleepRecorder
from provider_scenarios import CLOVER_CREDENTIALS, load_payload

from aiq.http import HttpClient
from integrations.providers.base import (
    AuthenticationFailed,
    CustomerDraft,
    NotFound,
    PermissionMissing,
)
from integrations.providers.clover.limiter import Limiter, TokenBucket, limiter_for
from integrations.providers.clover.mapping import sale_from
from integrations.providers.clover.provider import CloverProvider
from integrations.providers.unauthorized import UNAUTHORIZED_RETRY_WAIT
from integrations.providers.values import Checkpoint, Sale

MERCHANT = CLOVER_CREDENTIALS["merchant_id"]
API = f"https://api.clover.com/v3/merchants/{MERCHANT}"


@pytest.fixture
def clover(http: HttpClient) -> CloverProvider:
    return CloverProvider(CLOVER_CREDENTIALS, http=http)


def query(call: responses.Call) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(call.request.url).query)


def test_cents_and_epoch_ms_become_units_and_aware_utc() -> None:
    raw = load_payload("clover", "orders_page_1")["elements"][0]

    sale = sale_from(raw, MERCHANT)

    assert sale.total == Decimal("54.40")
    assert sale.tax == Decimal("4.40")
    assert sale.discount == Decimal("5.00")
    assert sale.subtotal == Decimal("55.00")
    assert sale.occurred_at == datetime(2024, 5, 30, 19, 2, 10, tzinfo=UTC)
    assert sale.updated_at == datetime(2024, 5, 30, 19, 3, 10, tzinfo=UTC)
    weighed = sale.lines[2]
    assert (weighed.quantity, weighed.unit_price, weighed.total) == (
        Decimal("1.5"),
        Decimal("10.00"),
        Decimal("15.00"),
    )
    assert sale.payments[0].amount == Decimal("54.40")


def test_orders_are_filtered_by_modified_time_in_ms_and_expanded(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, f"{API}/orders", json={"elements": []})
    since = datetime(2024, 5, 1, tzinfo=UTC)
    until = datetime(2024, 5, 2, tzinfo=UTC)

    list(clover.iter_sales(since, until))

    assert query(mocked.calls[0]) == [
        ("expand", "lineItems,payments,customers,discounts"),
        ("filter", "modifiedTime>=1714521600000"),
        ("filter", "modifiedTime<=1714608000000"),
        ("orderBy", "modifiedTime ASC"),
        ("limit", "1000"),
        ("offset", "0"),
    ]
    request = mocked.calls[0].request
    assert request.headers["Authorization"] == f"Bearer {CLOVER_CREDENTIALS['api_token']}"
    assert request.headers["User-Agent"].startswith("AIQ-Dispensary-Hub/")


def test_open_orders_are_carts_not_sales(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    orders = load_payload("clover", "orders_page_1")
    orders["elements"][1]["state"] = "open"
    mocked.add(responses.GET, f"{API}/orders", json=orders)

    sales = list(clover.iter_sales(None))

    assert [sale.external_id for sale in sales] == ["ORDER0000001A"]  # type: ignore[union-attr]


def test_customers_are_expanded(clover: CloverProvider, mocked: responses.RequestsMock) -> None:
    mocked.add(responses.GET, f"{API}/customers", json=load_payload("clover", "customers_page_1"))

    customers = list(clover.iter_customers())

    assert ("expand", "phoneNumbers,emailAddresses,addresses,metadata") in query(mocked.calls[0])
    ada = customers[0]
    assert ada.phone == "2065550201" and ada.email == "ada@example.com"  # type: ignore[union-attr]
    assert ada.birth_date.isoformat() == "1990-07-23"  # type: ignore[union-attr]


def test_a_second_401_in_a_row_asks_for_a_new_token(
    clover: CloverProvider, mocked: responses.RequestsMock, sleeps: SleepRecorder
) -> None:
    # given a token Clover refuses every time
    mocked.add(responses.GET, API, status=401)

    # when the connection is checked
    with pytest.raises(AuthenticationFailed) as caught:
        clover.check()

    # then it was asked twice, a short wait apart, and only then called a bad token
    assert "API Token" in caught.value.user_message
    assert caught.value.permanent is True
    assert len(mocked.calls) == 2
    assert sleeps.calls == [UNAUTHORIZED_RETRY_WAIT]


def test_one_401_is_retried_once_and_the_pages_go_on(
    clover: CloverProvider, mocked: responses.RequestsMock, sleeps: SleepRecorder
) -> None:
    # given a Clover that refuses the second page once, then serves it
    clover.page_size = 1
    ada = load_payload("clover", "customers_page_1")["elements"][0]
    mocked.add(responses.GET, f"{API}/customers", json={"elements": [ada]})
    mocked.add(responses.GET, f"{API}/customers", status=401)
    mocked.add(responses.GET, f"{API}/customers", json={"elements": []})

    # when the customers are read
    customers = list(clover.iter_customers())

    # then the refused page was asked again once and the reading finished
    assert [c.external_id for c in customers] == [ada["id"]]  # type: ignore[union-attr]
    assert [call.response.status_code for call in mocked.calls] == [200, 401, 200]
    assert ("offset", "1") in query(mocked.calls[2])
    assert sleeps.calls == [UNAUTHORIZED_RETRY_WAIT]


def test_404_on_the_merchant_path_means_an_unknown_merchant_id(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, API, status=404)

    with pytest.raises(NotFound) as caught:
        clover.check()
    assert caught.value.user_message.startswith("Clover does not know this Merchant ID")


def test_403_on_a_customer_write_asks_for_write_customers(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.POST, f"{API}/customers", status=403)

    with pytest.raises(PermissionMissing) as caught:
        clover.create_customer(CustomerDraft(first_name="Ada", phone="2065550201"))

    assert caught.value.user_message == (
        "The Clover API token needs the Write permission for Customers: create a new token in "
        "Clover (Account & Setup > Business Operations > API Tokens) with all Read boxes and "
        "Write for Customers."
    )
    assert len(mocked.calls) == 1


def test_create_and_update_customer_bodies(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    created = load_payload("clover", "customers_page_1")["elements"][0]
    mocked.add(responses.POST, f"{API}/customers", json=created)
    mocked.add(responses.POST, f"{API}/customers/CUST0000001AA", json=created)

    clover.create_customer(
        CustomerDraft(
            first_name="Ada",
            last_name="Lovelace",
            phone="(206) 555-0201",
            email="ada@example.com",
            marketing_opt_in=True,
            birth_date=datetime(1990, 7, 23).date(),
        )
    )
    clover.update_customer("CUST0000001AA", CustomerDraft(marketing_opt_in=False))

    assert json.loads(mocked.calls[0].request.body) == {
        "firstName": "Ada",
        "lastName": "Lovelace",
        "marketingAllowed": True,
        "phoneNumbers": [{"phoneNumber": "2065550201"}],
        "emailAddresses": [{"emailAddress": "ada@example.com"}],
        "metadata": {"dobYear": 1990, "dobMonth": 7, "dobDay": 23},
    }
    assert json.loads(mocked.calls[1].request.body) == {"marketingAllowed": False}


def test_items_map_stock_and_price(clover: CloverProvider, mocked: responses.RequestsMock) -> None:
    mocked.add(responses.GET, f"{API}/items", json=load_payload("clover", "items_page_1"))

    (product,) = clover.iter_products(MERCHANT)

    assert product.price == Decimal("20.00")  # type: ignore[union-attr]
    assert product.quantity_on_hand == Decimal("12.5")  # type: ignore[union-attr]
    assert product.category == "Flower"  # type: ignore[union-attr]


def test_the_limiter_never_lets_more_than_five_requests_fly_per_token(
    mocked: responses.RequestsMock,
) -> None:
    # given a slow Clover that counts how many requests it serves at once
    lock = threading.Lock()
    state = {"now": 0, "most": 0}

    def slow(request: requests.PreparedRequest) -> tuple[int, dict[str, str], str]:
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.03)
        with lock:
            state["now"] -= 1
        return 200, {}, json.dumps(load_payload("clover", "merchant"))

    mocked.add_callback(responses.GET, API, callback=slow)
    provider = CloverProvider(CLOVER_CREDENTIALS, http=HttpClient())

    # when 12 threads each make 2 calls with the same token
    def work() -> None:
        for _ in range(2):
            list(provider.iter_locations())

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then the server never saw more than 5 at once, and the limiter agrees
    assert len(mocked.calls) == 24
    assert state["most"] == 5
    assert limiter_for(CLOVER_CREDENTIALS["api_token"]).max_in_flight == 5
    assert limiter_for(CLOVER_CREDENTIALS["api_token"]).in_flight == 0


def test_each_token_has_its_own_limiter() -> None:
    assert limiter_for("token-a") is limiter_for("token-a")
    assert limiter_for("token-a") is not limiter_for("token-b")


def test_the_token_bucket_paces_to_sixteen_a_second(
    clock: FakeClock, sleeps: SleepRecorder
) -> None:
    limiter = Limiter(per_second=16, concurrency=5, clock=clock, sleep=sleeps)

    for _ in range(48):
        with limiter.slot():
            pass

    # 16 burst at once, the next 32 paced at 1/16 s each: two more seconds
    assert sum(sleeps.calls) == pytest.approx(2.0)
    assert all(wait == pytest.approx(1 / 16) for wait in sleeps.calls)


def test_the_bucket_refills_over_time(clock: FakeClock, sleeps: SleepRecorder) -> None:
    bucket = TokenBucket(rate=16, capacity=16, clock=clock, sleep=sleeps)
    for _ in range(16):
        bucket.take()
    clock.advance(0.5)
    for _ in range(8):
        bucket.take()

    assert sleeps.calls == []


def _orders(*times: int) -> dict:
    order = load_payload("clover", "orders_page_1")["elements"][0]
    return {
        "elements": [
            {**order, "id": f"ORDER{number:08d}", "modifiedTime": moment}
            for number, moment in enumerate(times)
        ]
    }


def test_orders_page_from_the_last_change_read_and_checkpoint_each_page(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    # given two full pages of two orders, the second ending on two orders changed at once
    clover.page_size = 2
    mocked.add(responses.GET, f"{API}/orders", json=_orders(1714521600100, 1714521600200))
    mocked.add(responses.GET, f"{API}/orders", json=_orders(1714521600300, 1714521600300))
    mocked.add(responses.GET, f"{API}/orders", json=_orders())
    since = datetime(2024, 5, 1, tzinfo=UTC)

    # when they are read as a resumable read
    items = list(clover.iter_sales(since, datetime(2024, 5, 2, tzinfo=UTC), position={}))

    # then each page is asked from the last modifiedTime read, past the orders read at it
    asked = [
        (next(v for k, v in query(call) if k == "filter"), dict(query(call))["offset"])
        for call in mocked.calls
    ]
    assert asked == [
        ("modifiedTime>=1714521600000", "0"),
        ("modifiedTime>=1714521600200", "1"),
        ("modifiedTime>=1714521600300", "2"),
    ]
    assert all(dict(query(call))["orderBy"] == "modifiedTime ASC" for call in mocked.calls)
    # and a checkpoint after each page says where the next one starts
    checkpoints = [item.position for item in items if isinstance(item, Checkpoint)]
    assert checkpoints == [
        {"since_ms": 1714521600200, "skip": 1},
        {"since_ms": 1714521600300, "skip": 2},
        {"since_ms": 1714521600300, "skip": 2},
    ]
    assert len([item for item in items if isinstance(item, Sale)]) == 4


def test_a_resumed_orders_read_starts_at_its_saved_position(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    # given a read saved after the orders changed at ...300 (two of them)
    mocked.add(responses.GET, f"{API}/orders", json=_orders(1714521600300, 1714521600400))
    saved = {"since_ms": 1714521600300, "skip": 2}

    # when it resumes
    items = list(
        clover.iter_sales(
            datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC), position=saved
        )
    )

    # then it asked from there, not from the window's start
    assert ("filter", "modifiedTime>=1714521600300") in query(mocked.calls[0])
    assert ("offset", "2") in query(mocked.calls[0])
    assert len(mocked.calls) == 1
    assert items[-1] == Checkpoint({"since_ms": 1714521600400, "skip": 1})


def test_a_resumed_customers_read_starts_at_its_saved_offset(
    clover: CloverProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, f"{API}/customers", json=load_payload("clover", "customers_page_1"))

    items = list(clover.iter_customers(position={"offset": 3000}))

    assert ("offset", "3000") in query(mocked.calls[0])
    assert len(mocked.calls) == 1
    read = len(load_payload("clover", "customers_page_1")["elements"])
    assert items[-1] == Checkpoint({"offset": 3000 + read})
