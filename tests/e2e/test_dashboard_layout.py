"""The dashboard's section blocks line up: every one as wide as the others, whatever the
length of its groups' descriptions (Marketing's is the longest)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Browser-Demo-77"


def test_every_dashboard_section_is_as_wide_as_the_others(page, live_server):
    # given the demo's owner on the dashboard
    call_command("seed_demo", "--password", PASSWORD)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.locator("#section-marketing").wait_for()

    # then each section block, and the group tables in it, share one width
    widths = page.eval_on_selector_all(
        ".hub-dashboard .hub-section",
        "nodes => nodes.map(n => [n.id, n.getBoundingClientRect().width,"
        " Math.max(...Array.from(n.querySelectorAll('table'), t =>"
        " t.getBoundingClientRect().width))])",
    )
    screenshot(page, "dashboard-sections")
    assert len(widths) >= 3 and "section-marketing" in [name for name, _, _ in widths]
    block = widths[0][1]
    for name, width, table in widths:
        assert abs(width - block) < 1, (name, width, block)
        assert table <= width + 0.5, (name, table, width)
