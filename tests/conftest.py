from __future__ import annotations

import pytest
from django.test import Client

from aiq.accounts.choices import Role
from tests.factories import PASSWORD, CompanyFactory, MembershipFactory


def staff_client(company, role: str = Role.OWNER) -> Client:
    membership = MembershipFactory(company=company, role=role)
    client = Client()
    assert client.login(username=membership.user.username, password=PASSWORD)
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
