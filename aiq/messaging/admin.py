"""Settings > SMS (the provider account, owners) and the texts sent and received."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html

from aiq.accounts.tenancy import ReadOnlyTenantAdmin, TenantAdmin
from aiq.messaging.forms import SmsSettingsForm
from aiq.messaging.gateway import inbound_url
from aiq.messaging.models import InboundMessage, OutboundMessage, SmsSettings


@admin.register(SmsSettings)
class SmsSettingsAdmin(TenantAdmin):
    form = SmsSettingsForm
    list_display = ["__str__", "account_sid", "daily_limit", "is_sandbox"]
    readonly_fields = ["inbound_webhook"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        # One per company. Asked while every admin page builds its navigation: read once
        # per request, not once per question.
        company = getattr(request, "company", None)
        if company is not None:
            exists = getattr(request, "_sms_settings_exist", None)
            if exists is None:
                exists = SmsSettings.objects.filter(company=company).exists()
                request._sms_settings_exist = exists  # type: ignore[attr-defined]
            if exists:
                return False
        return super().has_add_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    @admin.display(description="Inbound webhook (Twilio: A message comes in)")
    def inbound_webhook(self, obj: SmsSettings) -> str:
        if not obj.pk:
            return "Shown once saved."
        return format_html("<code>{}</code>", inbound_url(obj))


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyTenantAdmin):
    list_display = [
        "created_at",
        "to_number",
        "kind",
        "status",
        "refusal_reason",
        "send_after",
        "sent_at",
    ]
    list_filter = ["status", "kind", "refusal_reason"]
    list_select_related = ["persona"]
    search_fields = ["to_number", "provider_message_id"]
    raw_id_fields = ["persona", "integration"]


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyTenantAdmin):
    list_display = ["received_at", "from_number", "body", "action"]
    list_filter = ["action"]
    search_fields = ["from_number", "body"]
    raw_id_fields = ["persona"]
