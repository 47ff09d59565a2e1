"""The Cova sandbox served in-process over ``responses``: each request the Cova client
makes is handed to this app's sandbox views through Django's test client, in the test's
own transaction (so sandbox edits made by the test are visible to it)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import responses
from django.test import Client

from ecommerce.choices import VerificationState
from ecommerce.models import CovaEcommerceSettings
from integrations.providers.cova.auth import clear_token_cache
from integrations.sandbox import faults
from integrations.sandbox.cova import payloads
from integrations.sandbox.cova.menu_edits import cova_account
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS
from tests.factories import RetailStoreFactory

ORIGIN = "http://cova-sandbox.test"
CREDENTIALS = DEMO_SANDBOX_CREDENTIALS["cova"]


@pytest.fixture
def cova_sandbox(settings) -> Iterator[responses.RequestsMock]:
    settings.POS_SANDBOX_ORIGIN = ORIGIN
    clear_token_cache()
    faults.reset()
    django_client = Client()

    def forward(request):  # type: ignore[no-untyped-def]
        url = urlsplit(request.url)
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        headers = {
            name: value
            for name, value in request.headers.items()
            if name.lower() not in ("content-length", "content-type", "host")
        }
        answer = django_client.generic(
            request.method,
            url.path + (f"?{url.query}" if url.query else ""),
            data=body,
            content_type=request.headers.get("Content-Type", ""),
            headers=headers,
        )
        return answer.status_code, dict(answer.items()), answer.content

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        for method in ("GET", "POST", "PUT", "DELETE"):
            mocked.add_callback(method, re.compile(re.escape(ORIGIN) + r"/.*"), callback=forward)
        yield mocked
    clear_token_cache()
    faults.reset()


def sandbox_account(values: dict[str, str] | None = None) -> SandboxAccount:
    return cova_account(values or CREDENTIALS)


def enabled_settings(store=None, **fields) -> CovaEcommerceSettings:  # type: ignore[no-untyped-def]
    """Verified, enabled settings on the sandbox's first location (no verify call)."""
    store = store or RetailStoreFactory()
    values = {**CREDENTIALS, **fields.pop("credentials", {})}
    account = sandbox_account(values)
    defaults = {
        "enabled": True,
        "is_sandbox": True,
        "company_id_at_cova": str(payloads.company_id(account)),
        "location_id": str(payloads.location_ids(account)[0]),
        "username": values["username"],
        "client_id": values["client_id"],
        "verification_state": VerificationState.VERIFIED,
    }
    settings = CovaEcommerceSettings(company=store.company, store=store, **{**defaults, **fields})
    settings.set_secrets(values)
    settings.save()
    return settings
