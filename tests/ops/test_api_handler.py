"""The WSGI entry point sends the POS-facing API through its short middleware chain
(aiq/handlers.py) and every other path through the site's."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.utils import timezone

from aiq.handlers import ApiHandler
from loyalty.api.keys import create_api_key
from loyalty.program.models import LoyaltyProgram
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db


def call(application, path, **headers):
    environ = RequestFactory().get(path, **headers).environ
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = int(status.split()[0])
        answer["headers"] = dict(response_headers)

    body = b"".join(application(environ, start_response))
    return answer["status"], answer["headers"], body


def test_an_api_call_is_answered_without_the_sites_middleware(wsgi_app, company_a, client):
    LoyaltyProgram.objects.create(company=company_a, enabled=True)
    PersonaFactory(company=company_a, phone="+15035550123", loyalty_enrolled_at=timezone.now())
    key = create_api_key(company_a, "Counter").plaintext

    status, headers, body = call(wsgi_app, "/api/v2/wallet/5035550123", HTTP_X_APIKEY=key)

    assert status == 200
    assert json.loads(body)["data"]["loyaltyPoints"] == 0
    # The same answer as through the site's chain (Django's test Client).
    assert body == client.get("/api/v2/wallet/5035550123", HTTP_X_APIKEY=key).content
    # The site's chain adds X-Frame-Options (clickjacking) and reads the session cookie;
    # the API's does neither, and still sends the security headers.
    assert "X-Frame-Options" not in headers
    assert "Vary" not in headers or "Cookie" not in headers["Vary"]
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_other_paths_keep_the_sites_middleware(wsgi_app):
    status, headers, _body = call(wsgi_app, "/admin/login/")
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"
    status, headers, _body = call(wsgi_app, "/api/schema/")
    assert status == 200
    assert headers["X-Frame-Options"] == "DENY"


def test_an_api_call_to_an_unknown_host_is_refused(wsgi_app, settings):
    settings.ALLOWED_HOSTS = ["hub.example.com"]
    status, _headers, _body = call(wsgi_app, "/api/v2/wallet/5035550123")
    assert status == 400  # CommonMiddleware's host check: DisallowedHost


def test_a_middleware_whose_hooks_the_short_chain_skips_is_refused(settings):
    settings.API_MIDDLEWARE = ["django.middleware.csrf.CsrfViewMiddleware"]  # process_view
    with pytest.raises(ImproperlyConfigured, match="process_view"):
        ApiHandler()
