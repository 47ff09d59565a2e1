"""The POS flows end to end: our app on a socket (the API and the POS sandboxes it
serves), a simulated register talking to it over HTTP, our real sync reading the sale."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler

from aiq.personas.models import Persona
from integrations.providers.clover import limiter as clover_limiter
from integrations.providers.cova.auth import clear_token_cache
from integrations.sandbox import faults, server
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox.people import person
from integrations.sandbox.terminals.accounts import sandbox_account
from integrations.sandbox.terminals.aiq_api import AiqApi
from integrations.sync.choices import RunStatus, Stream
from loyalty.api.keys import create_api_key
from loyalty.ledger.models import LoyaltyAccount
from tests.factories import CompanyFactory
from tests.integrations.factories import sandbox_values
from tests.loyalty.factories import LoyaltyProgramFactory
from tests.sync.factories import SandboxCredentialFactory, run_once

# A small account whose history holds no sales: the register's are the only ones, so the
# balances are exact.
SMALL_ACCOUNT = "sales=0,customers=8"


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Cova tokens, Clover limiters, fault counters and API rate limits are process-wide."""
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()
    faults.reset()
    cache.clear()
    yield
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()
    faults.reset()
    cache.clear()


@pytest.fixture
def origin(monkeypatch, settings) -> Iterator[str]:
    """The app on a free port: our API under /api/, the POS sandboxes under /sandbox/."""
    # get_wsgi_application() would run django.setup() again and drop pytest's log capture.
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    with server.running_sandbox() as served:
        settings.POS_SANDBOX_ORIGIN = served
        yield served


@dataclass
class Store:
    """A dispensary on one POS: its card's credential, the sandbox account it reads, an API
    key named after the POS (as the POS's integration settings hold it)."""

    company: object
    credential: object
    values: dict[str, str]  # the credential's fields, as typed into the card
    account: SandboxAccount
    aiq: AiqApi

    def sync(self, stream: str) -> None:
        assert run_once(self.credential, stream).status == RunStatus.OK

    def sync_everything(self) -> None:
        self.sync(Stream.CUSTOMERS)
        self.sync(Stream.SALES)


def open_store(origin: str, provider: str, key_name: str) -> Store:
    company = CompanyFactory()
    LoyaltyProgramFactory(company=company, points_per_dollar=Decimal("1"))
    values = sandbox_values(provider, SMALL_ACCOUNT)
    credential = SandboxCredentialFactory(
        integration__company=company, integration__provider=provider, values=values
    )
    key = create_api_key(company, key_name)
    return Store(
        company,
        credential,
        values,
        sandbox_account(provider, values),
        AiqApi(origin, company.uid, key.plaintext),
    )


def regular_with_phone(account: SandboxAccount) -> tuple[int, str]:
    """A shopper of the POS with a valid phone nobody else there has: (index, phone)."""
    shoppers = [person(account, index) for index in range(account.customers)]
    digits = [shopper.phone_digits for shopper in shoppers]
    for index, shopper in enumerate(shoppers):
        if shopper.phone_digits and digits.count(shopper.phone_digits) == 1:
            return index, shopper.phone_digits
    raise AssertionError("no shopper with a phone of their own")


def balance_of(persona_id: int) -> Decimal:
    return LoyaltyAccount.objects.get(persona_id=persona_id).balance


def persona_of(contact: dict) -> Persona:
    return Persona.objects.get(pk=contact["contactID"])
