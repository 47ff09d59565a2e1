"""Sync health on the integration card: the context its panel shows and "Sync now".

``IntegrationAdmin`` (``admin.py``) inherits ``SyncHealthAdminMixin``; the card template
includes ``admin/integrations/integration/_sync_health.html``, which reads
``sync_health`` (``integrations.sync.health.CardHealth``), ``sync_now_url`` and
``can_sync_now`` from the context this mixin adds. The run and quarantine admins live in
``admin_runs`` and are registered when this module is imported.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from integrations import admin_runs  # noqa: F401  (registers the run and quarantine admins)
from integrations.choices import IntegrationStatus
from integrations.models import Integration
from integrations.sync.health import card_health
from integrations.sync.scheduling import request_sync

SYNCABLE = (IntegrationStatus.CONNECTED, IntegrationStatus.FROZEN)


class SyncHealthAdminMixin:
    """Adds the sync health panel's context and the "Sync now" POST URL to a card admin."""

    def get_urls(self) -> list:  # type: ignore[type-arg]
        name = f"{self.opts.app_label}_{self.opts.model_name}"  # type: ignore[attr-defined]
        wrap = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path(
                "<path:object_id>/sync-now/",
                wrap(require_POST(self.sync_now_view)),
                name=f"{name}_sync_now",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def sync_health_context(self, request: HttpRequest, card: Integration) -> dict[str, Any]:
        """What the sync health panel shows for ``card``."""
        name = f"{self.opts.app_label}_{self.opts.model_name}"  # type: ignore[attr-defined]
        return {
            "sync_health": card_health(card),
            "sync_now_url": reverse(
                f"{self.admin_site.name}:{name}_sync_now",  # type: ignore[attr-defined]
                args=[card.pk],
            ),
            "can_sync_now": card.status in SYNCABLE and self.has_change_permission(request, card),  # type: ignore[attr-defined]
            "runs_url": reverse(f"{self.admin_site.name}:integrations_syncrun_changelist")  # type: ignore[attr-defined]
            + f"?integration__id__exact={card.pk}",
            "quarantine_url": reverse(
                f"{self.admin_site.name}:integrations_quarantinedrecord_changelist"  # type: ignore[attr-defined]
            )
            + f"?integration__id__exact={card.pk}&resolved__exact=0",
        }

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None and obj.pk:
            context.update(self.sync_health_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)  # type: ignore[misc]

    def sync_now_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """ "Sync now": queue a run of every stream of every working credential."""
        card = self.get_object(request, unquote(object_id))  # type: ignore[attr-defined]
        if not self.has_change_permission(request, card):  # type: ignore[attr-defined]
            raise PermissionDenied
        card_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",  # type: ignore[attr-defined]
            args=[card.pk],
        )
        if card.status not in SYNCABLE:
            self.message_user(  # type: ignore[attr-defined]
                request,
                "Connect the card first: only a connected card can sync.",
                messages.ERROR,
            )
            return HttpResponseRedirect(card_url)
        runs = request_sync(card)
        if not runs:
            self.message_user(  # type: ignore[attr-defined]
                request,
                "No working credential to sync: fix the failing ones and connect again.",
                messages.ERROR,
            )
        elif card.status == IntegrationStatus.FROZEN:
            self.message_user(  # type: ignore[attr-defined]
                request,
                "The card is frozen (using AIQ's last backup): the runs are recorded, but "
                "nothing is requested from the POS.",
                messages.WARNING,
            )
        else:
            self.message_user(  # type: ignore[attr-defined]
                request,
                f"Sync queued: {len(runs)} run(s). They start within seconds; this page "
                "shows them as they finish.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(card_url)
