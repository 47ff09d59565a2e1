"""The demo company's SMS: the Twilio sandbox as its provider, its number's inbound
webhook pointing at this server, so texts and replies work in the embedded run."""

from __future__ import annotations

from aiq.accounts.models import Company
from aiq.messaging.gateway import inbound_url
from aiq.messaging.models import SmsSettings
from integrations.sandbox.twilio.auth import sandbox_auth_token
from integrations.sandbox.twilio.callbacks import new_sid
from integrations.sandbox.twilio.models import SandboxSmsNumber

DEMO_ACCOUNT_SID = "AC" + "de300000" * 4
DEMO_FROM_NUMBER = "+12065550100"


def set_up_demo_sms(company: Company) -> SmsSettings:
    """Create the demo's sandbox SMS settings once; a changed one is left as it is."""
    sms = SmsSettings.objects.filter(company=company).first()
    if sms is None:
        sms = SmsSettings(
            company=company,
            account_sid=DEMO_ACCOUNT_SID,
            from_number=DEMO_FROM_NUMBER,
            is_sandbox=True,
        )
        sms.set_auth_token(sandbox_auth_token(DEMO_ACCOUNT_SID))
        sms.save()
    if sms.is_sandbox:
        # Written straight into the sandbox's table: the web server is not up while seeding.
        # A second seed writes nothing unless the address moved (another WEB_PORT).
        url = inbound_url(sms)
        number, created = SandboxSmsNumber.objects.get_or_create(
            account_sid=sms.account_sid,
            phone_number=sms.from_number,
            defaults={"sms_url": url, "sid": new_sid("PN")},
        )
        if not created and number.sms_url != url:
            SandboxSmsNumber.objects.filter(pk=number.pk).update(sms_url=url)
    return sms
