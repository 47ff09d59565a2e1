"""One contract every provider in the registry keeps, checked against mocked HTTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests
import responses
from provider_scenarios import SCENARIOS, Scenario

from aiq.http import HttpClient
from integrations.providers import PROVIDERS, get_provider_class
from integrations.providers.base import (
    AuthenticationFailed,
    Customer,
    Location,
    MalformedRecord,
    NotFound,
    Payment,
    PermissionMissing,
    Provider,
    ProviderError,
    RateLimited,
    Sale,
    SaleLine,
    ServerError,
    Unreachable,
)

pytestmark = pytest.mark.parametrize("key", sorted(PROVIDERS))

SINCE = datetime(2024, 5, 1, tzinfo=UTC)


def make(key: str, http: HttpClient) -> tuple[Provider, Scenario]:
    scenario = SCENARIOS[key]
    provider = get_provider_class(key)(scenario.credentials, http=http)
    provider.page_size = 2  # small pages, so the payload files span several
    return provider, scenario


def split(items: list[object]) -> tuple[list[object], list[MalformedRecord]]:
    good = [item for item in items if not isinstance(item, MalformedRecord)]
    bad = [item for item in items if isinstance(item, MalformedRecord)]
    return good, bad


def test_every_provider_has_a_scenario(key: str) -> None:
    assert key in SCENARIOS


def test_locations_are_locations(
    key: str, http: HttpClient, mocked: responses.RequestsMock
) -> None:
    # given a provider whose POS answers with its documented location payload
    provider, scenario = make(key, http)
    scenario.register_auth(mocked)
    scenario.register_data(mocked)

    # when its locations are read
    locations = list(provider.iter_locations())

    # then each is a Location with a key and a name
    assert len(locations) == scenario.counts["locations"]
    assert all(isinstance(location, Location) for location in locations)
    assert all(location.key and location.name for location in locations)  # type: ignore[union-attr]


def test_customers_page_through_every_record_once(
    key: str, http: HttpClient, mocked: responses.RequestsMock
) -> None:
    # given payload files spanning several pages, one record of which is malformed
    provider, scenario = make(key, http)
    scenario.register_auth(mocked)
    scenario.register_data(mocked)

    # when all customers are read
    items = list(provider.iter_customers(None))

    # then every record of every page came back exactly once
    good, bad = split(items)
    assert len(items) == scenario.counts["customers"]
    assert len(bad) == scenario.malformed["customers"]
    ids = [customer.external_id for customer in good]  # type: ignore[attr-defined]
    assert len(ids) == len(set(ids))
    # and the malformed one carries its reason and raw payload, the rest mapped fully
    assert all(record.kind == "customer" and record.reason and record.raw for record in bad)
    for customer in good:
        assert isinstance(customer, Customer)
        assert customer.first_name
        assert customer.phone is None or customer.phone.isdigit()
        assert customer.email is None or customer.email == customer.email.lower()
        assert customer.created_at is None or customer.created_at.tzinfo is not None
        assert set(customer.to_json()) == set(Customer.__dataclass_fields__)


def test_sales_page_through_every_record_once(
    key: str, http: HttpClient, mocked: responses.RequestsMock
) -> None:
    # given sales payloads spanning several pages, one record of which is malformed
    provider, scenario = make(key, http)
    scenario.register_auth(mocked)
    scenario.register_data(mocked)

    # when a window of sales is read for every location
    items = list(provider.iter_sales(SINCE, SINCE + timedelta(days=45)))

    # then every record came back exactly once, the malformed one quarantined
    good, bad = split(items)
    assert len(items) == scenario.counts["sales"]
    assert len(bad) == scenario.malformed["sales"]
    assert all(record.kind == "sale" and record.external_id for record in bad)
    ids = [sale.external_id for sale in good]  # type: ignore[attr-defined]
    assert len(ids) == len(set(ids))
    location_keys = {location.key for location in provider.iter_locations()}  # type: ignore[union-attr]
    for sale in good:
        assert isinstance(sale, Sale)
        assert sale.location_key in location_keys
        assert sale.occurred_at.utcoffset() == timedelta(0)
        for amount in (sale.subtotal, sale.tax, sale.discount, sale.total):
            assert isinstance(amount, Decimal)
        assert sale.fulfillment in ("in_store", "pickup", "delivery")
        assert sale.lines and all(isinstance(line, SaleLine) for line in sale.lines)
        assert all(isinstance(payment, Payment) for payment in sale.payments)
        assert sale.is_refund == (sale.total < 0)
        assert sale.to_json()["total"] == str(sale.total)


@pytest.mark.parametrize(
    ("status", "error_class", "permanent"),
    [
        (401, AuthenticationFailed, True),
        (403, PermissionMissing, True),
        (404, NotFound, True),
        (429, RateLimited, False),
        (500, ServerError, False),
        ("timeout", Unreachable, False),
    ],
)
def test_failures_map_to_the_same_errors(
    key: str,
    status: int | str,
    error_class: type[ProviderError],
    permanent: bool,
    http: HttpClient,
    mocked: responses.RequestsMock,
) -> None:
    # given a POS whose first data call fails this way, every time
    provider, scenario = make(key, http)
    scenario.register_auth(mocked)
    if status == "timeout":
        mocked.add(responses.GET, scenario.locations_url, body=requests.ReadTimeout("slow"))
    else:
        mocked.add(responses.GET, scenario.locations_url, status=status, json={"message": "no"})

    # when locations are read
    with pytest.raises(ProviderError) as caught:
        list(provider.iter_locations())

    # then the error is the shared class, permanent or not as it should be
    assert type(caught.value) is error_class or isinstance(caught.value, error_class)
    assert caught.value.permanent is permanent
    assert caught.value.user_message
    calls = [c for c in mocked.calls if c.request.url.split("?")[0] == scenario.locations_url]
    if permanent:
        # and a permanent failure is not retried, except a 401, asked once more (Cova after
        # a new token grant, the others after a short wait): one 401 is not a verdict
        assert len(calls) == (2 if status == 401 else 1)
    else:
        assert len(calls) == http.retry.max_attempts
