"""The persona card's loyalty POSTs (and the full points history), for PersonaAdmin."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from aiq.personas.models import Persona
from loyalty.card.adjustments import (
    ADD,
    ADJUST_PERMISSION,
    AdjustmentRefused,
    adjust_points,
)
from loyalty.card.forms import AdjustmentForm
from loyalty.card.refunds import remove_refund_points
from loyalty.card.wallet import wallet_summary
from loyalty.ledger.errors import LedgerError
from loyalty.program.points import say_points

View = Callable[..., HttpResponse]
HISTORY_LIMIT = 1000


def _persona(model_admin: Any, request: HttpRequest, object_id: str) -> Persona:
    # get_object goes through the tenant-scoped queryset: another company's persona is 404.
    persona = model_admin.get_object(request, unquote(object_id))
    if persona is None:
        raise Http404("No such persona.")
    return persona


def _back(model_admin: Any, persona: Persona) -> HttpResponseRedirect:
    url = reverse(f"{model_admin.admin_site.name}:personas_persona_change", args=[persona.pk])
    return HttpResponseRedirect(f"{url}#persona-loyalty")


def adjust_points_view(model_admin: Any) -> View:
    def view(request: HttpRequest, object_id: str) -> HttpResponse:
        persona = _persona(model_admin, request, object_id)
        if not request.user.has_perm(ADJUST_PERMISSION):
            raise PermissionDenied
        form = AdjustmentForm(request.POST)
        if not form.is_valid():
            for error in form.errors_in_words():
                model_admin.message_user(request, error, messages.ERROR)
            return _back(model_admin, persona)
        data = form.cleaned_data
        try:
            entry = adjust_points(
                persona,
                data["direction"],
                data["points"],
                data["reason"],
                staff_user=request.user,
            )
        except (AdjustmentRefused, LedgerError) as refused:
            model_admin.message_user(request, str(refused), messages.ERROR)
        else:
            verb = "Added" if data["direction"] == ADD else "Removed"
            model_admin.message_user(
                request,
                f"{verb} {say_points(abs(entry.points))} points "
                f"({data['reason'].strip()}). The balance is now "
                f"{say_points(entry.account.balance)}.",
                messages.SUCCESS,
            )
        return _back(model_admin, persona)

    return view


def remove_refund_points_view(model_admin: Any) -> View:
    def view(request: HttpRequest, object_id: str, refund_id: int) -> HttpResponse:
        persona = _persona(model_admin, request, object_id)
        if not request.user.has_perm(ADJUST_PERMISSION):
            raise PermissionDenied
        try:
            removed = remove_refund_points(persona, refund_id, staff_user=request.user)
        except LedgerError as refused:
            model_admin.message_user(request, str(refused), messages.ERROR)
        else:
            model_admin.message_user(
                request,
                f"Removed {say_points(removed)} points for the refund.",
                messages.SUCCESS,
            )
        return _back(model_admin, persona)

    return view


def points_history_view(model_admin: Any) -> View:
    def view(request: HttpRequest, object_id: str) -> HttpResponse:
        persona = _persona(model_admin, request, object_id)
        if not model_admin.has_view_permission(request, persona):
            raise PermissionDenied
        context = {
            **model_admin.admin_site.each_context(request),
            "opts": model_admin.opts,
            "original": persona,
            "title": f"Points history of {persona.full_name or '(no name)'}",
            "wallet": wallet_summary(persona, limit=HISTORY_LIMIT),
            "history_limit": HISTORY_LIMIT,
        }
        return TemplateResponse(request, "admin/personas/persona/points_history.html", context)

    return view
