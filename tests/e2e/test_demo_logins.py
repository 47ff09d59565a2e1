"""A person logs in to the demo account and sees what their role allows."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from aiq.personas.models import Persona
from stores.queue.choices import QueueState
from stores.queue.models import CheckIn
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Demo-77"


def log_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_owner_logs_in_and_sees_demo_personas(page, live_server):
    call_command("seed_demo", "--password", PASSWORD)
    newest = Persona.objects.order_by("-id").first()

    log_in(page, live_server, "owner")
    # the owner's dashboard reaches the store settings too
    main = page.locator("#content-main")
    expect(main.get_by_role("rowheader", name="Retail Stores").get_by_role("link")).to_be_visible()
    page.locator("#content-main").get_by_role("rowheader", name="Personas").get_by_role(
        "link"
    ).click()

    expect(page.get_by_role("heading", name="Personas", exact=True)).to_be_visible()
    expect(page.locator("#result_list tbody tr")).to_have_count(50)
    expect(page.get_by_text(newest.last_name).first).to_be_visible()
    screenshot(page, "owner-personas")

    # search by a phone typed the way a budtender would
    with_phone = Persona.objects.exclude(phone="").order_by("id").first()
    digits = with_phone.phone[2:]
    page.get_by_role("textbox", name="Search").fill(f"({digits[:3]}) {digits[3:6]}-{digits[6:]}")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name=with_phone.full_name).first).to_be_visible()
    expect(page.locator("#result_list tbody tr")).to_have_count(
        Persona.objects.filter(phone=with_phone.phone).count()
    )


def test_budtender_lands_on_the_queue_and_sees_only_what_a_budtender_may(page, live_server):
    call_command("seed_demo", "--password", PASSWORD)
    waiting = list(
        CheckIn.objects.filter(store__name="Capitol Hill", state=QueueState.WAITING).order_by(
            "checked_in_at"
        )
    )
    assert len(waiting) >= 3

    log_in(page, live_server, "budtender")

    # the login opens the Capitol Hill waiting room, its seeded shoppers waiting
    expect(page).to_have_url(f"{live_server.url}/admin/queue/checkin/")
    rows = page.locator("#queue-rows .queue-row")
    expect(rows).to_have_count(len(waiting))
    for entry in waiting:
        expect(rows.filter(has_text=entry.display_name)).to_have_count(1)
    screenshot(page, "budtender-lands-on-queue")

    # the dashboard offers personas and the queue, and none of the owner's screens
    page.goto(f"{live_server.url}/admin/")
    main = page.locator("#content-main")
    expect(main.get_by_role("rowheader", name="Personas").get_by_role("link")).to_be_visible()
    for hidden in ("Retail Stores", "Settings", "Periodic tasks", "Users", "Integrations"):
        assert main.get_by_role("link", name=hidden).count() == 0
    screenshot(page, "budtender-index")
    page.goto(f"{live_server.url}/admin/stores/retailstore/")
    expect(page.get_by_text("403 Forbidden")).to_be_visible()
