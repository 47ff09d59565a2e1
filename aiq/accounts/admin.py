from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
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

    def get_readonly_fields(self, request: HttpRequest, obj=None):  # type: ignore[no-untyped-def]
        # The handle is in every staff login of the company: only a superuser changes it.
        fields = list(super().get_readonly_fields(request, obj))
        return fields if request.user.is_superuser else [*fields, "login_handle"]

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
    """Adds a staff member: creates their login and their membership in one step.

    The login is ``name@<company login handle>``: a company only ever asks about names in
    its own namespace, so the form cannot tell anyone that another company has a name.
    """

    username = forms.CharField(
        max_length=100,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9._-]+$",
                "Use letters, digits, dots, dashes and underscores only (the @ and your "
                "company's handle are added for you).",
            )
        ],
    )
    email = forms.EmailField(required=False)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)
    # The staff member's company when it is not chosen on the form (set by MembershipAdmin).
    staff_company: Company | None = None

    class Meta:
        model = Membership
        fields = ["role"]

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        handle = self.staff_company.login_handle if self.staff_company else "<company handle>"
        self.fields["username"].help_text = f"They log in as this name followed by @{handle}."

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        validate_password(password)
        return password

    def clean(self) -> dict:  # type: ignore[type-arg]
        cleaned = super().clean()
        company = cleaned.get("company") or self.staff_company
        name = cleaned.get("username")
        if company is None or not name:
            return cleaned
        login = f"{name.lower()}@{company.login_handle}"
        if get_user_model().objects.filter(username__iexact=login).exists():
            self.add_error("username", f"Someone on your staff already logs in as {login}.")
        cleaned["login"] = login
        return cleaned


@admin.register(Membership)
class MembershipAdmin(TenantAdmin):
    list_display = ["user", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email"]

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        if obj is None:
            kwargs["form"] = NewStaffForm
        form = super().get_form(request, obj, change, **kwargs)
        if obj is None:
            form.staff_company = getattr(request, "company", None)
        return form

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        if obj is None:
            fields = ["username", "email", "password", "role"]
            return [*fields, "company"] if request.user.is_superuser else fields
        return ["user", "role", "stores"]

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ["user"] if obj is not None else []

    @transaction.atomic
    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            data = form.cleaned_data
            obj.user = get_user_model().objects.create_user(
                username=data["login"],
                email=data.get("email", ""),
                password=data["password"],
                is_staff=True,
            )
        super().save_model(request, obj, form, change)
