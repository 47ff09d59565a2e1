from __future__ import annotations

from django.db import models


class RedemptionStatus(models.TextChoices):
    HELD = "held", "Points on hold"
    RELEASED = "released", "Hold released"
    REDEEMED = "redeemed", "Redeemed"
    REVERSED = "reversed", "Points returned"
