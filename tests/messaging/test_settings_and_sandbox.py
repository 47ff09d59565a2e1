"""Settings > SMS (auth token encrypted, never shown back), the demo's sandbox SMS, and
the sandbox's phone page where a person answers as the shopper."""

from __future__ import annotations

import pytest

from aiq import crypto
from aiq.messaging.models import SmsSettings
from aiq.ops.demo_sms import DEMO_FROM_NUMBER, set_up_demo_sms
from integrations.sandbox.twilio.auth import sandbox_auth_token
from integrations.sandbox.twilio.models import SandboxSmsMessage, SandboxSmsNumber
from integrations.services.rotation import rotate_credential_keys
from tests.conftest import staff_client
from tests.messaging.conftest import ACCOUNT_SID

pytestmark = pytest.mark.django_db

PAGE = "/admin/messaging/smssettings/"
TOKEN = "f" * 32


def test_an_owner_saves_sms_settings_with_the_token_encrypted(owner_a, company_a):
    response = owner_a.post(
        f"{PAGE}add/",
        {
            "provider": "twilio",
            "account_sid": ACCOUNT_SID,
            "auth_token": TOKEN,
            "from_number": "+1 (206) 555-0100",
            "daily_limit": "500",
        },
    )

    assert response.status_code == 302
    sms = SmsSettings.objects.get(company=company_a)
    assert (sms.from_number, sms.daily_limit, sms.auth_token) == ("+12065550100", 500, TOKEN)
    assert TOKEN not in sms.auth_token_encrypted
    page = owner_a.get(f"{PAGE}{sms.pk}/change/").content.decode()
    assert TOKEN not in page
    assert "Saved: ••••ffff" in page
    assert f"/sms/twilio/{sms.webhook_key}/inbound/" in page


def test_bad_sms_settings_are_form_errors_naming_the_field(owner_a, company_a):
    response = owner_a.post(
        f"{PAGE}add/",
        {"provider": "twilio", "account_sid": "nope", "from_number": "12", "daily_limit": "5"},
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"account_sid", "auth_token", "from_number"}
    assert not SmsSettings.objects.exists()


def test_a_budtender_cannot_see_sms_settings(company_a):
    from aiq.accounts.choices import Role

    assert staff_client(company_a, Role.BUDTENDER).get(PAGE).status_code == 403


def test_key_rotation_re_encrypts_the_sms_auth_token(company_a, settings):
    from cryptography.fernet import Fernet

    old_keys = list(settings.FIELD_ENCRYPTION_KEYS) or [crypto._dev_key().decode()]
    settings.FIELD_ENCRYPTION_KEYS = old_keys
    crypto.reset_keys_cache()
    sms = set_up_demo_sms(company_a)
    before = sms.auth_token_encrypted
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *old_keys]
    crypto.reset_keys_cache()
    try:
        rotate_credential_keys()
        sms.refresh_from_db()
        assert sms.auth_token_encrypted != before
        assert sms.auth_token == sandbox_auth_token(sms.account_sid)
    finally:
        crypto.reset_keys_cache()


def test_the_demo_gets_sandbox_sms_once(company_a):
    first = set_up_demo_sms(company_a)
    second = set_up_demo_sms(company_a)

    assert first.pk == second.pk and first.is_sandbox
    number = SandboxSmsNumber.objects.get()
    assert number.phone_number == DEMO_FROM_NUMBER
    assert number.sms_url.endswith(f"/sms/twilio/{first.webhook_key}/inbound/")


def test_the_sandbox_phone_page_lists_texts_with_a_reply_box(client):
    sent = SandboxSmsMessage.objects.create(
        sid="SM" + "d" * 32,
        account_sid=ACCOUNT_SID,
        direction=SandboxSmsMessage.OUTBOUND,
        from_number="+12065550100",
        to_number="+12065550111",
        body="Reply YES to join Evergreen texts",
        status="delivered",
    )

    page = client.get("/sandbox/twilio/phone/?number=%2B12065550111").content.decode()
    assert "Reply YES to join Evergreen texts" in page
    assert f'action="/sandbox/twilio/phone/{sent.sid}/reply/"' in page

    # no number is connected to a webhook: the reply is only recorded
    answer = client.post(f"/sandbox/twilio/phone/{sent.sid}/reply/", {"body": "yes"})
    assert answer.status_code == 302
    reply = SandboxSmsMessage.objects.get(direction=SandboxSmsMessage.INBOUND)
    assert (reply.from_number, reply.to_number, reply.body) == (
        "+12065550111",
        "+12065550100",
        "yes",
    )


def test_the_sandbox_refuses_an_auth_token_it_did_not_issue(client):
    import base64

    credentials = base64.b64encode(f"{ACCOUNT_SID}:wrong-token".encode()).decode()
    response = client.post(
        f"/sandbox/twilio/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json",
        {"To": "+12065550111", "From": "+12065550100", "Body": "hi"},
        HTTP_AUTHORIZATION=f"Basic {credentials}",
    )

    assert response.status_code == 401
    assert response.json()["code"] == 20003
    assert not SandboxSmsMessage.objects.exists()
