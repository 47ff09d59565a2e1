from __future__ import annotations

from django.db import models


class QueueState(models.TextChoices):
    """Where a checked-in shopper is: on the queue (waiting, being served) or off it."""

    WAITING = "waiting", "Waiting"
    BEING_SERVED = "being_served", "Being served"
    DONE = "done", "Done"
    NO_SHOW = "no_show", "No-show"
    REMOVED = "removed", "Removed"


class CheckInDoor(models.TextChoices):
    """How the shopper reached the queue: three doors, one queue."""

    CHECK_IN_PAGE = "check_in_page", "Check-in page"
    API = "api", "API"
    WALK_IN = "walk_in", "Staff walk-in"


# The states shown on the queue page.
ON_THE_QUEUE = (QueueState.WAITING, QueueState.BEING_SERVED)

# state -> the states staff may move it to. Done and removed are final; a no-show who turns
# up after all goes back to waiting, and a shopper served by mistake goes back too.
TRANSITIONS: dict[str, frozenset[str]] = {
    QueueState.WAITING: frozenset(
        {QueueState.BEING_SERVED, QueueState.NO_SHOW, QueueState.REMOVED}
    ),
    QueueState.BEING_SERVED: frozenset(
        {QueueState.DONE, QueueState.WAITING, QueueState.NO_SHOW, QueueState.REMOVED}
    ),
    QueueState.NO_SHOW: frozenset({QueueState.WAITING, QueueState.REMOVED}),
    QueueState.DONE: frozenset(),
    QueueState.REMOVED: frozenset(),
}
