"""No secret value ever reaches an exception message, a repr or a log line."""

from __future__ import annotations

import logging

import pytest
import requests
import responses
from provider_scenarios import SCENARIOS

from aiq.http import HttpClient
from integrations.providers import PROVIDERS, get_provider_class
from integrations.providers.base import MalformedRecord, ProviderError


def assert_no_secret(text: str, secrets: tuple[str, ...]) -> None:
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == [], f"secret leaked: {len(leaked)} value(s)"


@pytest.mark.parametrize("key", sorted(PROVIDERS))
@pytest.mark.parametrize("failure", [401, 403, 404, 429, 500, "timeout"])
def test_failures_never_reveal_secrets(
    key: str,
    failure: int | str,
    http: HttpClient,
    mocked: responses.RequestsMock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given every log line captured, and a POS failing on its first data call
    caplog.set_level(logging.DEBUG)
    scenario = SCENARIOS[key]
    scenario.register_auth(mocked)
    if failure == "timeout":
        mocked.add(responses.GET, scenario.locations_url, body=requests.ConnectTimeout("x"))
    else:
        mocked.add(responses.GET, scenario.locations_url, status=failure, json={"e": "no"})
    provider = get_provider_class(key)(scenario.credentials, http=http)

    # when the sync reads locations and fails
    with pytest.raises(ProviderError) as caught:
        list(provider.iter_locations())

    # then neither the error, its user message, the provider's repr nor any log has a secret
    secrets = (*scenario.secrets, *provider.secret_values())
    error = caught.value
    assert_no_secret(
        " ".join([str(error), repr(error), error.user_message, repr(provider)]), secrets
    )
    assert_no_secret(caplog.text, secrets)
    assert caplog.records, "the retries or the requests should have been logged"


@pytest.mark.parametrize("key", sorted(PROVIDERS))
def test_a_successful_sync_logs_no_secret(
    key: str, http: HttpClient, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scenario = SCENARIOS[key]
    scenario.register_auth(mocked)
    scenario.register_data(mocked)
    provider = get_provider_class(key)(scenario.credentials, http=http)
    provider.page_size = 2

    items = [*provider.iter_locations(), *provider.iter_customers(), *provider.iter_sales(None)]

    assert_no_secret(caplog.text, (*scenario.secrets, *provider.secret_values()))
    for item in items:
        if isinstance(item, MalformedRecord):
            assert_no_secret(str(item) + item.user_message, scenario.secrets)
