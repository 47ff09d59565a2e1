"""Merges of two personas found to be one shopper, recorded so staff can undo them."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from aiq.accounts.models import TenantModel
from aiq.personas.choices import MatchedOn
from aiq.personas.models.persona import Persona


class PersonaMerge(TenantModel):
    """``merged_persona_id`` was folded into ``survivor``.

    ``snapshot`` holds everything undo needs, nothing is recomputed: the merged persona's
    fields, its identities (ids and rows), the ids of the sales moved over, and the
    survivor's values for every field the merge changed. ``field_winners`` says, for each
    compared field, which value won and why; the persona card shows it.
    """

    survivor = models.ForeignKey(Persona, on_delete=models.CASCADE, related_name="merges")
    merged_persona_id = models.BigIntegerField(help_text="The id the merged persona had.")
    merged_persona_label = models.CharField(max_length=300, blank=True)
    matched_on = models.CharField(max_length=20, choices=MatchedOn.choices)
    reason = models.CharField(max_length=300, blank=True)
    snapshot = models.JSONField(default=dict)
    field_winners = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "persona merge"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.merged_persona_label or self.merged_persona_id} merged into {self.survivor_id}"
        )

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
