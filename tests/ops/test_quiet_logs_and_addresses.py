"""The embedded run's addresses and logs: workers reach the server that is running, an
unreachable POS names the address tried, and ordinary 403/404s log no traceback."""

from __future__ import annotations

import io
import logging
import logging.config

import pytest
from django.conf import settings

from aiq.addresses import sandbox_origin_for
from aiq.http import HttpClient, RetryPolicy
from integrations.providers.errors import Unreachable


@pytest.mark.parametrize(
    ("host", "port", "origin"),
    [
        ("127.0.0.1", 8123, "http://127.0.0.1:8123"),
        ("0.0.0.0", 9000, "http://127.0.0.1:9000"),  # noqa: S104 (a bind address under test)
        ("localhost", 8000, "http://localhost:8000"),
        ("::1", 8001, "http://[::1]:8001"),
    ],
)
def test_sandbox_origin_follows_the_web_servers_address(host, port, origin):
    assert sandbox_origin_for(host, port) == origin


def test_an_unreachable_pos_names_the_address_it_tried():
    # Given a client with no retries and a port where nothing listens
    client = HttpClient(retry=RetryPolicy(max_attempts=1), sleep=lambda _s: None)

    # When a request cannot connect
    with pytest.raises(Unreachable) as caught:
        client.request("GET", "http://user:secret@127.0.0.1:9/sandbox/cova/v1/x?token=abc")

    # Then the log line and staff's message say where, and nothing secret
    error = caught.value
    assert error.address == "http://127.0.0.1:9"
    assert "http://127.0.0.1:9" in str(error)
    assert "at http://127.0.0.1:9" in error.user_message
    for secret in ("user", "secret", "abc", "token"):
        assert secret not in str(error) and secret not in error.user_message


def _console_output(status: int) -> str:
    stream = io.StringIO()
    handler_config = settings.LOGGING["handlers"]["console"]
    config = {
        **settings.LOGGING,
        "handlers": {"console": {**handler_config, "stream": stream}},
        "root": {"handlers": ["console"], "level": "INFO"},
    }
    logging.config.dictConfig(config)
    try:
        try:
            raise PermissionError("nope")
        except PermissionError as exc:
            logging.getLogger("django.request").warning(
                "Forbidden: %s", "/admin/x/", extra={"status_code": status}, exc_info=exc
            )
    finally:
        logging.config.dictConfig(settings.LOGGING)
    return stream.getvalue()


def test_a_403_or_404_logs_one_line_without_a_traceback():
    for status in (403, 404):
        output = _console_output(status)
        assert "Forbidden: /admin/x/" in output
        assert "Traceback" not in output


def test_a_server_error_keeps_its_traceback():
    assert "Traceback" in _console_output(500)


def test_the_embedded_broker_url_names_a_host():
    # kombu warns "No hostname was supplied" on every connection otherwise
    if settings.CELERY_BROKER_URL.startswith("filesystem:"):
        assert settings.CELERY_BROKER_URL == "filesystem://localhost/"


def test_django_logs_through_our_console_only():
    # Django's default "django" handler would print each line twice, tracebacks included
    logger = logging.getLogger("django")
    assert logger.handlers == []
    assert logger.propagate is True
    root_handlers = logging.getLogger().handlers
    assert any(
        any(type(f).__name__ == "NoClientErrorTracebacks" for f in handler.filters)
        for handler in root_handlers
    )


def test_the_favicon_is_served_not_a_404(client):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/aiq/favicon.svg"
    assert finders.find("aiq/favicon.svg")
