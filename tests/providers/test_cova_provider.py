"""Cova: token caching and re-grant, the temporary password, rate-limit headers, CRM."""

from __future__ import annotations

import json
import threading
import time
from datetime import date
from decimal import Decimal
from urllib.parse import parse_qs

import pytest
import responses
from provider_fakes import FakeClock, SleepRecorder
from provider_scenarios import COVA_CREDENTIALS, cova_register_auth, load_payload
from responses import matchers

from aiq.http import HttpClient
from integrations.providers.base import (
    AuthenticationFailed,
    CredentialsIncomplete,
    CustomerDraft,
    RequestRejected,
    ServerError,
    TemporaryPassword,
)
from integrations.providers.cova.provider import CovaProvider

TOKEN_URL = "https://accounts.iqmetrix.net/v1/oauth2/token"
ME_URL = "https://accounts.iqmetrix.net/v1/me"
API = "https://api.covasoft.net"
LOCATIONS_URL = f"{API}/entitymanager/v1/Companies(14146)/Locations"
CRM = f"{API}/crm/v1/Companies(14146)"


def token_calls(mocked: responses.RequestsMock) -> int:
    return sum(1 for call in mocked.calls if call.request.url == TOKEN_URL)


def data_calls(mocked: responses.RequestsMock, url: str) -> int:
    return sum(1 for call in mocked.calls if call.request.url.split("?")[0] == url)


@pytest.fixture
def cova(http: HttpClient) -> CovaProvider:
    return CovaProvider({**COVA_CREDENTIALS, "company_id": "14146"}, http=http)


def test_the_token_is_granted_once_with_a_form_encoded_password_grant(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    mocked.add(responses.GET, LOCATIONS_URL, json=load_payload("cova", "locations"))

    # when two separate reads happen
    list(cova.iter_locations())
    list(cova.iter_locations())

    # then one grant served both, sent as a form, and both reads used its bearer token
    assert token_calls(mocked) == 1
    grant = mocked.calls[0].request
    assert grant.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(grant.body) == {
        "grant_type": ["password"],
        "username": [COVA_CREDENTIALS["username"]],
        "password": [COVA_CREDENTIALS["password"]],
        "client_id": [COVA_CREDENTIALS["client_id"]],
        "client_secret": [COVA_CREDENTIALS["client_secret"]],
    }
    token = load_payload("cova", "token")["access_token"]
    assert mocked.calls[1].request.headers["Authorization"] == f"Bearer {token}"
    assert ME_URL not in [call.request.url for call in mocked.calls]  # company id was given


def test_the_token_is_shared_by_providers_with_the_same_credentials(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    mocked.add(responses.GET, LOCATIONS_URL, json=[])
    for _ in range(3):
        list(CovaProvider({**COVA_CREDENTIALS, "company_id": "14146"}, http=http).iter_locations())

    assert token_calls(mocked) == 1


def test_the_token_is_renewed_when_it_expires(
    cova: CovaProvider, clock: FakeClock, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    mocked.add(responses.GET, LOCATIONS_URL, json=[])
    list(cova.iter_locations())

    clock.advance(43199 - 299)  # inside the 300 s safety margin
    list(cova.iter_locations())

    assert token_calls(mocked) == 2


def test_a_401_is_met_by_exactly_one_regrant(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    # given a data call that fails once with 401 (token revoked), then works
    cova_register_auth(mocked)
    mocked.add(responses.GET, LOCATIONS_URL, status=401)
    mocked.add(responses.GET, LOCATIONS_URL, json=load_payload("cova", "locations"))

    locations = list(cova.iter_locations())

    assert len(locations) == 2
    assert token_calls(mocked) == 2
    assert data_calls(mocked, LOCATIONS_URL) == 2


def test_a_second_401_is_final(cova: CovaProvider, mocked: responses.RequestsMock) -> None:
    cova_register_auth(mocked)
    mocked.add(responses.GET, LOCATIONS_URL, status=401)

    with pytest.raises(AuthenticationFailed) as caught:
        list(cova.iter_locations())

    assert caught.value.permanent is True
    assert token_calls(mocked) == 2  # the first grant and exactly one re-grant
    assert data_calls(mocked, LOCATIONS_URL) == 2


def test_concurrent_callers_share_one_grant(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    # given a slow token endpoint and eight threads wanting a token at once
    def slow_grant(request: object) -> tuple[int, dict[str, str], str]:
        time.sleep(0.05)
        return 200, {}, json.dumps(load_payload("cova", "token"))

    mocked.add_callback(responses.POST, TOKEN_URL, callback=slow_grant)
    tokens: list[str] = []
    threads = [
        threading.Thread(target=lambda: tokens.append(cova.client.auth.token())) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then one of them granted and all got the same token
    assert token_calls(mocked) == 1
    assert len(set(tokens)) == 1 and len(tokens) == 8


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (401, {"error": "invalid_grant", "error_description": "Password change required"}),
        (400, {"Message": "Authorization failed", "Description": "Temporary password expired"}),
    ],
)
def test_the_temporary_password_error_at_the_token_call(
    status: int, body: dict[str, str], cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.POST, TOKEN_URL, status=status, json=body)

    with pytest.raises(TemporaryPassword) as caught:
        cova.check()

    assert caught.value.code == "temporary-password"
    assert caught.value.permanent is True
    assert caught.value.user_message == (
        "Cova says this password is temporary. Sign in to Cova Hub, change the temporary "
        "password, then enter the new one here and connect again."
    )
    assert token_calls(mocked) == 1  # not retried


def test_the_temporary_password_error_at_a_data_call_is_not_regranted(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    mocked.add(
        responses.GET,
        LOCATIONS_URL,
        status=401,
        json={"Message": "Unauthorized", "Description": "User must change password"},
    )

    with pytest.raises(TemporaryPassword):
        cova.check()

    assert token_calls(mocked) == 1


@pytest.mark.parametrize(
    ("oauth_error", "words"),
    [("invalid_client", "Client ID or Client secret"), ("invalid_grant", "Username or Password")],
)
def test_refused_grants_name_the_fields_to_check(
    oauth_error: str, words: str, cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.POST, TOKEN_URL, status=400, json={"error": oauth_error})

    with pytest.raises(AuthenticationFailed) as caught:
        cova.check()

    assert not isinstance(caught.value, TemporaryPassword)
    assert words in caught.value.user_message


def test_the_company_id_is_read_from_the_api_user_when_blank(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    mocked.add(responses.GET, LOCATIONS_URL, json=[])

    CovaProvider(COVA_CREDENTIALS, http=http).check()

    assert [call.request.url for call in mocked.calls][1:] == [ME_URL, LOCATIONS_URL]


def test_a_missing_credential_is_named_before_any_request(http: HttpClient) -> None:
    with pytest.raises(CredentialsIncomplete) as caught:
        CovaProvider({"client_id": "x", "username": "y"}, http=http)

    assert caught.value.user_message == "Fill in Client secret, Password, then connect again."


def test_an_exhausted_rate_window_pauses_until_reset(
    cova: CovaProvider, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    # given a response saying no requests remain for 30 s in the entitymanager service
    cova_register_auth(mocked)
    headers = {
        "COVA-APIM-RateLimit-Limit": "1000",
        "COVA-APIM-RateLimit-Remaining": "0",
        "COVA-APIM-RateLimit-ResetSeconds": "30",
    }
    mocked.add(responses.GET, LOCATIONS_URL, json=[], headers=headers)

    # when two calls are made
    list(cova.iter_locations())
    assert sleeps.calls == []
    list(cova.iter_locations())

    # then the second waited for the reset first
    assert sleeps.calls == [30.0]


def test_a_429_waits_for_the_window_reset(
    cova: CovaProvider, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    limited = {"COVA-APIM-RateLimit-Remaining": "0", "COVA-APIM-RateLimit-ResetSeconds": "20"}
    mocked.add(responses.GET, LOCATIONS_URL, status=429, headers=limited)
    mocked.add(responses.GET, LOCATIONS_URL, json=[])

    list(cova.iter_locations())

    # a backoff, then the rest of the window: 20 s in all before the second try
    assert sum(sleeps.calls) == pytest.approx(20.0)


def test_find_customers_searches_phone_and_email_separately_and_merges(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    full = load_payload("cova", "customer_full")
    search_url = f"{CRM}/Search"
    phone_criteria = {"Criteria": "2065550101", "Field": "Phone", "Operation": "Equals"}
    email_criteria = {"Criteria": "ada@example.com", "Field": "Contact", "Operation": "Equals"}
    mocked.add(
        responses.POST,
        search_url,
        json={"Id": 1, "Criteria": [phone_criteria], "Results": [full[0], full[2]]},
        match=[matchers.json_params_matcher({"Criteria": [phone_criteria]})],
    )
    mocked.add(
        responses.POST,
        search_url,
        json={"Id": 2, "Criteria": [email_criteria], "Results": [full[0]]},
        match=[matchers.json_params_matcher({"Criteria": [email_criteria]})],
    )

    found = cova.find_customers(phone="(206) 555-0101", email="Ada@Example.com")

    assert [c.external_id for c in found] == [full[0]["Id"], full[2]["Id"]]


def test_create_customer_sends_a_customer_full_with_the_pricing_group(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    created = load_payload("cova", "customer_full")[0]
    mocked.add(responses.POST, f"{CRM}/CustomerFull", json=created, status=201)

    customer = cova.create_customer(
        CustomerDraft(
            first_name="Ada",
            last_name="Lovelace",
            phone="2065550101",
            email="ada@example.com",
            birth_date=date(1988, 4, 12),
            marketing_opt_in=True,
            pricing_group="3",
        )
    )

    body = json.loads(mocked.calls[-1].request.body)
    assert body["PricingGroupId"] == 3
    assert body["CustomerTypeId"] == 2
    assert body["DoNotContact"] is False
    assert body["DateOfBirth"] == "1988-04-12"
    assert {(m["ContactMethodCategoryId"], m["Value"]) for m in body["ContactMethods"]} == {
        (1, "2065550101"),
        (2, "ada@example.com"),
    }
    assert customer.external_id == created["Id"] and customer.pricing_group == "3"


def test_a_create_is_not_resent_after_a_server_error(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    mocked.add(responses.POST, f"{CRM}/CustomerFull", status=500)

    with pytest.raises(ServerError):
        cova.create_customer(CustomerDraft(first_name="Ada"))

    assert data_calls(mocked, f"{CRM}/CustomerFull") == 1


def test_a_pricing_group_must_be_a_number(cova: CovaProvider) -> None:
    with pytest.raises(RequestRejected) as caught:
        cova.create_customer(CustomerDraft(first_name="Ada", pricing_group="VIP"))
    assert "must be a number" in caught.value.user_message


def test_update_customer_puts_back_the_whole_record_with_its_version(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    current = load_payload("cova", "customer_full")[1]
    url = f"{CRM}/CustomerFull({current['Id']})"
    mocked.add(responses.GET, url, json=current)
    mocked.add(responses.PUT, url, json={**current, "FamilyName": "Hopper-Murray", "Version": 3})

    customer = cova.update_customer(
        current["Id"], CustomerDraft(last_name="Hopper-Murray", phone="2065559999")
    )

    sent = json.loads(mocked.calls[-1].request.body)
    assert sent["Version"] == current["Version"]
    assert sent["FamilyName"] == "Hopper-Murray"
    assert sent["PrimaryName"] == current["PrimaryName"]  # untouched fields are kept
    phones = [m["Value"] for m in sent["ContactMethods"] if m["ContactMethodCategoryId"] == 1]
    assert phones == ["2065559999"]
    assert customer.last_name == "Hopper-Murray"


def test_loyalty_balance_reads_the_summary_through_the_first_location(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    mocked.add(responses.GET, LOCATIONS_URL, json=load_payload("cova", "locations"))
    customer_id = "1b6c2a38-d083-4421-9330-46d779702f01"
    mocked.add(
        responses.GET,
        f"{API}/iqloyalty/v1/Companies(14146)/Entities(14150)/customers({customer_id})/summary",
        json=load_payload("cova", "loyalty_summary"),
    )

    balance = cova.get_loyalty_balance(customer_id)

    assert balance.points == Decimal(420)
    assert balance.lifetime_points == Decimal(1337)
    assert balance.as_of.tzinfo is not None


def test_products_page_through_detailed_product_data(
    cova: CovaProvider, mocked: responses.RequestsMock
) -> None:
    cova_register_auth(mocked)
    url = f"{API}/dataplatform/v1/companies/14146/DetailedProductData"
    mocked.add(responses.POST, url, json=load_payload("cova", "products_page_1"))
    mocked.add(responses.POST, url, json={"Products": []})
    cova.page_size = 2

    products = list(cova.iter_products("14150"))

    bodies = [json.loads(call.request.body) for call in mocked.calls if call.request.url == url]
    assert [(b["Skip"], b["Top"], b["LocationId"]) for b in bodies] == [
        (0, 2, 14150),
        (2, 2, 14150),
    ]
    og = products[0]
    assert og.quantity_on_hand == Decimal(15)  # two rooms at this location
    assert (og.price, og.sale_price) == (Decimal("40.0"), Decimal("35.0"))
    assert og.specifications["COA Link"] == "https://lab.example/coa/1"
    assert len(products) == 2
