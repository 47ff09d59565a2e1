"""The shopper's cart: product id -> quantity, in the session, one cart per store."""

from __future__ import annotations

from django.http import HttpRequest

from ecommerce.models import CovaEcommerceSettings
from ecommerce.orders.limits import MAX_LINES_PER_ORDER, MAX_UNITS_PER_LINE
from ecommerce.orders.placement import CartItem


class SessionCart:
    def __init__(self, request: HttpRequest, settings: CovaEcommerceSettings) -> None:
        self.session = request.session
        self.key = f"shop:{settings.pk}:cart"

    def quantities(self) -> dict[int, int]:
        raw = self.session.get(self.key) or {}
        return {int(pk): int(quantity) for pk, quantity in raw.items()}

    def items(self) -> list[CartItem]:
        return [CartItem(pk, quantity) for pk, quantity in self.quantities().items()]

    def count(self) -> int:
        return sum(self.quantities().values())

    def set(self, product_id: int, quantity: int) -> None:
        """Set a product's quantity (capped per line; 0 removes it)."""
        current = self.quantities()
        quantity = max(0, min(quantity, MAX_UNITS_PER_LINE))
        if quantity == 0:
            current.pop(product_id, None)
        elif product_id in current or len(current) < MAX_LINES_PER_ORDER:
            current[product_id] = quantity
        self._save(current)

    def add(self, product_id: int, quantity: int) -> None:
        self.set(product_id, self.quantities().get(product_id, 0) + quantity)

    def clear(self) -> None:
        self.session.pop(self.key, None)

    def _save(self, current: dict[int, int]) -> None:
        self.session[self.key] = {str(pk): quantity for pk, quantity in current.items()}
