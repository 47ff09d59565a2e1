"""The outbox's rules at the moment of sending: consent, quiet hours, the daily limit."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from aiq.messaging import sending
from aiq.messaging.choices import MessageKind, MessageStatus, RefusalReason
from aiq.messaging.models import OutboundMessage
from aiq.messaging.outbox import queue_text
from aiq.messaging.providers.base import SmsSendError
from aiq.messaging.quiet_hours import next_sending_moment
from aiq.personas.choices import Consent
from tests.factories import PersonaFactory
from tests.messaging.conftest import sms_settings_for

pytestmark = pytest.mark.django_db

SEATTLE = ZoneInfo("America/Los_Angeles")
NOON = datetime(2026, 6, 10, 12, 0, tzinfo=SEATTLE)
LATE = datetime(2026, 6, 10, 22, 30, tzinfo=SEATTLE)


class FakeTwilio:
    """Records what would be sent; ``error`` makes every send fail."""

    def __init__(self, error: SmsSendError | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.error = error

    def send(self, to: str, body: str, status_callback: str) -> str:
        if self.error:
            raise self.error
        self.sent.append((to, body))
        return f"SM{len(self.sent):032d}"


@pytest.fixture
def twilio(monkeypatch) -> FakeTwilio:  # type: ignore[no-untyped-def]
    fake = FakeTwilio()
    monkeypatch.setattr(sending, "provider_for", lambda sms: fake)
    return fake


def test_quiet_hours_boundaries_on_the_store_clock():
    assert next_sending_moment(NOON, SEATTLE) == NOON
    assert next_sending_moment(LATE, SEATTLE) == datetime(2026, 6, 11, 8, 0, tzinfo=SEATTLE)
    early = datetime(2026, 6, 11, 6, 59, tzinfo=SEATTLE)
    assert next_sending_moment(early, SEATTLE) == datetime(2026, 6, 11, 8, 0, tzinfo=SEATTLE)
    nine_pm = datetime(2026, 6, 10, 21, 0, tzinfo=SEATTLE)
    assert next_sending_moment(nine_pm, SEATTLE) == datetime(2026, 6, 11, 8, 0, tzinfo=SEATTLE)


def test_a_text_due_at_2230_store_time_waits_until_8_next_morning(company_a, twilio):
    # given an opted-in shopper of a Seattle store and a text due at 22:30 there
    sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_IN)
    message = queue_text(persona, "Deal of the day", MessageKind.MARKETING, at=LATE)

    # when the outbox runs at 22:30, and again at 7:59
    sending.send_due_texts(LATE)
    message.refresh_from_db()
    assert message.status == MessageStatus.WAITING_QUIET_HOURS
    assert message.send_after == datetime(2026, 6, 11, 8, 0, tzinfo=SEATTLE)
    sending.send_due_texts(datetime(2026, 6, 11, 7, 59, tzinfo=SEATTLE))
    assert twilio.sent == []

    # then it goes at 8:00
    sending.send_due_texts(datetime(2026, 6, 11, 8, 0, tzinfo=SEATTLE))
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert twilio.sent == [(persona.phone, "Deal of the day")]


@pytest.mark.parametrize(
    ("consent", "reason"),
    [
        (Consent.UNKNOWN, RefusalReason.NOT_OPTED_IN),
        (Consent.PENDING, RefusalReason.NOT_OPTED_IN),
        (Consent.OPTED_OUT, RefusalReason.OPTED_OUT),
    ],
)
def test_a_marketing_text_never_goes_to_a_number_not_opted_in(company_a, twilio, consent, reason):
    sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=consent)
    message = queue_text(persona, "Deal", MessageKind.MARKETING, at=NOON)

    sending.send_due_texts(NOON)

    message.refresh_from_db()
    assert (message.status, message.refusal_reason) == (MessageStatus.REFUSED, reason)
    assert twilio.sent == []


def test_an_opt_in_request_goes_only_while_consent_is_pending(company_a, twilio):
    sms_settings_for(company_a)
    pending = PersonaFactory(company=company_a, sms_consent=Consent.PENDING)
    stopped = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_OUT)
    queue_text(pending, "Reply YES", MessageKind.OPT_IN_REQUEST, at=NOON)
    queue_text(stopped, "Reply YES", MessageKind.OPT_IN_REQUEST, at=NOON)

    sending.send_due_texts(NOON)

    assert twilio.sent == [(pending.phone, "Reply YES")]
    assert OutboundMessage.objects.get(persona=stopped).status == MessageStatus.REFUSED


def test_the_daily_limit_holds_the_rest_until_the_next_morning(company_a, twilio):
    sms_settings_for(company_a, daily_limit=2)
    personas = PersonaFactory.create_batch(3, company=company_a, sms_consent=Consent.OPTED_IN)
    for persona in personas:
        queue_text(persona, "Deal", MessageKind.MARKETING, at=NOON)

    sending.send_due_texts(NOON)

    assert len(twilio.sent) == 2
    held = OutboundMessage.objects.get(status=MessageStatus.QUEUED)
    assert held.send_after == datetime(2026, 6, 11, 8, 0, tzinfo=SEATTLE)
    assert "Daily limit of 2" in held.detail
    # the next day it goes
    sending.send_due_texts(datetime(2026, 6, 11, 9, 0, tzinfo=SEATTLE))
    assert len(twilio.sent) == 3


def test_an_answer_to_the_shoppers_own_stop_goes_at_night_to_the_opted_out_number(
    company_a, twilio
):
    sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_OUT)
    queue_text(persona, "You're unsubscribed", MessageKind.OPT_OUT_CONFIRMATION, at=LATE)

    sending.send_due_texts(LATE)

    assert twilio.sent == [(persona.phone, "You're unsubscribed")]


def test_a_transient_failure_requeues_and_a_permanent_one_fails(company_a, monkeypatch):
    sms_settings_for(company_a)
    persona = PersonaFactory(company=company_a, sms_consent=Consent.OPTED_IN)
    message = queue_text(persona, "Deal", MessageKind.MARKETING, at=NOON)
    monkeypatch.setattr(
        sending, "provider_for", lambda sms: FakeTwilio(SmsSendError("503", permanent=False))
    )

    sending.send_due_texts(NOON)
    message.refresh_from_db()
    assert (message.status, message.sent_at) == (MessageStatus.QUEUED, None)
    assert message.send_after > NOON

    monkeypatch.setattr(
        sending, "provider_for", lambda sms: FakeTwilio(SmsSendError("21211", permanent=True))
    )
    sending.send_due_texts(message.send_after)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
