"""The queue's rows as HTML, written in Python.

The update call answers every change with the whole list, and a page left open all day
asks for it each time the store's queue moves. With two hundred shoppers waiting, the
Django template for the rows (a loop of loops, a {% url %} and a {% csrf_token %} per
row) cost 80 % of the call, several times the query (bench_queue). The same markup
written here costs a small fraction: URLs are formatted from one reverse per page, the
CSRF field is made once, and every value is escaped as the template would escape it.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from stores.queue.board import Row

EMPTY = '<p class="queue-empty">Nobody is waiting.</p>'
MAIN_CLASS = ' class="default"'


def render_rows(request: HttpRequest, rows: Sequence[Row]) -> SafeString:
    if not rows:
        return mark_safe(EMPTY)  # noqa: S308 - a constant
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
    profile_url = reverse("admin:queue_shopper", args=[0]).replace("/0/", "/{}/")
    parts = ['<ul class="queue-list">']
    for row in rows:
        parts.append(_row(row, csrf, profile_url))
    parts.append("</ul>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every value below is escaped


def _row(row: Row, csrf: str, profile_url: str) -> str:
    entry = row.entry
    vip = (
        f' <span class="queue-vip" title="{escape(row.vip_reason)}">VIP</span>'
        if row.vip_reason
        else ""
    )
    points = f"&middot; {escape(row.points_text)} points" if row.linked else ""
    if not row.linked:
        status = '<span class="queue-status queue-status-unlinked">No phone</span>'
    else:
        href = escape(profile_url.format(entry.persona_id) + f"?check_in={entry.pk}")
        kind, label = ("enrolled", "Enrolled") if row.enrolled else ("signup", "Signup")
        status = f'<a class="queue-status queue-status-{kind}" href="{href}">{label}</a>'
    form = ""
    if row.actions:
        buttons = "".join(
            f'<button type="submit" name="to_state" value="{escape(state)}"'
            f"{MAIN_CLASS if main else ''}>{escape(label)}</button>"
            for state, label, main in row.buttons
        )
        form = f'<form method="post" action="{escape(row.move_url)}">{csrf}{buttons}</form>'
    return (
        f'<li class="queue-row {escape(row.css_class)}" data-check-in="{entry.pk}">'
        '<div class="queue-who">'
        f'<div class="queue-name">{escape(row.name)}{vip}</div>'
        '<div class="queue-meta">'
        f"{escape(row.state_label)} &middot; here "
        f'<time class="queue-since" datetime="{escape(row.since_iso)}">'
        f"{escape(row.since_text)}</time> {points} &middot; {escape(row.door_label)}"
        "</div></div>"
        f'{status}<div class="queue-actions">{form}</div></li>'
    )
