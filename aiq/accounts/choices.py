from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    MARKETER = "marketer", "Marketer"
    BUDTENDER = "budtender", "Budtender"
