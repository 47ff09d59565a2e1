"""Helpers for the sandbox tests: credentials, auth headers, a frozen "now"."""

from __future__ import annotations

import base64
import time
from urllib.parse import urlencode

import pytest
from django.test import Client

from integrations.sandbox import faults, timeline
from integrations.sandbox.options import SandboxAccount, account_for
from integrations.sandbox_credentials import (
    DEMO_SANDBOX_CREDENTIALS,
    SANDBOX_PLATFORM_VALUES,
    issue_sandbox_credentials,
)

# One "now" for the whole run, so no test straddles midnight UTC (when histories move).
FROZEN_NOW = time.time()

# Issued by the sandbox (its ``issued=`` mark in the secret), so writes are accepted too;
# tests/sandbox/test_issued_credentials.py covers credentials it never issued.
COVA = issue_sandbox_credentials(
    "cova",
    {
        "client_id": "GREENLEAF.AIQ",
        "client_secret": "s3cret",
        "username": "AIQ.COVA.APIUser.GREENLEAF",
        "password": "permanent-pw",
    },
)
INTEGRATOR = "aiq-integrator-token"
VENUE = issue_sandbox_credentials("posabit", {"key": "venue-key-1"})["key"]
MERCHANT = "ABCD1234ABCD1"
CLOVER_TOKEN = issue_sandbox_credentials(
    "clover", {"merchant_id": MERCHANT, "api_token": "b7a1c2d3-0000-4f00-9e00-sandbox"}
)["api_token"]


@pytest.fixture(autouse=True)
def fresh_fault_state(monkeypatch):
    """Fault counters are process-wide: every test starts from zero, at the same "now"."""
    monkeypatch.setattr(timeline, "now", lambda: FROZEN_NOW)
    faults.reset()
    yield
    faults.reset()


class FakeClock:
    """Stands in for ``faults.clock``: time passes only when a test says so."""

    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value

    def advance(self, seconds: float) -> None:
        self.value += seconds


@pytest.fixture
def fake_clock(monkeypatch) -> FakeClock:
    clock = FakeClock()
    monkeypatch.setattr(faults, "clock", clock)
    return clock


@pytest.fixture
def client() -> Client:
    return Client(HTTP_USER_AGENT="aiq-tests/1.0")


def basic(integrator: str, venue: str) -> str:
    return "Basic " + base64.b64encode(f"{integrator}:{venue}".encode()).decode()


def post_form(client: Client, url: str, form: dict[str, str]):
    """POST form-urlencoded, as every real Cova client does (the test client's default is
    multipart, which the token endpoint refuses)."""
    return client.post(url, urlencode(form), content_type="application/x-www-form-urlencoded")


def cova_token(client: Client, **overrides: str) -> dict:
    form = {"grant_type": "password", **COVA, **overrides}
    response = post_form(client, "/sandbox/cova/v1/oauth2/token", form)
    assert response.status_code == 200, response.content
    return response.json()


def cova_account(**overrides: str) -> SandboxAccount:
    values = {**COVA, **overrides}
    return account_for(
        "cova",
        (values["client_id"], values["username"]),
        (values["client_id"], values["client_secret"], values["username"], values["password"]),
    )


def posabit_account(venue: str = VENUE, integrator: str = INTEGRATOR) -> SandboxAccount:
    return account_for("posabit", (venue,), (integrator, venue))


def clover_account(token: str = CLOVER_TOKEN, merchant: str = MERCHANT) -> SandboxAccount:
    return account_for("clover", (merchant, token), (merchant, token))


def demo_account(provider: str) -> SandboxAccount:
    """The account the sandbox serves for the demo credential of ``provider`` (the
    identity and option fields each sandbox's auth reads)."""
    values = DEMO_SANDBOX_CREDENTIALS[provider]
    if provider == "cova":
        return account_for("cova", (values["client_id"], values["username"]), values.values())
    if provider == "posabit":
        integrator = SANDBOX_PLATFORM_VALUES["posabit"]["integrator_token"]
        return account_for("posabit", (values["key"],), (integrator, values["key"]))
    identity = (values["merchant_id"], values["api_token"])
    return account_for("clover", identity, identity)


class Cova:
    """A signed-in Cova session against the test client."""

    def __init__(self, client: Client, **overrides: str) -> None:
        self.client = client
        self.token = cova_token(client, **overrides)["access_token"]
        self.account = cova_account(**overrides)
        me = self.get("/sandbox/cova/v1/me")
        assert me.status_code == 200, me.content
        self.company = me.json()["ParentEntityId"]

    @property
    def auth(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path: str, params: dict | None = None):
        return self.client.get(path, params or {}, **self.auth)

    def send(self, method: str, path: str, body: object):
        return getattr(self.client, method)(
            path, body, content_type="application/json", **self.auth
        )

    def url(self, service: str, tail: str) -> str:
        company = (
            f"companies/{self.company}"
            if service == "dataplatform"
            else (f"Companies({self.company})")
        )
        version = "" if service == "pointofsale" else "v1/"
        return f"/sandbox/cova/{service}/{version}{company}/{tail}".rstrip("/")
