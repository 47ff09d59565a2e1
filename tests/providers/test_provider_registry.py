"""The registry, credential forms and the sandbox URL convention."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import responses
from provider_scenarios import SCENARIOS, load_payload

from aiq.http import HttpClient
from integrations.providers import PROVIDER_CHOICES, PROVIDERS, get_provider_class
from integrations.providers.base import (
    CredentialField,
    Location,
    NotSupported,
    Provider,
    sandbox_base_urls,
)

ROOT = Path(__file__).resolve().parents[2]


def test_the_registry_lists_the_three_providers_with_staff_labels() -> None:
    assert PROVIDER_CHOICES == [("cova", "Cova"), ("posabit", "POSaBIT"), ("clover", "Clover")]
    for key, spec in PROVIDERS.items():
        cls = get_provider_class(key)
        assert issubclass(cls, Provider)
        assert (cls.key, cls.label) == (key, spec.label)


def test_importing_the_registry_imports_no_provider() -> None:
    code = (
        "import sys, integrations.providers as p; "
        "print(any(m.startswith('integrations.providers.') for m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("key", "fields"),
    [
        (
            "cova",
            [
                ("client_id", "Client ID", False, True),
                ("client_secret", "Client secret", True, True),
                ("username", "Username", False, True),
                ("password", "Password", True, True),
                ("company_id", "Company ID", False, False),
            ],
        ),
        (
            "posabit",
            [
                ("store_name", "Store Name", False, True),
                ("key", "Key", True, True),
                ("relevant_market", "Relevant market of credential", False, False),
            ],
        ),
        (
            "clover",
            [("merchant_id", "Merchant ID", False, True), ("api_token", "API Token", True, True)],
        ),
    ],
)
def test_credential_fields_match_the_setup_guides(
    key: str, fields: list[tuple[str, str, bool, bool]]
) -> None:
    cls = get_provider_class(key)
    assert all(isinstance(field, CredentialField) for field in cls.credential_fields)
    assert [(f.name, f.label, f.secret, f.required) for f in cls.credential_fields] == fields


@pytest.mark.parametrize("key", sorted(PROVIDERS))
def test_sandbox_urls_cover_every_host_role_under_one_prefix(key: str) -> None:
    cls = get_provider_class(key)

    urls = sandbox_base_urls(key, "http://127.0.0.1:8000/")

    assert urls == dict.fromkeys(cls.DEFAULT_BASE_URLS, f"http://127.0.0.1:8000/sandbox/{key}")
    # the real paths of different hosts never collide under the shared prefix
    prefixes = [(role, p) for role, ps in cls.PATH_PREFIXES.items() for p in ps]
    assert set(cls.PATH_PREFIXES) == set(cls.DEFAULT_BASE_URLS)
    for role, prefix in prefixes:
        for other_role, other in prefixes:
            if role != other_role:
                assert not prefix.startswith(other) and not other.startswith(prefix)


def test_a_provider_talks_to_the_sandbox_at_the_real_paths(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    # given Cova pointed at a local sandbox
    base = "http://127.0.0.1:8000/sandbox/cova"
    mocked.add(responses.POST, f"{base}/v1/oauth2/token", json=load_payload("cova", "token"))
    mocked.add(
        responses.GET,
        f"{base}/entitymanager/v1/Companies(14146)/Locations",
        json=load_payload("cova", "locations"),
    )
    credentials = {**SCENARIOS["cova"].credentials, "company_id": "14146"}
    cova = get_provider_class("cova")(
        credentials, base_urls=sandbox_base_urls("cova", "http://127.0.0.1:8000"), http=http
    )

    locations = list(cova.iter_locations())

    assert all(isinstance(location, Location) for location in locations)


def test_unknown_host_roles_are_refused(http: HttpClient) -> None:
    with pytest.raises(ValueError, match="Unknown host roles"):
        get_provider_class("clover")(
            SCENARIOS["clover"].credentials, base_urls={"oauth": "http://x"}, http=http
        )


@pytest.mark.parametrize("key", ["clover"])
def test_loyalty_balances_are_not_supported_where_the_api_has_none(
    key: str, http: HttpClient
) -> None:
    provider = get_provider_class(key)(SCENARIOS[key].credentials, http=http)

    with pytest.raises(NotSupported) as caught:
        provider.get_loyalty_balance("123")
    assert caught.value.permanent is True
