"""Audiences: named sets of shoppers described by conditions, counted when read."""

from __future__ import annotations

from django.db import models

from aiq.accounts.models import TenantModel


class Match(models.TextChoices):
    ALL = "all", "All conditions (AND)"
    ANY = "any", "Any condition (OR)"


class Audience(TenantModel):
    """A segment of a company's personas, e.g. "Delivery shoppers".

    ``conditions`` is a list of rows such as ``{"type": "fulfillment", "value": "delivery"}``
    validated against ``aiq/audiences/conditions.py``; members are never stored: every
    size, sample, export and wallet check compiles the rows to one query on read, so an
    audience is always as current as the last sync.
    """

    name = models.CharField(max_length=100)
    match = models.CharField(
        "shoppers who match", max_length=3, choices=Match.choices, default=Match.ALL
    )
    conditions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="audience_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
