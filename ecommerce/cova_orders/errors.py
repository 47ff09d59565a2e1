"""The two ways pushing or reading an order fails: retry later, or a person must act.

Both are ``ProviderError``s (so Celery pickles them whole and ``permanent`` says which is
which); ``order_message`` is Cova's own reason in plain words when it gave one.
"""

from __future__ import annotations

from typing import Any

from integrations.providers.errors import ProviderError


class CovaOrderError(ProviderError):
    code = "cova-order"

    def __init__(self, detail: str = "", *, order_message: str = "", **kwargs: Any) -> None:
        self.order_message = order_message
        super().__init__(detail, **kwargs)


class CovaOrderRetryable(CovaOrderError):
    """A transient failure (5xx, 429, a timeout, Cova's TransientProcessingFailure): push
    the same GUID again later; it cannot make a second order."""

    code = "cova-order-retry"
    permanent = False
    default_user_message = "Cova could not take the order just now. AIQ will send it again."


class CovaOrderRejected(CovaOrderError):
    """Cova refused the order for a reason sending it again will not fix; ``order_message``
    says why (a product not sold at the location, the integrator id, the credentials)."""

    code = "cova-order-rejected"
    permanent = True
    default_user_message = "Cova refused the order."

    def __init__(self, detail: str = "", *, order_message: str = "", **kwargs: Any) -> None:
        if order_message and not kwargs.get("user_message"):
            kwargs["user_message"] = f"Cova refused the order: {order_message}"
        super().__init__(detail, order_message=order_message, **kwargs)


class CovaOrderMissing(CovaOrderRejected):
    """Cova has no order with this GUID (it never arrived): push it, do not poll it."""

    code = "cova-order-missing"
    default_user_message = "Cova has no order with this id."
