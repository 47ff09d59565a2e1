from __future__ import annotations

from collections.abc import Iterator

import pytest

from aiq.messaging.models import SmsSettings
from integrations.sandbox.twilio.auth import sandbox_auth_token
from tests.factories import RetailStoreFactory

ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
FROM_NUMBER = "+12065550100"


@pytest.fixture(autouse=True)
def _no_task_queue(settings) -> Iterator[None]:
    # Tests send the outbox themselves, at the moment they choose.
    settings.SMS_SEND_AT_ONCE = False
    yield


def sms_settings_for(company, *, daily_limit: int = 1000) -> SmsSettings:  # type: ignore[no-untyped-def]
    """The company's SMS account on the Twilio sandbox, its store in Seattle."""
    RetailStoreFactory(company=company, time_zone="America/Los_Angeles")
    sms = SmsSettings(
        company=company,
        account_sid=ACCOUNT_SID,
        from_number=FROM_NUMBER,
        daily_limit=daily_limit,
        is_sandbox=True,
    )
    sms.set_auth_token(sandbox_auth_token(ACCOUNT_SID))
    sms.save()
    return sms
