from __future__ import annotations

from django.db import models


class Rounding(models.TextChoices):
    DOWN = "down", "Round down"
    UP = "up", "Round up"
    NEAREST = "nearest", "Round to the nearest point"
    FRACTIONAL = "fractional", "Fractional (keep hundredths of a point)"


class ExpirationMode(models.TextChoices):
    NONE = "none", "Points never expire"
    LEGACY = "legacy", "Legacy: the whole balance expires after N days without a transaction"
    FIFO = "fifo", "First in, first out: each award expires N days after it was earned"


class ProgramEventAction(models.TextChoices):
    CREATED = "created", "Program created"
    SETTINGS_CHANGED = "settings_changed", "Settings changed"
    TURNED_ON = "turned_on", "Loyalty turned on"
    TURNED_OFF = "turned_off", "Loyalty turned off"
