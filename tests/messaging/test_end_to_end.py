"""SMS double opt-in end to end on the sandboxes: our app on a socket (the Twilio sandbox
and our signed webhooks both served by it), a POS sync bringing the sales, the outbox
sending through the Twilio sandbox, shoppers replying from the sandbox's phone."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone

from aiq.messaging.choices import MessageKind, MessageStatus, RefusalReason
from aiq.messaging.double_opt_in import request_for_company
from aiq.messaging.gateway import inbound_url
from aiq.messaging.models import OutboundMessage
from aiq.messaging.outbox import queue_text
from aiq.messaging.sandbox_setup import connect_sandbox_number
from aiq.messaging.sending import send_due_texts
from aiq.personas.choices import Consent, ConsentChannel, ConsentProvenance
from aiq.personas.consent import ConsentOrigin, change_consent
from aiq.personas.models import ConsentEvent, Persona
from integrations.sandbox import server
from integrations.sandbox.twilio.callbacks import reply_as_shopper
from integrations.sandbox.twilio.models import SandboxSmsMessage
from integrations.sync.choices import RunStatus, Stream
from tests.factories import CompanyFactory, PersonaFactory
from tests.messaging.conftest import sms_settings_for
from tests.sync.factories import T0, SandboxCredentialFactory, customer, run_once, sale
from tests.sync.fakes import FakeProvider

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SEATTLE = ZoneInfo("America/Los_Angeles")


@pytest.fixture
def origin(monkeypatch, settings) -> Iterator[str]:
    """The app on a free port: the Twilio sandbox and our webhooks."""
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    with server.running_sandbox() as served:
        settings.POS_SANDBOX_ORIGIN = served
        yield served


def _next_noon_in_seattle() -> datetime:
    local = timezone.now().astimezone(SEATTLE)
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon > local else noon + timedelta(days=1)


def _texts_to(number: str) -> list[str]:
    return list(
        SandboxSmsMessage.objects.filter(direction=SandboxSmsMessage.OUTBOUND, to_number=number)
        .order_by("created_at", "pk")
        .values_list("body", flat=True)
    )


def _last_text_to(number: str) -> SandboxSmsMessage:
    return SandboxSmsMessage.objects.filter(to_number=number).latest("created_at", "pk")


def test_double_opt_in_on_the_sandboxes(origin):
    # given a Seattle dispensary with SMS on the Twilio sandbox, its number's inbound
    # webhook pointing at us, and a Cova card that texts buyers since the day before T0
    company = CompanyFactory(name="Evergreen Cannabis")
    sms = sms_settings_for(company)
    connect_sandbox_number(sms)
    credential = SandboxCredentialFactory(
        integration__company=company,
        integration__sms_double_opt_in_after=(T0 - timedelta(days=1)).date(),
    )
    shoppers = [
        customer("ann", phone="+12065550111"),
        customer("bob", phone="+12065550122"),
        customer("cat", phone="+12065550009"),  # the sandbox cannot deliver to it
        customer("dan", phone="+12065550144"),  # bought only before the date
        customer("eve", phone=None),  # no phone
    ]
    sales = [
        sale("s1", customer_external_id="ann"),
        sale("s2", customer_external_id="bob"),
        sale("s3", customer_external_id="cat"),
        sale("s4", customer_external_id="dan", occurred_at=T0 - timedelta(days=3)),
        sale("s5", customer_external_id="eve"),
    ]
    pos = FakeProvider(shoppers, sales)

    # when a sync brings the sales (its end-of-run hook asks the buyers) ...
    assert run_once(credential, Stream.CUSTOMERS, pos).status == RunStatus.OK
    assert run_once(credential, Stream.SALES, pos).status == RunStatus.OK
    # ... the daily job runs twice more, and the outbox sends at noon store time
    assert request_for_company(company.pk) == 0
    assert request_for_company(company.pk) == 0
    noon = _next_noon_in_seattle()
    send_due_texts(noon)

    # then exactly the eligible buyers got one request each, through the sandbox
    ann, bob, cat, dan, eve = (
        Persona.objects.get(company=company, phone=phone)
        if phone
        else Persona.objects.get(company=company, phone="")
        for phone in ("+12065550111", "+12065550122", "+12065550009", "+12065550144", None)
    )
    requests_sent = SandboxSmsMessage.objects.filter(direction=SandboxSmsMessage.OUTBOUND)
    assert sorted(requests_sent.values_list("to_number", flat=True)) == sorted(
        [ann.phone, bob.phone, cat.phone]
    )
    assert all(
        body.startswith("Reply YES to join Evergreen Cannabis texts")
        for body in requests_sent.values_list("body", flat=True)
    )
    assert not _texts_to(dan.phone) and not OutboundMessage.objects.filter(persona=eve).exists()
    # the sandbox's signed status callbacks reached us: delivered, and one undelivered
    statuses = dict(
        OutboundMessage.objects.filter(kind=MessageKind.OPT_IN_REQUEST).values_list(
            "persona_id", "status"
        )
    )
    assert statuses == {
        ann.pk: MessageStatus.DELIVERED,
        bob.pk: MessageStatus.DELIVERED,
        cat.pk: MessageStatus.FAILED,
    }

    # when Ann replies "yes" from her phone
    reply_as_shopper(_last_text_to(ann.phone), " yes")
    send_due_texts(noon)

    # then she is opted in by a double opt-in reply, and confirmed
    ann.refresh_from_db()
    assert ann.sms_consent == Consent.OPTED_IN
    joined = ConsentEvent.objects.filter(persona=ann).latest("occurred_at", "pk")
    assert (joined.provenance, joined.previous_status) == (
        ConsentProvenance.DOUBLE_OPT_IN_REPLY,
        Consent.PENDING,
    )
    assert _texts_to(ann.phone)[-1].startswith("You're in!")
    assert ann.loyalty_enrolled_at is None  # consent is not membership

    # when Bob replies STOP
    reply_as_shopper(_last_text_to(bob.phone), "STOP")
    send_due_texts(noon)

    # then he is opted out at once by a keyword reply, with the one confirmation ...
    bob.refresh_from_db()
    assert bob.sms_consent == Consent.OPTED_OUT
    stopped = ConsentEvent.objects.filter(persona=bob).latest("occurred_at", "pk")
    assert stopped.provenance == ConsentProvenance.KEYWORD_REPLY
    assert _texts_to(bob.phone)[-1].startswith("You're unsubscribed")
    texts_to_bob = len(_texts_to(bob.phone))

    # ... and no later automatic request reaches him: a new sale synced and the daily job
    # ask nobody, anything automatic asking again is refused, and a text queued for him
    # is refused when its turn comes
    recent = timezone.now() - timedelta(minutes=2)
    pos.sales.append(sale("s6", customer_external_id="bob", occurred_at=recent))
    assert run_once(credential, Stream.SALES, pos).created == 1
    assert request_for_company(company.pk) == 0
    automatic = ConsentOrigin(ConsentProvenance.IMPORT, source="test: automatic")
    assert change_consent(bob, ConsentChannel.SMS, Consent.PENDING, automatic).refused
    forced = queue_text(bob, "Weekend deal", MessageKind.MARKETING)
    send_due_texts(noon)
    forced.refresh_from_db()
    assert (forced.status, forced.refusal_reason) == (
        MessageStatus.REFUSED,
        RefusalReason.OPTED_OUT,
    )
    assert len(_texts_to(bob.phone)) == texts_to_bob
    assert Persona.objects.get(pk=bob.pk).sms_consent == Consent.OPTED_OUT

    # when a text to Ann is due at 22:30 store time
    late = noon.replace(hour=22, minute=30)
    waiting = queue_text(ann, "Friday deal", MessageKind.MARKETING, at=late)
    send_due_texts(late)

    # then it waits until 8:00 the next morning, and goes then
    waiting.refresh_from_db()
    assert waiting.status == MessageStatus.WAITING_QUIET_HOURS
    assert waiting.send_after == (late + timedelta(days=1)).replace(hour=8, minute=0)
    assert "Friday deal" not in _texts_to(ann.phone)
    send_due_texts(waiting.send_after)
    assert _texts_to(ann.phone)[-1] == "Friday deal"


def test_the_live_inbound_webhook_refuses_a_forged_text(origin):
    company = CompanyFactory()
    sms = sms_settings_for(company)

    answer = requests.post(
        inbound_url(sms),
        data={"From": "+12065550111", "Body": "YES", "MessageSid": "SM" + "9" * 32},
        headers={"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"},
        timeout=10,
    )

    assert answer.status_code == 403


def test_the_sandboxs_refusals_and_outages_reach_the_outbox(origin):
    # given opted-in shoppers whose numbers the sandbox refuses (0001) or cannot reach
    # for now (0500), and one it delivers to
    company = CompanyFactory()
    sms_settings_for(company)
    numbers = {"invalid": "+12065550001", "outage": "+12065550500", "fine": "+12065550177"}
    messages = {
        name: queue_text(
            PersonaFactory(company=company, phone=number, sms_consent=Consent.OPTED_IN),
            "Deal",
            MessageKind.MARKETING,
        )
        for name, number in numbers.items()
    }

    # when the outbox sends them through the real Twilio client
    noon = _next_noon_in_seattle()
    send_due_texts(noon)

    # then the refusal fails its text with Twilio's error code, the outage puts its text
    # back for later, and the third is delivered
    for message in messages.values():
        message.refresh_from_db()
    assert messages["invalid"].status == MessageStatus.FAILED
    assert "21211" in messages["invalid"].detail
    assert messages["outage"].status == MessageStatus.QUEUED
    assert messages["outage"].send_after > noon
    assert messages["fine"].status == MessageStatus.DELIVERED
    assert SandboxSmsMessage.objects.count() == 1
