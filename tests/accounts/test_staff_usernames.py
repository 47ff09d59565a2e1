"""Usernames never reveal another company's staff: staff an owner adds log in as
``name@<company login handle>``, so a company can only ever ask about its own names."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.test import Client

from aiq.accounts.choices import Role
from aiq.accounts.models import Company
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
ADD = "/admin/accounts/membership/add/"
PASSWORD = "Counter-Staff-77"


def add_staff(client: Client, username: str):
    return client.post(
        ADD, {"username": username, "email": "", "password": PASSWORD, "role": "budtender"}
    )


def test_another_companys_username_is_not_revealed(owner_a, company_a, company_b):
    # given company B has a staff member called "bowner"
    MembershipFactory(company=company_b, user__username="bowner")

    # when company A's owner adds "bowner"
    response = add_staff(owner_a, "bowner")

    # then it is added, in A's own namespace: nothing says B has one
    assert response.status_code == 302
    user = get_user_model().objects.get(username=f"bowner@{company_a.login_handle}")
    assert user.membership.company == company_a
    assert get_user_model().objects.filter(username__startswith="bowner").count() == 2


def test_a_name_already_on_the_own_staff_is_refused(owner_a, company_a):
    assert add_staff(owner_a, "maria").status_code == 302

    response = add_staff(owner_a, "Maria")

    assert response.status_code == 200
    assert (
        f"Someone on your staff already logs in as maria@{company_a.login_handle}"
        in response.content.decode()
    )
    assert get_user_model().objects.filter(membership__company=company_a).count() == 2


def test_the_form_says_how_they_will_log_in_and_they_can(owner_a, company_a):
    form = owner_a.get(ADD).content.decode()
    add_staff(owner_a, "maria")

    assert f"@{company_a.login_handle}" in form
    client = Client()
    assert client.login(
        request=HttpRequest(), username=f"maria@{company_a.login_handle}", password=PASSWORD
    )


def test_a_username_with_an_at_sign_is_refused(owner_a, company_a, company_b):
    response = add_staff(owner_a, f"bowner@{company_b.login_handle}")

    assert response.status_code == 200
    assert "letters, digits" in response.content.decode()
    assert (
        not get_user_model()
        .objects.filter(membership__company=company_a)
        .exclude(membership__role=Role.OWNER)
        .exists()
    )


def test_every_company_gets_its_own_login_handle(db):
    first = Company.objects.create(name="Green Leaf")
    second = Company.objects.create(name="Green-Leaf")

    assert first.login_handle == "green-leaf"
    assert second.login_handle == "green-leaf-2"
