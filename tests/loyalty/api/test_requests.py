"""Bad input is a 400 naming the field, oversize bodies are refused, the rate limit answers
429 with Retry-After, and the request log keeps no phone numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loyalty.api import assumptions, ratelimit
from loyalty.api.models import ApiKey, ApiRequestLog
from loyalty.api.request_log import prune_request_log, record_request
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db


def _post(client, key, data, content_type="application/json"):
    return client.post("/api/v2/wallet", data, content_type=content_type, HTTP_X_APIKEY=key)


def test_bad_json_is_400_naming_the_body(client, key_a):
    response = _post(client, key_a.plaintext, '{"phone": ')

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "body: not valid JSON",
        "code": "invalid_field",
    }


def test_a_json_array_is_400_naming_the_body(client, key_a):
    response = _post(client, key_a.plaintext, "[1, 2]")

    assert response.status_code == 400
    assert response.json()["message"] == "body: must be a JSON object"


def test_missing_phone_and_email_is_400_naming_phone(client, key_a):
    response = _post(client, key_a.plaintext, {})

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "phone: required (or email)",
        "code": "invalid_field",
    }


@pytest.mark.parametrize("field", ["phone", "email"])
def test_a_wrong_type_is_400_naming_the_field(client, key_a, field):
    response = _post(client, key_a.plaintext, {field: 2065550134})

    assert response.status_code == 400
    assert response.json()["message"] == f"{field}: must be a string"


def test_an_oversize_body_is_refused_unread(client, key_a):
    padding = "x" * (assumptions.MAX_BODY_BYTES + 1)

    response = _post(client, key_a.plaintext, {"phone": "2065550134", "note": padding})

    assert response.status_code == 413
    assert response.json()["code"] == "body_too_large"


def test_the_wrong_method_is_405(client, key_a):
    response = client.get("/api/v2/wallet", HTTP_X_APIKEY=key_a.plaintext)

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_an_unknown_shopper_gets_aiqs_not_found_shape(client, key_a):
    response = _post(client, key_a.plaintext, {"phone": "(206) 555-0199"})

    assert response.status_code == 200
    assert response.json() == {"success": True, "code": 200, "data": {"results": None}}


def test_over_the_rate_limit_is_429_with_retry_after(client, company_a, key_a, key_b, monkeypatch):
    # given the key has used its whole minute (the clock stopped 10 s into a window: a
    # slow machine must not carry the calls over into the next one)
    window = assumptions.RATE_LIMIT_WINDOW_SECONDS
    monkeypatch.setattr(ratelimit, "_now", lambda: 1_000 * window + 10.0)
    limit = assumptions.RATE_LIMIT_PER_MINUTE
    url = f"/api/v1.1/stores/{company_a.uid}"
    statuses = [client.get(url, HTTP_X_APIKEY=key_a.plaintext).status_code for _ in range(limit)]

    # when it calls once more
    response = client.get(url, HTTP_X_APIKEY=key_a.plaintext)

    # then 429 with a Retry-After within the window; another key is not affected
    assert statuses == [200] * limit
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) == window - 10
    other = client.get(f"/api/v1.1/stores/{key_b.key.company.uid}", HTTP_X_APIKEY=key_b.plaintext)
    assert other.status_code == 200


def test_the_log_masks_phones_and_emails_and_records_the_call(client, company_a, key_a):
    # given a shopper
    PersonaFactory(company=company_a, phone="+12065550134")

    # when the POS asks for their wallet and looks up an email
    client.get("/api/v2/wallet/2065550134", HTTP_X_APIKEY=key_a.plaintext)
    client.get("/api/v2/loyalty/lookup/jo@example.com", HTTP_X_APIKEY=key_a.plaintext)

    # then the log has both calls, without the phone or the email
    rows = list(ApiRequestLog.objects.order_by("id").values_list("key", "method", "path", "status"))
    assert rows == [
        (key_a.key.pk, "GET", "/api/v2/wallet/***", 200),
        (key_a.key.pk, "GET", "/api/v2/loyalty/lookup/***", 200),
    ]
    assert ApiKey.objects.get(pk=key_a.key.pk).last_used_at is not None


def test_the_log_keeps_the_account_uid_even_when_it_looks_like_a_phone(company_a, key_a):
    # given an account UID whose hex digits read like a phone number (13 digits of 16)
    company_a.uid = "3656a7821d9325f8"
    company_a.save(update_fields=["uid"])
    key = ApiKey.objects.select_related("company").get(pk=key_a.key.pk)

    # when a redemption path naming it, and a phone in another segment, are recorded
    record_request(key, "PUT", "/api/v1.1/optin/3656a7821d9325f8/2065550134/true", 200, 4)

    # then the UID stays, the phone does not
    assert ApiRequestLog.objects.get().path == "/api/v1.1/optin/3656a7821d9325f8/***/true"


def test_the_log_is_pruned_of_rows_older_than_30_days(key_a):
    record_request(key_a.key, "GET", "/api/v2/wallet/x", 200, 5)
    ApiRequestLog.objects.update(at=timezone.now() - timedelta(days=31))
    record_request(key_a.key, "GET", "/api/v2/wallet/y", 200, 5)

    assert prune_request_log() == 1
    assert list(ApiRequestLog.objects.values_list("path", flat=True)) == ["/api/v2/wallet/y"]


def test_a_nul_byte_in_the_body_is_400_naming_the_field(client, key_a):
    response = _post(client, key_a.plaintext, {"phone": "206555\u00000134"})

    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "message": "phone: contains a control character (NUL)",
        "code": "invalid_field",
    }


def test_a_nul_byte_in_the_path_is_400_naming_the_segment(client, key_a):
    response = client.get("/api/v2/wallet/206555%000134", HTTP_X_APIKEY=key_a.plaintext)

    assert response.status_code == 400
    assert response.json()["message"] == "phone: contains a control character (NUL)"


def test_an_unknown_api_path_is_a_json_404(client, key_a):
    response = client.get("/api/v2/tiers/1234", HTTP_X_APIKEY=key_a.plaintext)

    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "message": "No such endpoint.",
        "code": "not_found",
    }


def test_an_unknown_api_path_with_a_line_break_is_still_a_json_404(client, key_a):
    # Found by the fuzz: "." stops at a newline, so the catch-all missed such paths and
    # Django answered its HTML 404 (a POS reads JSON).
    response = client.get("/api/v2/tiers/12%0A34/x", HTTP_X_APIKEY=key_a.plaintext)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"


def test_our_own_error_still_answers_in_the_envelope(client, key_a, monkeypatch):
    # given the wallet service fails unexpectedly
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("loyalty.api.views.find_wallet_shopper", broken)

    response = _post(client, key_a.plaintext, {"phone": "2065550134"})

    # then a JSON 500 that says nothing of the cause, and the call is logged
    assert response.status_code == 500
    assert response.json() == {
        "success": False,
        "message": "Something went wrong.",
        "code": "server_error",
    }
    assert list(ApiRequestLog.objects.values_list("status", flat=True)) == [500]
