"""Settings > API & Tracking: the account UID, API keys (shown once) and the request log."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from aiq.accounts.tenancy import TenantAdmin
from loyalty.api.keys import fill_secret, revoke
from loyalty.api.models import ApiKey, ApiRequestLog


@admin.register(ApiKey)
class ApiKeyAdmin(TenantAdmin):
    change_list_template = "admin/loyalty/apikey/change_list.html"
    list_display = ["name", "prefix_column", "store", "status_column", "last_used_at", "created_at"]
    list_select_related = ["store"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix"]
    actions = ["revoke_keys"]
    readonly_fields = ["prefix_column", "created_by", "created_at", "last_used_at", "revoked_at"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        company = ["company"] if request.user.is_superuser and obj is None else []
        if obj is None:
            return [*company, "name", "store"]
        return ["name", "store", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The store scope is part of what the key grants: a new key, not an edit.
        return [*self.readonly_fields, "store"] if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the request log stays attached to the key

    @admin.display(description="key")
    def prefix_column(self, obj: ApiKey) -> str:
        return f"{obj.prefix}…"

    @admin.display(description="status")
    def status_column(self, obj: ApiKey) -> str:
        return "Active" if obj.is_active else f"Revoked {obj.revoked_at:%b %d, %Y}"

    @admin.action(description="Revoke selected API keys", permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = revoke(queryset)
        self.message_user(request, f"Revoked {count} API key(s).", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:
            obj.created_by = request.user
            # Kept on the request only, for the next page: never stored, never in a cookie.
            request._new_api_key = fill_secret(obj)  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: Any = None
    ) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "API key created",
            "key": obj,
            "plaintext": request._new_api_key,  # type: ignore[attr-defined]
        }
        return TemplateResponse(request, "admin/loyalty/apikey/created.html", context)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        company = getattr(request, "company", None)
        extra = {**(extra_context or {}), "account_uid": company.uid if company else ""}
        return super().changelist_view(request, extra)


@admin.register(ApiRequestLog)
class ApiRequestLogAdmin(TenantAdmin):
    list_display = ["at", "key", "method", "path", "status", "latency_ms"]
    list_select_related = ["key"]
    list_filter = ["key", "status"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
