"""What the queue page shows for one store, and the version that says whether it changed.

The rows come from one query whatever the number waiting: the persona and its points
account are joined, never fetched per row, and the VIP hint (stores/queue/vip.py) is two
subqueries of the same query (the shopper's spend, the company's stored VIP line).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from stores.models import RetailStore
from stores.queue import vip
from stores.queue.choices import ON_THE_QUEUE, TRANSITIONS, CheckInDoor, QueueState
from stores.queue.models import CheckIn, StoreQueue

# A page of check-ins, oldest first: a waiting room longer than this is a different problem.
MAX_ROWS = 300

# Labels of the buttons moving a check-in to each state, in the order shown.
ACTIONS = (
    (QueueState.BEING_SERVED, "Serve"),
    (QueueState.DONE, "Done"),
    (QueueState.WAITING, "Back to waiting"),
    (QueueState.NO_SHOW, "No-show"),
    (QueueState.REMOVED, "Remove"),
)


# The buttons drawn as the row's main action.
MAIN_ACTIONS = frozenset({QueueState.BEING_SERVED, QueueState.DONE})
STATE_CLASSES = {
    state: f"is-{state.replace('_', '')}"
    + (" is-being-served" if state == QueueState.BEING_SERVED else "")
    for state in QueueState
}


@dataclass(frozen=True)
class Row:
    entry: CheckIn
    name: str
    waiting_since: datetime
    linked: bool
    enrolled: bool
    points: Decimal
    # Why the shopper wears the VIP badge, or "" when they do not.
    vip_reason: str
    actions: tuple[tuple[str, str], ...]
    # Where the row's buttons post (one form per row, each button names its state).
    move_url: str
    # Ready to print: with two hundred rows, every filter and method call the template
    # would make per row (timesince, date, floatformat, get_..._display) adds up to more
    # than the query (bench_queue); Python makes them once and more cheaply.
    css_class: str
    state_label: str
    door_label: str
    since_iso: str
    since_text: str
    points_text: str
    # (state, label, is the row's main action)
    buttons: tuple[tuple[str, str, bool], ...]


def rows_for(store_id: int) -> list[Row]:
    entries = (
        CheckIn.objects.filter(store_id=store_id, state__in=ON_THE_QUEUE)
        .select_related("persona", "persona__loyalty_account")
        # Only what a row shows: the persona's two dozen columns (JSON among them) and the
        # account's nine, built into models two hundred times, cost more than the SQL.
        # A template reading another persona field would cost a query per row, which
        # tests/queue's query-count tests catch.
        .only(
            *(field.name for field in CheckIn._meta.concrete_fields),
            "persona__first_name",
            "persona__last_name",
            "persona__loyalty_enrolled_at",
            "persona__loyalty_account__balance",
        )
        .annotate(lifetime_spend=vip.spend_of_persona(), vip_line=vip.line_of_company())
        .order_by("checked_in_at", "pk")[:MAX_ROWS]
    )
    # One reverse for the whole page: two hundred rows of {% url %} in the template cost
    # more than the query that fetched them (bench_queue).
    move_url = reverse("admin:queue_checkin_move", args=[0]).replace("/0/", "/{}/")
    now = timezone.now()
    rows = []
    for entry in entries:
        persona = entry.persona
        account = getattr(persona, "loyalty_account", None) if persona is not None else None
        allowed = TRANSITIONS[entry.state]
        is_vip = (
            persona is not None
            and entry.vip_line is not None
            and entry.lifetime_spend >= entry.vip_line
        )
        actions = tuple((state, label) for state, label in ACTIONS if state in allowed)
        points = account.balance if account is not None else Decimal(0)
        rows.append(
            Row(
                entry=entry,
                name=entry.display_name,
                waiting_since=entry.checked_in_at,
                linked=persona is not None,
                enrolled=persona is not None and persona.is_loyalty_member,
                points=points,
                vip_reason=vip.why(entry.vip_line) if is_vip else "",
                actions=actions,
                move_url=move_url.format(entry.pk),
                css_class=STATE_CLASSES[entry.state],
                state_label=QueueState(entry.state).label,
                door_label=CheckInDoor(entry.door).label,
                since_iso=entry.checked_in_at.isoformat(),
                since_text=waited(now - entry.checked_in_at),
                points_text=f"{points.quantize(Decimal(1), ROUND_HALF_UP):f}",
                buttons=tuple((state, label, state in MAIN_ACTIONS) for state, label in actions),
            )
        )
    return rows


def waited(elapsed: timedelta) -> str:
    """Time waiting, worded as the page's script words it when it ticks (queue.js)."""
    minutes = max(0, int(elapsed.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"
    hours = minutes // 60
    return f"{hours} hour{'' if hours == 1 else 's'}, {minutes % 60} min"


def etag(store_id: int, version: int) -> str:
    return f'"queue-{store_id}-{version}"'


def current_etag(store_id: int, *, within: QuerySet[RetailStore]) -> str | None:
    """The store's queue version as an ETag, or None when the store is not ``within`` the
    stores asked about (or has no queue yet): one indexed read."""
    version = (
        StoreQueue.objects.filter(store_id=store_id, store__in=within)
        .values_list("version", flat=True)
        .first()
    )
    return None if version is None else etag(store_id, version)
