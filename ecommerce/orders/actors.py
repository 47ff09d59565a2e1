"""Who did something to an order, as the timeline records it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    label: str
    user: Any = None

    @classmethod
    def staff(cls, user: Any) -> Actor:
        return cls(user.get_username(), user)


SHOPPER = Actor("shopper")
SYSTEM = Actor("system")


def record(order: Any, actor: Actor, kind: str, note: str = "", **statuses: str) -> None:
    """Append one event to ``order``'s timeline."""
    from ecommerce.models import OrderEvent

    OrderEvent.objects.create(
        company_id=order.company_id,
        order=order,
        kind=kind,
        actor=actor.label,
        user=actor.user,
        note=note,
        from_status=statuses.get("from_status", ""),
        to_status=statuses.get("to_status", ""),
    )
