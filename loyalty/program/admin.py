"""Settings > Loyalty: one page per company, laid out like the integration card.

The changelist sends staff to their company's page: the program's change view once it
exists, else the add view, which shows the defaults and creates the program on the first
"Save settings" (a GET never creates anything). Turning "Enable loyalty points" off asks
first, saying how many members and points it affects. Every save goes through
``loyalty.program.services.save_settings``, which records the history shown at the bottom.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from aiq.accounts.tenancy import TenantAdmin
from aiq.personas.normalize import format_phone_for_display
from loyalty.program.admin_page import history_rows
from loyalty.program.forms import LoyaltyProgramForm
from loyalty.program.models import LoyaltyProgram
from loyalty.program.points import say_date, say_points
from loyalty.program.services import (
    blocklist_of,
    expiry_notice,
    members_count,
    program_for,
    save_settings,
    turn_off_impact,
)

CONFIRM_TURN_OFF = "_confirm_turn_off"


@admin.register(LoyaltyProgram)
class LoyaltyProgramAdmin(TenantAdmin):
    form = LoyaltyProgramForm
    change_form_template = "admin/loyalty/loyaltyprogram/change_form.html"
    confirm_turn_off_template = "admin/loyalty/loyaltyprogram/confirm_turn_off.html"
    not_set_up_template = "admin/loyalty/loyaltyprogram/not_set_up.html"
    # The plain changelist, for superusers without a company only.
    list_display = ["company", "enabled", "points_per_dollar", "expiration_mode", "updated_at"]
    list_select_related = ["company"]
    fieldsets = [
        (
            "Loyalty points",
            {"fields": ["enabled", "points_per_dollar", "points_per_hundred", "rounding"]},
        ),
        ("Visits", {"fields": ["points_per_visit", "max_visits_per_day"]}),
        (
            "Earning",
            {"fields": ["accrual_start_date", ("exclude_tax", "no_tax_accrual_from")]},
        ),
        (
            "Points expiration",
            {
                "fields": ["expiration_mode", "expiration_days", "gifted_points_expire"],
                "description": (
                    "A change to the expiration rules applies from the day it is made; "
                    "nothing earned before is recomputed. Points mirroring (an integration "
                    "card setting) is not supported with first in, first out expiration."
                ),
            },
        ),
        (
            "Waiting room and wallet",
            {"fields": ["budtender_can_see_queue", "hide_points_in_wallet"]},
        ),
        ("Points blocklist", {"fields": ["blocklist"]}),
    ]

    # Read-only views (a marketer) show the form's own fields through these.
    @admin.display(description="Points per $100 spent")
    def points_per_hundred(self, obj: LoyaltyProgram) -> str:
        return say_points(obj.points_per_hundred_dollars)

    @admin.display(description="Don't accrue points on tax dollars", boolean=True)
    def exclude_tax(self, obj: LoyaltyProgram) -> bool:
        return obj.no_tax_accrual_from is not None

    @admin.display(description="Points blocklist")
    def blocklist(self, obj: LoyaltyProgram) -> str:
        return ", ".join(format_phone_for_display(p) for p in blocklist_of(obj)) or "\u2014"

    # One program per company, created by its first save and never deleted.
    # (No query here: every admin page asks every admin for its permissions.)
    def has_add_permission(self, request: HttpRequest) -> bool:
        if getattr(request, "company", None) is None:
            return False
        return super().has_add_permission(request)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        program = program_for(getattr(request, "company", None))
        if program is not None:
            # One program per company: its page, never a second one.
            return HttpResponseRedirect(self._url("change", program.pk))
        return super().add_view(request, form_url, extra_context)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _url(self, view: str, *args: Any) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_{view}", args=args)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        company = getattr(request, "company", None)
        if request.user.is_superuser and company is None:
            return super().changelist_view(request, extra_context)
        if company is None or not self.has_view_or_change_permission(request):
            raise PermissionDenied
        program = program_for(company)
        if program is not None:
            return HttpResponseRedirect(self._url("change", program.pk))
        if not self.has_add_permission(request):
            # A role that may only look (marketer) has nothing to look at yet.
            context = {
                **self.admin_site.each_context(request),
                "title": "Loyalty settings",
                "subtitle": None,
                "opts": self.opts,
                "app_label": self.opts.app_label,
            }
            return TemplateResponse(request, self.not_set_up_template, context)
        return HttpResponseRedirect(self._url("add"))

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        company = obj.company if obj is not None else getattr(request, "company", None)
        return type(
            form.__name__, (form,), {"staff_company": company, "__module__": form.__module__}
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        if request.method == "POST" and CONFIRM_TURN_OFF not in request.POST:
            confirmation = self._turn_off_confirmation(request, object_id)
            if confirmation is not None:
                return confirmation
        return super().change_view(request, object_id, form_url, extra_context)

    def _turn_off_confirmation(self, request: HttpRequest, object_id: str) -> HttpResponse | None:
        """The "are you sure" page when a valid save would turn loyalty off, else None."""
        program = self.get_object(request, object_id)
        if not program.enabled or not self.has_change_permission(request, program):
            return None
        form = self.get_form(request, program, change=True)(request.POST, instance=program)
        if not form.is_valid() or form.cleaned_data["enabled"]:
            return None
        impact = turn_off_impact(program.company)
        context = {
            **self.admin_site.each_context(request),
            "title": "Turn loyalty off?",
            "subtitle": None,
            "opts": self.opts,
            "app_label": self.opts.app_label,
            "impact": impact,
            "posted": [
                (name, value)
                for name, values in request.POST.lists()
                if name != "csrfmiddlewaretoken"
                for value in values
            ],
            "confirm_name": CONFIRM_TURN_OFF,
            "program_url": self._url("change", program.pk),
        }
        return TemplateResponse(request, self.confirm_turn_off_template, context)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        company = obj.company if change else request.company  # type: ignore[attr-defined]
        result = save_settings(
            company,
            form.settings_values(),
            blocklist=form.cleaned_data["blocklist"],
            actor=request.user,
        )
        obj.pk = result.program.pk
        obj._state.adding = False
        request._loyalty_save = result  # type: ignore[attr-defined]

    def _saved(self, request: HttpRequest, obj: Any) -> HttpResponse:
        result = getattr(request, "_loyalty_save", None)
        if result is not None and result.expiry_changed:
            self.message_user(request, expiry_notice(result.program.expiration_rules_from))
        if result is not None and "enabled" in result.changes and not result.program.enabled:
            self.message_user(
                request,
                "Loyalty is off: shoppers earn and redeem nothing. Every balance is kept; "
                "turning it back on restores them.",
                messages.WARNING,
            )
        self.message_user(request, "Loyalty settings saved.", messages.SUCCESS)
        return HttpResponseRedirect(self._url("change", obj.pk))

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: Any = None
    ) -> HttpResponse:
        return self._saved(request, obj)

    def response_change(self, request: HttpRequest, obj: Any) -> HttpResponse:
        return self._saved(request, obj)

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> HttpResponse:
        company = obj.company if obj is not None else getattr(request, "company", None)
        context.update(
            {
                "title": "Loyalty settings",
                "subtitle": None,
                "program": obj,
                "history_rows": history_rows(obj) if obj is not None else [],
                "members": members_count(company) if company is not None else 0,
                "rate": (
                    f"{say_points(obj.points_per_dollar)} per $1 \u00b7 "
                    f"{say_points(obj.points_per_hundred_dollars)} per $100"
                    if obj is not None
                    else ""
                ),
                "expiry_in_force_since": (
                    say_date(obj.expiration_rules_from)
                    if obj is not None and obj.expiration_rules_from
                    else ""
                ),
                "discounts_url": reverse("admin:loyalty_discount_changelist"),
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)
