"""Tenant scoping: which company a staff member works for, and the admin base that
keeps every queryset of the admin inside that company."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import Http404, HttpRequest

from aiq.accounts.models import Company
from aiq.validators import rejecting_control_characters


def company_for_user(user: Any) -> Company | None:
    """The company a signed-in staff member belongs to, or None (anonymous, no membership)."""
    if not getattr(user, "is_authenticated", False):
        return None
    membership = getattr(user, "membership", None)
    return membership.company if membership is not None else None


def is_tenant_model(model: type[models.Model]) -> bool:
    try:
        field = model._meta.get_field("company")
    except Exception:
        return False
    return getattr(field, "related_model", None) is Company


def scope_to_company(queryset: models.QuerySet, request: HttpRequest) -> models.QuerySet:
    """Limit a queryset of a tenant model to the request's company (superusers: all).

    A staff user without a membership sees nothing rather than everything.
    """
    if request.user.is_superuser or not is_tenant_model(queryset.model):
        return queryset
    company = getattr(request, "company", None)
    if company is None:
        return queryset.none()
    return queryset.filter(company=company)


class CompanyScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A related-field list filter that only offers the staff member's company's rows."""

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        related = field.related_model
        queryset = scope_to_company(related._default_manager.all(), request)
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        return [(obj.pk, str(obj)) for obj in queryset.order_by(*ordering)]


class TenantAdmin(admin.ModelAdmin):
    """Admin base for tenant-owned models.

    Scopes the changelist, change/delete/history views (another company's id is a 404),
    foreign-key and many-to-many choices, autocomplete (which reads the related model
    admin's get_queryset), list filters and actions; sets the company on create and hides
    the company field from everyone but superusers. Its forms refuse control characters
    (``aiq/validators.py``).
    """

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return scope_to_company(super().get_queryset(request), request)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):  # type: ignore[no-untyped-def]
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            # The admin would redirect with "doesn't exist"; an id from another company
            # must be indistinguishable from one that does not exist at all.
            raise Http404("No such object in your company.")
        return obj

    def get_form(self, request: HttpRequest, obj=None, change: bool = False, **kwargs):  # type: ignore[no-untyped-def]
        # Every field of every tenant form refuses control characters, naming the field:
        # a NUL byte would otherwise reach PostgreSQL, which refuses it with a 500.
        kwargs["form"] = rejecting_control_characters(kwargs.get("form") or self.form)
        return super().get_form(request, obj, change, **kwargs)

    def get_exclude(self, request: HttpRequest, obj=None):  # type: ignore[no-untyped-def]
        exclude = list(super().get_exclude(request, obj) or [])
        if not request.user.is_superuser:
            exclude.append("company")
        return exclude

    def get_list_filter(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        scoped = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and self._is_tenant_relation(item):
                item = (item, CompanyScopedRelatedFilter)
            scoped.append(item)
        return scoped

    def _is_tenant_relation(self, field_path: str) -> bool:
        model = self.model
        field = None
        for part in field_path.split("__"):
            try:
                field = model._meta.get_field(part)
            except Exception:
                return False
            model = getattr(field, "related_model", None) or model
        return field is not None and field.is_relation and is_tenant_model(field.related_model)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope_to_company(formfield.queryset, request)
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope_to_company(formfield.queryset, request)
        return formfield

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:  # type: ignore[no-untyped-def]
        if not change and not getattr(obj, "company_id", None):
            obj.company = request.company  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Staff without a company have nowhere to put a new row.
        if not request.user.is_superuser and getattr(request, "company", None) is None:
            return False
        return super().has_add_permission(request)


class TenantInline(admin.TabularInline):
    """Inline base whose foreign-key choices stay inside the staff member's company."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = scope_to_company(formfield.queryset, request)
        return formfield


class ReadOnlyTenantAdmin(TenantAdmin):
    """A record the product writes and staff only read (sales, sync runs): no add, change
    or delete, whatever the role grants."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
