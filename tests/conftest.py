from __future__ import annotations

import pytest
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.http import HttpRequest
from django.test import Client

from aiq.accounts.choices import Role
from aiq.handlers import api_first
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory

# A fixed Fernet key for the test run (never used outside tests).
TEST_FIELD_ENCRYPTION_KEY = "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTA="


def staff_client(company, role: str = Role.OWNER) -> Client:
    membership = MembershipFactory(company=company, role=role)
    client = Client()
    # django-axes (the login guard) needs the request that carries the login.
    assert client.login(request=HttpRequest(), username=membership.user.username, password=PASSWORD)
    client.user = membership.user  # type: ignore[attr-defined]
    return client


@pytest.fixture
def company_a(db):
    return CompanyFactory(name="Company A")


@pytest.fixture
def company_b(db):
    return CompanyFactory(name="Company B")


@pytest.fixture
def owner_a(company_a) -> Client:
    return staff_client(company_a, Role.OWNER)


@pytest.fixture
def budtender_a(company_a) -> Client:
    return staff_client(company_a, Role.BUDTENDER)


def pytest_configure(config) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings

    # Persistent connections held by the live server's threads would keep PostgreSQL from
    # dropping the test database at the end of the run.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests run with DEBUG off, where credentials need a configured encryption key.
    if not settings.FIELD_ENCRYPTION_KEYS:
        settings.FIELD_ENCRYPTION_KEYS = [TEST_FIELD_ENCRYPTION_KEY]
    # Logging staff in is most of an admin test's set-up; a fast hash is enough here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def request_log_written_at_once(settings):
    """The API request log is written before each response in tests (production buffers
    it for a second; tests/loyalty/api/test_request_log_buffer.py covers that)."""
    settings.LOYALTY_API_LOG_FLUSH_SECONDS = 0


@pytest.fixture(autouse=True)
def empty_cache_after_each_test():
    """Nothing cached by one test is read by the next (SQLite reuses ids after a rollback,
    so a key such as a store's menu categories could name another test's store)."""
    yield
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def wsgi_app():
    """The project's WSGI app (API paths through their own middleware, as aiq/wsgi.py
    routes them), kept from closing the test's database connection after each
    request (which would end the test transaction), as Django's test Client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield api_first(get_wsgi_application())
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)
