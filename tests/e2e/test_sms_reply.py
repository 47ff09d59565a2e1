"""A person answers a double opt-in request as the shopper, on the Twilio sandbox's phone
page in a real browser; the signed webhook opts the shopper in, and the persona card's
consent history shows the reply."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aiq.messaging.double_opt_in import request_opt_ins
from aiq.messaging.sandbox_setup import connect_sandbox_number
from aiq.messaging.sending import send_due_texts
from aiq.personas.choices import Consent, ConsentProvenance
from aiq.personas.models import ConsentEvent, Persona
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, MembershipFactory, PersonaFactory
from tests.integrations.factories import IntegrationFactory
from tests.messaging.conftest import sms_settings_for
from tests.personas.factories import NOON_UTC, make_sale

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEATTLE = ZoneInfo("America/Los_Angeles")


def test_a_shopper_replies_yes_on_the_sandbox_phone(page, live_server, settings):
    # given a Seattle dispensary on the Twilio sandbox whose card asked a recent buyer
    settings.POS_SANDBOX_ORIGIN = live_server.url
    settings.SMS_SEND_AT_ONCE = False
    membership = MembershipFactory(company__name="Evergreen Cannabis")
    company = membership.company
    sms = sms_settings_for(company)
    connect_sandbox_number(sms)
    card = IntegrationFactory(company=company, sms_double_opt_in_after=NOON_UTC.date())
    shopper = PersonaFactory(company=company, first_name="Marisol", phone="+12065550134")
    make_sale(shopper, "S-1")
    assert request_opt_ins(card) == 1
    local = timezone.now().astimezone(SEATTLE)
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    send_due_texts(noon if noon > local else noon + timedelta(days=1))

    # when a person opens the sandbox phone and answers "Yes" as the shopper
    page.goto(f"{live_server.url}/sandbox/twilio/phone/?number=%2B12065550134")
    expect(page.get_by_text("Reply YES to join Evergreen Cannabis texts")).to_be_visible()
    page.get_by_role("textbox", name="Reply to").first.fill("Yes")
    page.get_by_role("button", name="Reply").first.click()
    expect(page.get_by_role("cell", name="Yes", exact=True)).to_be_visible()
    screenshot(page, "sms-sandbox-phone-reply")

    # then the shopper is opted in by a double opt-in reply ...
    assert Persona.objects.get(pk=shopper.pk).sms_consent == Consent.OPTED_IN
    reply = ConsentEvent.objects.filter(persona=shopper).latest("occurred_at", "pk")
    assert reply.provenance == ConsentProvenance.DOUBLE_OPT_IN_REPLY

    # ... and the owner reads it in the card's consent history
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(membership.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/admin/personas/persona/{shopper.pk}/change/")
    history = page.get_by_role("table", name="Consent history")
    expect(history.get_by_role("row").nth(1)).to_contain_text("Double opt-in reply")
    expect(history.get_by_role("row").nth(2)).to_contain_text("Double opt-in request")
    expect(history).to_contain_text("When (store time)")
    history.scroll_into_view_if_needed()
    screenshot(page, "sms-consent-history")
