"""The real POS clients (integrations/providers) against the sandboxes, over a real socket.

Each test starts ``running_sandbox()``, points a provider at it with
``sandbox_base_urls`` and checks what a sync would see: a successful check, every customer
and sale, created shoppers found again, and each fault surfacing as the right error or
behaviour. Sleeps are real (Retry-After is 1 s) but recorded, to assert the waits.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest

from aiq.http import HttpClient, RetryPolicy
from integrations.providers import get_provider_class
from integrations.providers.base import (
    AuthenticationFailed,
    Customer,
    CustomerDraft,
    MalformedRecord,
    PermissionMissing,
    Provider,
    Sale,
    TemporaryPassword,
    sandbox_base_urls,
)
from integrations.providers.clover import limiter as clover_limiter
from integrations.providers.cova.auth import clear_token_cache
from integrations.providers.posabit.client import ENHANCED_ACCESS_HINT
from integrations.providers.unauthorized import UNAUTHORIZED_RETRY_WAIT
from integrations.sandbox import faults
from integrations.sandbox.options import SandboxAccount, hash_text
from integrations.sandbox.server import running_sandbox
from tests.sandbox.conftest import (
    CLOVER_TOKEN,
    COVA,
    INTEGRATOR,
    MERCHANT,
    VENUE,
    clover_account,
    cova_account,
    posabit_account,
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
PROVIDERS = ("cova", "posabit", "clover")


class RecordingSleep:
    """Sleeps for real, and remembers every wait the client took."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        time.sleep(seconds)


@pytest.fixture(autouse=True)
def _fresh_client_caches() -> Iterator[None]:
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()
    yield
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()


@pytest.fixture
def origin() -> Iterator[str]:
    with running_sandbox() as served:
        yield served


def credentials(provider: str, option: str = "") -> dict[str, str]:
    """Good sandbox credentials, with ``option`` (e.g. ``fault=malformed``) in one field."""
    suffix = f",{option}" if option else ""
    if provider == "cova":
        return {**COVA, "password": COVA["password"] + suffix}
    if provider == "posabit":
        return {"store_name": "Capitol Hill", "key": VENUE + suffix, "integrator_token": INTEGRATOR}
    return {"merchant_id": MERCHANT, "api_token": CLOVER_TOKEN + suffix}


def account_of(provider: str, option: str = "") -> SandboxAccount:
    creds = credentials(provider, option)
    if provider == "cova":
        return cova_account(password=creds["password"])
    if provider == "posabit":
        return posabit_account(creds["key"], INTEGRATOR)
    return clover_account(token=creds["api_token"])


def connect(
    provider: str, origin: str, option: str = "", sleep: RecordingSleep | None = None
) -> Provider:
    http = HttpClient(sleep=sleep or RecordingSleep(), rand=lambda: 0.1, retry=RetryPolicy())
    cls = get_provider_class(provider)
    return cls(credentials(provider, option), sandbox_base_urls(provider, origin), http)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_check_succeeds_with_good_sandbox_credentials(origin, provider):
    connect(provider, origin).check()


@pytest.mark.parametrize("provider", PROVIDERS)
def test_customers_stream_fully(origin, provider):
    records = list(connect(provider, origin).iter_customers())
    customers = [item for item in records if isinstance(item, Customer)]
    assert len(records) == len(customers) == account_of(provider).customers
    assert len({customer.external_id for customer in customers}) == len(customers)
    assert any(customer.phone for customer in customers)


@pytest.mark.parametrize("provider", ["cova", "posabit", "clover"])
def test_sales_stream_fully(origin, provider):
    records = list(connect(provider, origin).iter_sales(since=None))
    sales = [item for item in records if isinstance(item, Sale)]
    assert len(records) == len(sales) == account_of(provider).sales
    assert len({sale.external_id for sale in sales}) == len(sales)
    assert {sale.fulfillment for sale in sales} == {"in_store", "pickup", "delivery"}
    assert any(sale.is_refund for sale in sales)
    assert not all(sale.is_refund for sale in sales)
    assert any(sale.customer_external_id for sale in sales)
    assert all(sale.lines for sale in sales)


@pytest.mark.parametrize("provider", PROVIDERS)
def test_created_customer_is_found_again(origin, provider):
    client = connect(provider, origin)
    draft = CustomerDraft(
        first_name="Mae",
        last_name="Jemison",
        phone="5095550163",
        email="mae@example.com",
        birth_date=date(1986, 10, 17),
        marketing_opt_in=True,
        loyalty_member=True,
    )

    created = client.create_customer(draft)
    found = client.find_customers(phone="(509) 555-0163")

    assert created.first_name == "Mae"
    assert created.external_id in {customer.external_id for customer in found}
    streamed = [c for c in client.iter_customers() if isinstance(c, Customer)]
    assert created.external_id in {customer.external_id for customer in streamed}


@pytest.mark.parametrize("provider", ["cova", "clover"])
def test_products_with_stock(origin, provider):
    client = connect(provider, origin)
    location = next(item for item in client.iter_locations() if not isinstance(item, Exception))
    products = list(client.iter_products(location.key))
    assert len(products) == 40
    assert all(not isinstance(item, MalformedRecord) for item in products)
    assert any(item.quantity_on_hand == 0 for item in products)
    if provider == "cova":
        assert any("COA Link" in item.specifications for item in products)
        assert any(item.sale_price for item in products)


def test_cova_loyalty_balance(origin):
    client = connect("cova", origin)
    customer = next(c for c in client.iter_customers() if isinstance(c, Customer))
    balance = client.get_loyalty_balance(customer.external_id)
    assert balance.lifetime_points is not None
    assert 0 <= balance.points <= balance.lifetime_points


@pytest.mark.parametrize("provider", PROVIDERS)
def test_rate_limit_fault_run_finishes_after_waiting_each_retry_after(origin, provider):
    sleep = RecordingSleep()
    option = "fault=rate-limit,customers=12"
    client = connect(provider, origin, option, sleep)
    client.page_size = 2  # several pages, so at least one burst of 429s

    records = list(client.iter_customers())

    assert len(records) == account_of(provider, option).customers == 12
    assert all(isinstance(item, Customer) for item in records)
    assert sleep.waits, "the client was refused at least once"
    assert min(sleep.waits) >= faults.RETRY_AFTER_SECONDS


@pytest.mark.parametrize("provider", PROVIDERS)
def test_server_error_fault_run_finishes_with_retries(origin, provider):
    sleep = RecordingSleep()
    client = connect(provider, origin, "fault=server-error", sleep)
    client.page_size = 50

    records = list(client.iter_customers())

    assert len(records) == account_of(provider).customers
    assert all(isinstance(item, Customer) for item in records)
    assert sleep.waits, "failed requests were retried after a backoff"


@pytest.mark.parametrize("provider", ["cova", "posabit", "clover"])
def test_malformed_fault_quarantines_exactly_the_broken_sales(origin, provider):
    account = account_of(provider, "fault=malformed")
    broken = sum(bool(faults.malformed_variant(account, i)) for i in range(account.sales))

    records = list(connect(provider, origin, "fault=malformed").iter_sales(since=None))

    assert len(records) == account.sales
    assert sum(isinstance(item, MalformedRecord) for item in records) == broken
    assert sum(isinstance(item, Sale) for item in records) == account.sales - broken


def test_cova_expired_token_is_renewed_once(origin):
    client = connect("cova", origin, "fault=expired-token")
    client.check()
    assert client.client.auth.grants == 2


@pytest.mark.parametrize("provider", ["posabit", "clover"])
def test_static_token_refused_once_is_asked_again_and_works(origin, provider):
    # given a credential whose first request is refused with a 401 (expired-token fault)
    sleep = RecordingSleep()
    client = connect(provider, origin, "fault=expired-token", sleep)

    # when the connection is checked, then it passes after one short wait
    client.check()
    assert sleep.waits == [UNAUTHORIZED_RETRY_WAIT]


@pytest.mark.parametrize(("provider", "words"), [("posabit", "Key"), ("clover", "API Token")])
def test_static_token_refused_twice_is_a_permanent_auth_error(origin, provider, words):
    # given a credential the POS refuses every time
    sleep = RecordingSleep()
    field = "key" if provider == "posabit" else "api_token"
    cls = get_provider_class(provider)
    client = cls(
        {**credentials(provider), field: "wrong-token"},
        sandbox_base_urls(provider, origin),
        HttpClient(sleep=sleep, rand=lambda: 0.1, retry=RetryPolicy()),
    )

    # when the connection is checked, then the second 401 in a row is the verdict
    with pytest.raises(AuthenticationFailed) as raised:
        client.check()
    assert raised.value.permanent is True
    assert words in raised.value.user_message
    assert sleep.waits == [UNAUTHORIZED_RETRY_WAIT]


@pytest.mark.parametrize("fault", ["temporary-password", "temporary-password-data"])
def test_cova_temporary_password_is_its_own_error(origin, fault):
    with pytest.raises(TemporaryPassword) as raised:
        connect("cova", origin, f"fault={fault}").check()
    assert raised.value.permanent is True
    assert "change the temporary password" in raised.value.user_message.lower()
    assert "cova hub" in raised.value.user_message.lower()


def test_posabit_without_enhanced_customer_data_access(origin):
    # given a key without Enhanced Customer Data Access
    client = connect("posabit", origin, "fault=no-customer-access")

    # then it connects, with a warning naming what is missing
    client.check()
    assert client.permission_warnings() == [ENHANCED_ACCESS_HINT]
    # and sales arrive without shopper ids, while reading shoppers stops that stream only
    sales = list(client.iter_sales(since=None))
    assert len(sales) == account_of("posabit").sales
    assert not any(sale.customer_external_id for sale in sales)  # type: ignore[union-attr]
    with pytest.raises(PermissionMissing) as raised:
        list(client.iter_customers())
    assert "Enhanced Customer Data Access" in raised.value.user_message
    assert raised.value.only_stream == "customers"


def test_clover_unknown_merchant_id_says_so(origin):
    cls = get_provider_class("clover")
    client = cls(
        {"merchant_id": "wrongMERCHANT", "api_token": CLOVER_TOKEN},
        sandbox_base_urls("clover", origin),
    )
    # Clover answers 401 for a merchant id the token does not belong to (reference 6.2).
    with pytest.raises(AuthenticationFailed) as raised:
        client.check()
    assert raised.value.permanent is True
    assert "Merchant ID" in raised.value.user_message


def test_clover_without_write_customers(origin):
    client = connect("clover", origin, "fault=no-write-customers")
    client.check()
    with pytest.raises(PermissionMissing) as raised:
        client.create_customer(CustomerDraft(first_name="Nope"))
    assert "Write permission for Customers" in raised.value.user_message


def test_clover_client_never_has_more_than_five_requests_in_flight(origin):
    option = "latency=100"

    def run(_: int) -> None:
        connect("clover", origin, option).check()

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(run, range(8)))

    stats = faults.flight_stats(hash_text(credentials("clover", option)["api_token"]))
    assert stats.requests == 16
    assert 1 < stats.max_in_flight <= 5
