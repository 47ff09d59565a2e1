"""Settings > Integrations and the integration card, in the Django admin.

The providers page replaces the changelist (a superuser without a company still gets the
plain changelist of every card). A provider with a card links to it; one without shows a
button styled as that link, whose POST creates the card (a GET never changes anything).
The card is the change view: Connect/Disconnect at the top right, credentials with their
state, the card settings, and the history. Every change goes through
``integrations.services``.
"""

from __future__ import annotations

import copy
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from aiq.accounts.tenancy import TenantAdmin
from integrations.admin_card import card_context
from integrations.admin_sync import SyncHealthAdminMixin
from integrations.forms import CONNECT, CardSettingsForm, CredentialForm
from integrations.models import Integration
from integrations.providers import PROVIDERS
from integrations.services.card_settings import (
    ATTESTATION,
    CARD_WARNINGS,
    LOYALTY,
    SYNC,
    editable_fields,
    settings_for,
    update_card_settings,
)
from integrations.services.cards import get_or_create_card, provider_overview
from integrations.services.connection import connect, disconnect
from integrations.services.credentials import (
    add_credential,
    remove_credential,
    update_credential,
)
from integrations.services.errors import ConnectRefused


@admin.register(Integration)
class IntegrationAdmin(SyncHealthAdminMixin, TenantAdmin):
    form = CardSettingsForm
    change_form_template = "admin/integrations/integration/change_form.html"
    providers_template = "admin/integrations/integration/providers.html"
    # The plain changelist, for superusers without a company only.
    list_display = ["label", "company", "status", "status_changed_at"]
    list_filter = ["provider", "status"]
    list_select_related = ["company"]

    # Cards are created by opening a provider, and never deleted (disconnect instead).
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def may_create_cards(self, request: HttpRequest) -> bool:
        opts = self.opts
        return getattr(request, "company", None) is not None and request.user.has_perm(
            f"{opts.app_label}.add_{opts.model_name}"
        )

    # URLs ---------------------------------------------------------------------------

    def get_urls(self) -> list:  # type: ignore[type-arg]
        wrap = self.admin_site.admin_view
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("open/<str:provider>/", wrap(self.open_card_view), name=f"{name}_open"),
            path(
                "<path:object_id>/credentials/add/",
                wrap(self.add_credential_view),
                name=f"{name}_add_credential",
            ),
            path(
                "<path:object_id>/credentials/<int:credential_id>/change/",
                wrap(self.change_credential_view),
                name=f"{name}_change_credential",
            ),
            path(
                "<path:object_id>/credentials/<int:credential_id>/remove/",
                wrap(self.remove_credential_view),
                name=f"{name}_remove_credential",
            ),
            path(
                "<path:object_id>/disconnect/",
                wrap(self.disconnect_view),
                name=f"{name}_disconnect",
            ),
            *super().get_urls(),
        ]

    def card_url(self, card: Integration) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_change",
            args=[card.pk],
        )

    # Settings > Integrations ----------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.user.is_superuser and getattr(request, "company", None) is None:
            return super().changelist_view(request, extra_context)
        return self.providers_view(request)

    def providers_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        search = request.GET.get("q", "").strip()
        context = {
            **self.admin_site.each_context(request),
            "title": "Integrations",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "company": getattr(request, "company", None),
            "rows": provider_overview(getattr(request, "company", None), search),
            "search": search,
            "may_create_cards": self.may_create_cards(request),
        }
        return TemplateResponse(request, self.providers_template, context)

    def open_card_view(self, request: HttpRequest, provider: str) -> HttpResponse:
        """Open the company's card for a provider; a POST creates it on first open.

        A GET never creates anything (a link or an image loaded by a signed-in owner could
        send one): without a card it goes back to the Integrations page, whose button
        for that provider posts here.
        """
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        company = getattr(request, "company", None)
        if provider not in PROVIDERS or company is None:
            raise Http404("No such integration.")
        card = self.get_queryset(request).filter(provider=provider).first()
        if card is None:
            if request.method != "POST":
                return HttpResponseRedirect(self.providers_url())
            if not self.may_create_cards(request):
                raise PermissionDenied
            card = get_or_create_card(company, provider, actor=request.user)
        return HttpResponseRedirect(self.card_url(card))

    def providers_url(self) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
        )

    # The card -------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:  # type: ignore[type-arg]
        if obj is None:
            return [(None, {"fields": ["provider"]})]
        specs = settings_for(obj.provider)
        sync = [spec.name for spec in specs if spec.section == SYNC]
        loyalty = [spec.name for spec in specs if spec.section == LOYALTY] + [ATTESTATION]
        warning = CARD_WARNINGS.get(obj.provider, "")
        description = (
            f'<p class="card-warning">\u26a0\ufe0f Warning: {warning}</p>' if warning else ""
        )
        return [
            ("Settings", {"fields": sync, "description": description}),
            ("Loyalty", {"fields": loyalty}),
        ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        if obj is not None:
            kwargs["fields"] = editable_fields(obj.provider)
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        card = Integration.objects.select_for_update().get(pk=obj.pk)
        values = {
            name: form.cleaned_data[name]
            for name in editable_fields(card.provider)
            if name in form.cleaned_data
        }
        update_card_settings(card, values, actor=request.user)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        if CONNECT in request.POST:
            # Connect runs once the settings (the attestation) are committed: see
            # changeform_view. No POS call happens inside the admin's transaction.
            request._connect_card = obj.pk  # type: ignore[attr-defined]
        else:
            self.message_user(request, "Settings saved.", messages.SUCCESS)
        return HttpResponseRedirect(self.card_url(obj))

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        response = super().changeform_view(request, object_id, form_url, extra_context)
        card_id = getattr(request, "_connect_card", None)
        if card_id is not None:
            self._connect(request, Integration.objects.get(pk=card_id))
        return response

    def _connect(self, request: HttpRequest, card: Integration) -> None:
        try:
            result = connect(card, actor=request.user)
        except ConnectRefused as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return
        if result.ok:
            self.message_user(
                request,
                f"{card.label} is connected: {len(result.checks)} credential(s) verified, "
                f"{result.keys_found} POS key(s) found. Map them to your stores under "
                "Retail stores.",
                messages.SUCCESS,
            )
        for check in result.warnings:
            name = check.credential.display_name
            for warning in check.warnings:
                self.message_user(request, f"{name}: {warning}", messages.WARNING)
        for check in result.failures:
            name = check.credential.display_name
            self.message_user(request, f"{name}: {check.message}", messages.ERROR)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        if obj is not None:
            context.update(card_context(self, request, obj, context.get("credential_form")))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Card actions ---------------------------------------------------------------------

    def _card_for_change(self, request: HttpRequest, object_id: str) -> Integration:
        card = self.get_object(request, unquote(object_id))  # another company's: 404
        if not self.has_change_permission(request, card):
            raise PermissionDenied
        return card

    def _card_page(self, request: HttpRequest, card: Integration, **extra: Any) -> HttpResponse:
        """The card page as a GET would show it, with ``extra`` (a form with errors)."""
        as_get = copy.copy(request)
        as_get.method = "GET"
        as_get.POST = QueryDict()
        return self.change_view(as_get, str(card.pk), self.card_url(card), extra_context=extra)

    def add_credential_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        card = self._card_for_change(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self.card_url(card))
        form = CredentialForm(card, request.POST)
        if not form.is_valid():
            return self._card_page(request, card, credential_form=form)
        credential = add_credential(
            card,
            form.credential_values,
            is_sandbox=bool(form.cleaned_data.get("is_sandbox")),
            actor=request.user,
        )
        self.message_user(
            request,
            f"Credential \u201c{credential.display_name}\u201d added. Click Connect to verify it.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.card_url(card) + "#credentials")

    def change_credential_view(
        self, request: HttpRequest, object_id: str, credential_id: int
    ) -> HttpResponse:
        """Enter new values for a credential (e.g. Cova's permanent password)."""
        card = self._card_for_change(request, object_id)
        credential = get_object_or_404(card.credentials, pk=credential_id)
        form = CredentialForm(
            card, request.POST if request.method == "POST" else None, credential=credential
        )
        if request.method == "POST" and form.is_valid():
            changes = update_credential(
                credential,
                form.credential_values,
                is_sandbox=bool(form.cleaned_data.get("is_sandbox")),
                actor=request.user,
            )
            message = (
                f"Credential \u201c{credential.display_name}\u201d changed. Click Connect to "
                "verify it."
                if changes
                else "Nothing changed."
            )
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(self.card_url(card) + "#credentials")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change credential \u201c{credential.display_name}\u201d",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "card": card,
            "credential": credential,
            "credential_form": form,
            "card_url": self.card_url(card),
            "providers_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
            ),
        }
        return TemplateResponse(
            request, "admin/integrations/integration/change_credential.html", context
        )

    def remove_credential_view(
        self, request: HttpRequest, object_id: str, credential_id: int
    ) -> HttpResponse:
        card = self._card_for_change(request, object_id)
        if request.method != "POST":
            return HttpResponseRedirect(self.card_url(card))
        credential = get_object_or_404(card.credentials, pk=credential_id)
        name = credential.display_name
        remove_credential(credential, actor=request.user)
        self.message_user(request, f"Credential \u201c{name}\u201d removed.", messages.SUCCESS)
        return HttpResponseRedirect(self.card_url(card) + "#credentials")

    def disconnect_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        card = self._card_for_change(request, object_id)
        if request.method == "POST" and disconnect(card, actor=request.user):
            self.message_user(
                request,
                f"{card.label} is disconnected: AIQ stops syncing it. Its credentials stay "
                "on the card; click Connect to resume.",
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self.card_url(card))
