"""Login resists guessing: repeated failures lock out the username and the address for a
while (django-axes), with a clear message, a log line, and a lock a superuser sees and lifts."""

from __future__ import annotations

import logging
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client

from aiq.accounts.choices import Role
from tests.conftest import staff_client
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"
LOCKED = "Too many failed logins"


def log_in(client: Client, username: str, password: str, address: str = "203.0.113.7"):
    return client.post(
        LOGIN,
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=address,
    )


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_username_out_even_with_the_right_one(settings):
    # given an owner and someone guessing their password
    owner = MembershipFactory(role=Role.OWNER).user
    guesser = Client()
    answers = [
        log_in(guesser, owner.username, f"guess-{attempt}").status_code
        for attempt in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert answers == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]

    # when the right password comes next, from another address too
    response = log_in(Client(), owner.username, PASSWORD, address="198.51.100.9")

    # then it is refused with a clear message, and nobody is signed in
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not is_signed_in(guesser)


def test_one_address_guessing_many_usernames_is_locked_out(settings):
    # given one address failing for as many usernames as the limit
    member = MembershipFactory().user
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, f"someone-{number}", "wrong-pass")

    # when that address tries a real staff member's right password
    response = log_in(client, member.username, PASSWORD)

    # then it is refused
    assert response.status_code == 429
    assert not is_signed_in(client)


def test_a_few_mistakes_do_not_lock_anyone_out(settings):
    member = MembershipFactory().user
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, member.username, "typo")

    response = log_in(client, member.username, PASSWORD)

    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_lockout_message_is_the_same_for_a_username_nobody_has(settings):
    # an attacker learns nothing about which usernames exist from the lockout
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), "nobody-has-this", "wrong-pass", address="192.0.2.1")
    response = log_in(Client(), "nobody-has-this", "wrong-pass", address="192.0.2.2")

    assert response.status_code == 429
    assert LOCKED in response.content.decode()


def test_a_lockout_is_logged(settings, caplog):
    caplog.set_level(logging.WARNING)
    owner = MembershipFactory(role=Role.OWNER).user

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), owner.username, "wrong-pass")

    locked = [r for r in caplog.records if "locking out" in r.getMessage().lower()]
    assert locked, [r.getMessage() for r in caplog.records]
    assert owner.username in locked[0].getMessage()
    assert "wrong-pass" not in caplog.text


def test_a_superuser_sees_the_lockout_in_system_and_lifts_it(settings):
    # given a locked-out owner
    owner = MembershipFactory(role=Role.OWNER).user
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(Client(), owner.username, "wrong-pass")
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x-pass-2026")
    admin = Client()
    admin.force_login(root)

    # when the superuser opens System and the access attempts
    dashboard = admin.get("/admin/").content.decode()
    system = re.search(r'id="section-system">(.*?)</div>', dashboard, re.S).group(1)
    listing = admin.get("/admin/axes/accessattempt/").content.decode()
    attempt = AccessAttempt.objects.get(username=owner.username)
    deleted = admin.post(
        f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}, follow=False
    )

    # then the lockout was listed under System, and deleting it lifts it
    assert "Access attempts" in system
    assert owner.username in listing
    assert deleted.status_code == 302
    assert not AccessAttempt.objects.filter(username=owner.username).exists()
    client = Client()
    assert log_in(client, owner.username, PASSWORD).status_code == 302
    assert is_signed_in(client)


def test_staff_never_see_the_lockouts(company_a):
    owner = staff_client(company_a, Role.OWNER)

    assert owner.get("/admin/axes/accessattempt/").status_code == 403
    assert "Access attempts" not in owner.get("/admin/").content.decode()
