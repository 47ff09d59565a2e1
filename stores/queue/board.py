"""What the queue page shows for one store, and the version that says whether it changed.

The rows come from one query whatever the number waiting: the persona and its points
account are joined, never fetched per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from stores.models import RetailStore
from stores.queue.choices import ON_THE_QUEUE, TRANSITIONS, QueueState
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


@dataclass(frozen=True)
class Row:
    entry: CheckIn
    name: str
    waiting_since: datetime
    linked: bool
    enrolled: bool
    points: Decimal
    actions: tuple[tuple[str, str], ...]


def rows_for(store_id: int) -> list[Row]:
    entries = (
        CheckIn.objects.filter(store_id=store_id, state__in=ON_THE_QUEUE)
        .select_related("persona", "persona__loyalty_account")
        .order_by("checked_in_at", "pk")[:MAX_ROWS]
    )
    rows = []
    for entry in entries:
        persona = entry.persona
        account = getattr(persona, "loyalty_account", None) if persona is not None else None
        allowed = TRANSITIONS[entry.state]
        rows.append(
            Row(
                entry=entry,
                name=entry.display_name,
                waiting_since=entry.checked_in_at,
                linked=persona is not None,
                enrolled=persona is not None and persona.is_loyalty_member,
                points=account.balance if account is not None else Decimal(0),
                actions=tuple((state, label) for state, label in ACTIONS if state in allowed),
            )
        )
    return rows


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
