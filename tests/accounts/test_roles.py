"""What each role sees in the admin."""

from __future__ import annotations

import pytest
from django.http import HttpRequest

from aiq.accounts.choices import Role
from tests.conftest import staff_client

pytestmark = pytest.mark.django_db


def test_budtender_sees_personas_and_online_orders_and_nothing_else(budtender_a):
    index = budtender_a.get("/admin/").content.decode()

    assert "/admin/personas/persona/" in index
    assert "/admin/ecommerce/order/" in index
    for hidden in (
        "/admin/ecommerce/menuproduct/",
        "/admin/ecommerce/covaecommercesettings/",
        "/admin/stores/",
        "/admin/accounts/",
        "/admin/django_celery_beat/",
        "/admin/auth/",
    ):
        assert hidden not in index
    assert budtender_a.get("/admin/stores/retailstore/").status_code == 403
    assert budtender_a.get("/admin/accounts/company/").status_code == 403
    assert budtender_a.get("/admin/django_celery_beat/periodictask/").status_code == 403


def test_budtender_can_look_up_and_sign_up_but_not_delete(budtender_a, company_a):
    assert budtender_a.get("/admin/personas/persona/").status_code == 200
    assert budtender_a.get("/admin/personas/persona/add/").status_code == 200
    from tests.factories import PersonaFactory

    persona = PersonaFactory(company=company_a)
    assert budtender_a.get(f"/admin/personas/persona/{persona.pk}/delete/").status_code == 403


def test_owner_sees_business_settings_but_not_scheduler(owner_a):
    index = owner_a.get("/admin/").content.decode()

    assert "/admin/stores/retailstore/" in index
    assert "/admin/accounts/membership/" in index
    assert "/admin/django_celery_beat/" not in index
    assert owner_a.get("/admin/django_celery_beat/periodictask/").status_code == 403


def test_superuser_sees_scheduler(client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", "pw-root-2026")
    client.login(request=HttpRequest(), username="root", password="pw-root-2026")

    assert client.get("/admin/django_celery_beat/periodictask/").status_code == 200


def test_marketer_cannot_change_stores(company_a):
    marketer = staff_client(company_a, Role.MARKETER)

    assert marketer.get("/admin/stores/retailstore/").status_code == 200
    assert marketer.get("/admin/stores/retailstore/add/").status_code == 403


def test_owner_adds_staff_member_into_own_company(owner_a, company_a, django_user_model):
    response = owner_a.post(
        "/admin/accounts/membership/add/",
        {"username": "newbud", "email": "", "password": "Counter-Staff-77", "role": "budtender"},
    )

    assert response.status_code == 302
    user = django_user_model.objects.get(username=f"newbud@{company_a.login_handle}")
    assert user.is_staff and user.membership.company == company_a
    assert user.membership.role == Role.BUDTENDER


def test_staff_without_membership_sees_no_rows(client, django_user_model, company_a):
    from tests.factories import PersonaFactory

    PersonaFactory(company=company_a, first_name="Hidden")
    django_user_model.objects.create_user("loose", password="pw-loose-2026", is_staff=True)
    client.login(request=HttpRequest(), username="loose", password="pw-loose-2026")

    assert client.get("/admin/personas/persona/").status_code == 403
