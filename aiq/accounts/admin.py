from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.shortcuts import redirect

from aiq.accounts.models import Company, Membership
from aiq.accounts.tenancy import TenantAdmin


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    """Superusers manage every company; an owner sees and edits only their own."""

    list_display = ["name", "uid", "phone_region", "created_at"]
    search_fields = ["name", "uid"]
    readonly_fields = ["uid", "created_at", "updated_at"]

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        company = getattr(request, "company", None)
        return queryset.filter(pk=company.pk) if company else queryset.none()

    def get_object(self, request, object_id, from_field=None):  # type: ignore[no-untyped-def]
        from django.http import Http404

        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404("No such company.")
        return obj

    def changelist_view(self, request: HttpRequest, extra_context=None):  # type: ignore[no-untyped-def]
        # A staff member has one company: "Company Account" is its page, not a list of one.
        company = getattr(request, "company", None)
        if not request.user.is_superuser and company is not None:
            if not self.has_view_or_change_permission(request, company):
                raise PermissionDenied
            return redirect("admin:accounts_company_change", company.pk)
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return request.user.is_superuser


class NewStaffForm(forms.ModelForm):
    """Adds a staff member: creates their login and their membership in one step."""

    username = forms.CharField(max_length=150)
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)

    class Meta:
        model = Membership
        fields = ["role"]

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("This username is taken; choose another.")
        return username

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email"]

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = NewStaffForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            fields = ["username", "email", "password", "role"]
            return [*fields, "company"] if request.user.is_superuser else fields
        return ["user", "role"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["user"] if obj is not None else []

    @transaction.atomic
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            data = form.cleaned_data
            obj.user = get_user_model().objects.create_user(
                username=data["username"],
                email=data.get("email", ""),
                password=data["password"],
                is_staff=True,
            )
        super().save_model(request, obj, form, change)
