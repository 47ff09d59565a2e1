from __future__ import annotations

from django.db import models


class DiscountKind(models.TextChoices):
    # Cova supports only these two: flat and percentage discounts on the whole cart.
    FLAT = "flat", "Flat $ off the cart"
    PERCENT = "percent", "% off the cart"
