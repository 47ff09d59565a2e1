"""The HTTP seam: timeouts, retries, Retry-After, error mapping, redaction."""

from __future__ import annotations

import email.utils
import logging
import pickle

import pytest
import requests
import responses
from provider_fakes import FakeClock, SleepRecorder

from aiq.http import (
    USER_AGENT,
    HttpClient,
    RedactingFilter,
    RetryPolicy,
    parse_retry_after,
    redact_headers,
    redact_url,
)
from integrations.providers.errors import (
    AuthenticationFailed,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    ProviderError,
    RateLimited,
    RequestRejected,
    ServerError,
    Unreachable,
)

URL = "https://pos.example/v1/things"


def test_every_request_carries_the_user_agent_and_the_timeout(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, URL, json={"ok": True})

    assert http.request_json("GET", URL) == {"ok": True}

    sent = mocked.calls[0].request
    assert sent.headers["User-Agent"] == USER_AGENT
    assert sent.req_kwargs["timeout"] == (5.0, 30.0)


def test_a_timeout_is_mandatory() -> None:
    with pytest.raises(ValueError, match="timeout"):
        HttpClient(timeout=(0, 30))


def test_retry_after_in_seconds_is_honoured(
    http: HttpClient, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    # given a 429 asking for 7 seconds, then success
    mocked.add(responses.GET, URL, status=429, headers={"Retry-After": "7"})
    mocked.add(responses.GET, URL, json={"ok": True})

    # when the request is made
    body = http.request_json("GET", URL)

    # then exactly the asked-for wait was slept, once
    assert body == {"ok": True}
    assert sleeps.calls == [7.0]


def test_retry_after_as_an_http_date_is_honoured(
    http: HttpClient, clock: FakeClock, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    # given a 503 whose Retry-After is a date 12 seconds ahead of the (fake) clock
    when = email.utils.formatdate(clock() + 12, usegmt=True)
    mocked.add(responses.GET, URL, status=503, headers={"Retry-After": when})
    mocked.add(responses.GET, URL, json={"ok": True})

    http.request_json("GET", URL)

    assert sleeps.calls == [12.0]


def test_parse_retry_after_forms() -> None:
    assert parse_retry_after("3", now=0) == 3.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:01:40 GMT", now=40) == 60.0
    assert parse_retry_after("Thu, 01 Jan 1970 00:00:10 GMT", now=40) == 0.0  # in the past
    assert parse_retry_after("soon", now=0) is None
    assert parse_retry_after(None, now=0) is None


def test_a_retry_after_beyond_the_cap_is_raised_not_slept(
    http: HttpClient, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    # given a 429 asking for an hour
    mocked.add(responses.GET, URL, status=429, headers={"Retry-After": "3600"})

    with pytest.raises(RateLimited) as caught:
        http.request("GET", URL)

    # then nothing was slept and the caller learns how long to wait
    assert sleeps.calls == []
    assert caught.value.retry_after == 3600.0
    assert caught.value.permanent is False
    assert len(mocked.calls) == 1


@pytest.mark.parametrize(
    ("status", "error_class"),
    [
        (400, RequestRejected),
        (401, AuthenticationFailed),
        (403, PermissionMissing),
        (404, NotFound),
        (422, RequestRejected),
    ],
)
def test_permanent_failures_are_never_retried(
    status: int,
    error_class: type[ProviderError],
    http: HttpClient,
    sleeps: SleepRecorder,
    mocked: responses.RequestsMock,
) -> None:
    mocked.add(responses.GET, URL, status=status)

    with pytest.raises(error_class) as caught:
        http.request("GET", URL)

    assert caught.value.permanent is True
    assert caught.value.status == status
    assert len(mocked.calls) == 1
    assert sleeps.calls == []


def test_the_retry_budget_is_bounded_and_backoff_is_capped_full_jitter(
    clock: FakeClock, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    # given a server that always fails, and a jitter source pinned at its maximum
    http = HttpClient(
        sleep=sleeps,
        clock=clock,
        rand=lambda: 1.0,
        retry=RetryPolicy(max_attempts=5, backoff_base=1.0, backoff_cap=3.0),
    )
    mocked.add(responses.GET, URL, status=502)

    with pytest.raises(ServerError) as caught:
        http.request("GET", URL)

    # then it tried max_attempts times, waiting base*2**n capped at 3 s between tries
    assert len(mocked.calls) == 5
    assert sleeps.calls == [1.0, 2.0, 3.0, 3.0]
    assert caught.value.permanent is False


def test_full_jitter_draws_between_zero_and_the_ceiling() -> None:
    policy = RetryPolicy(backoff_base=0.5, backoff_cap=20.0)
    assert policy.backoff(3, lambda: 0.0) == 0.0
    assert policy.backoff(3, lambda: 0.5) == 2.0  # half of 0.5 * 2**3
    assert policy.backoff(10, lambda: 0.999) < 20.0


def test_total_wait_budget_stops_retries(
    clock: FakeClock, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    http = HttpClient(
        sleep=sleeps,
        clock=clock,
        retry=RetryPolicy(max_attempts=10, max_total_wait=25.0),
    )
    mocked.add(responses.GET, URL, status=429, headers={"Retry-After": "10"})

    with pytest.raises(RateLimited):
        http.request("GET", URL)

    assert sleeps.calls == [10.0, 10.0]
    assert len(mocked.calls) == 3


def test_timeouts_and_connection_errors_are_retried_then_unreachable(
    http: HttpClient, sleeps: SleepRecorder, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, URL, body=requests.ConnectionError("refused"))
    mocked.add(responses.GET, URL, body=requests.ReadTimeout("slow"))
    mocked.add(responses.GET, URL, json={"ok": True})

    assert http.request_json("GET", URL) == {"ok": True}
    assert len(sleeps.calls) == 2


def test_a_post_is_not_resent_after_a_server_error_but_is_after_a_429(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    # a create that may have happened must not be sent twice...
    mocked.add(responses.POST, URL, status=500)
    with pytest.raises(ServerError):
        http.request("POST", URL, json={"name": "x"})
    assert len(mocked.calls) == 1

    # ...but a 429 was refused before any work, so it is safe to resend
    mocked.replace(responses.POST, URL, status=429, headers={"Retry-After": "1"})
    with pytest.raises(RateLimited):
        http.request("POST", URL, json={"name": "x"})
    assert len(mocked.calls) == 1 + http.retry.max_attempts


def test_a_post_marked_idempotent_is_retried(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.POST, URL, status=500)
    mocked.add(responses.POST, URL, json={"ok": True})

    assert http.request_json("POST", URL, json={}, idempotent=True) == {"ok": True}


def test_a_body_that_is_not_json_is_a_malformed_response(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, URL, body="<html>proxy error</html>", status=200)

    with pytest.raises(MalformedResponse) as caught:
        http.request_json("GET", URL)
    assert caught.value.code == "malformed-response"


def test_a_classifier_can_refine_the_error(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, URL, status=403)

    def classify(response: requests.Response) -> ProviderError:
        return PermissionMissing("special", user_message="Ask for the special permission.")

    with pytest.raises(PermissionMissing) as caught:
        http.request("GET", URL, classify=classify)
    assert caught.value.user_message == "Ask for the special permission."


def test_errors_carry_method_path_and_status_only(
    http: HttpClient, mocked: responses.RequestsMock
) -> None:
    mocked.add(responses.GET, URL, status=401)

    with pytest.raises(AuthenticationFailed) as caught:
        http.request(
            "GET",
            URL,
            params={"api_key": "sekrit-value-123"},
            headers={"Authorization": "Bearer sekrit-token-456"},
        )

    message = str(caught.value)
    assert message == "GET /v1/things: HTTP 401: credentials refused"
    assert "sekrit" not in message + caught.value.user_message


def test_retry_logs_never_hold_secrets(
    http: HttpClient, mocked: responses.RequestsMock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="aiq.http")
    mocked.add(responses.GET, URL, status=500)

    with pytest.raises(ServerError):
        http.request(
            "GET",
            URL,
            params={"token": "sekrit-token-789", "page": 2},
            headers={"Authorization": "Basic c2VrcmV0"},
        )

    assert "retry 1/3" in caplog.text
    assert "sekrit" not in caplog.text and "c2VrcmV0" not in caplog.text
    assert "page=2" in caplog.text  # what is not secret stays readable


def test_redaction_helpers() -> None:
    assert redact_url("https://x/p?page=2&access_token=abc&q[email_eq]=a@b") == (
        "https://x/p?page=2&access_token=[redacted]&q[email_eq]=a%40b"
    )
    assert redact_headers({"Authorization": "Bearer x", "Accept": "json", "X-APIKEY": "k"}) == {
        "Authorization": "[redacted]",
        "Accept": "json",
        "X-APIKEY": "[redacted]",
    }
    record = logging.LogRecord("t", logging.INFO, __file__, 1, "login %s", ("pw-123456",), None)
    RedactingFilter(["pw-123456"]).filter(record)
    assert record.getMessage() == "login [redacted]"


def test_errors_survive_pickling_for_celery() -> None:
    error = RateLimited("slow down", retry_after=5.0, method="GET", path="/x", status=429)

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made

    assert type(copy) is RateLimited
    assert (copy.retry_after, copy.status, str(copy)) == (5.0, 429, str(error))
    assert copy.permanent is False and copy.user_message == error.user_message


def test_unreachable_is_transient_by_default() -> None:
    assert Unreachable().permanent is False
    assert Unreachable(permanent=True).permanent is True
