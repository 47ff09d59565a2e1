"""Marketing > Audiences: the builder, its live size, a sample, the member check and the
CSV export. Sizes are computed on read (no stored membership), so they are always current."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.text import slugify

from aiq.accounts.models import Company
from aiq.accounts.tenancy import TenantAdmin
from aiq.audiences import services
from aiq.audiences.conditions import BY_KEY, catalogue
from aiq.audiences.forms import AudienceForm, parse_conditions
from aiq.audiences.models import Audience, Match
from stores.models import RetailStore


@admin.register(Audience)
class AudienceAdmin(TenantAdmin):
    form = AudienceForm
    list_display = ["name", "match", "conditions_column", "updated_at"]
    search_fields = ["name"]
    change_form_template = "admin/audiences/audience/change_form.html"

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        company = getattr(request, "company", None)
        return type(
            form.__name__, (form,), {"staff_company": company, "__module__": form.__module__}
        )

    def get_urls(self) -> list:  # type: ignore[type-arg]
        wrap = self.admin_site.admin_view
        return [
            path("size/", wrap(self.size_view), name="audiences_audience_size"),
            path("<int:pk>/export/", wrap(self.export_view), name="audiences_audience_export"),
            path("<int:pk>/check/", wrap(self.check_view), name="audiences_audience_check"),
            *super().get_urls(),
        ]

    @admin.display(description="Conditions")
    def conditions_column(self, obj: Audience) -> str:
        labels = [BY_KEY[row["type"]].label for row in obj.conditions if row.get("type") in BY_KEY]
        joiner = " or " if obj.match == Match.ANY else " and "
        return joiner.join(labels) or "Every shopper"

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ):  # type: ignore[no-untyped-def,override]
        company = getattr(request, "company", None)
        if object_id is not None:
            obj = self.get_object(request, object_id)  # another company's: 404
            company = obj.company
        stores = (
            RetailStore.objects.filter(company=company) if company else RetailStore.objects.none()
        )
        builder = {
            "catalogue": catalogue(),
            "stores": [[store.pk, store.name] for store in stores.order_by("name")],
            "traitKeys": services.trait_keys(company) if company else [],
            "brands": services.brands(company) if company else [],
            "sizeUrl": reverse("admin:audiences_audience_size"),
        }
        extra_context = {**(extra_context or {}), "audience_builder": builder}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def _company_for(self, request: HttpRequest, raw_company: Any) -> Company | None:
        if not request.user.is_superuser:
            return getattr(request, "company", None)
        if str(raw_company or "").isdigit():
            return Company.objects.filter(pk=int(raw_company)).first()
        return None

    def size_view(self, request: HttpRequest) -> JsonResponse:
        """POST {match, conditions[, company]}: the size and a sample, or the errors."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            return JsonResponse({"errors": ["Send the conditions with POST."]}, status=405)
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            return JsonResponse({"errors": ["The request could not be read."]}, status=400)
        if not isinstance(body, dict):
            return JsonResponse({"errors": ["The request could not be read."]}, status=400)
        company = self._company_for(request, body.get("company"))
        if company is None:
            return JsonResponse({"errors": ["Company: pick a company first."]}, status=400)
        match = body.get("match") if body.get("match") in Match.values else Match.ALL
        try:
            conditions = parse_conditions(body.get("conditions", []), company)
        except ValidationError as error:
            return JsonResponse({"errors": error.messages}, status=400)
        members = services.sample(company, match, conditions)
        return JsonResponse(
            {
                "size": services.size(company, match, conditions),
                "sample": [
                    {
                        "name": str(persona),
                        "url": reverse("admin:personas_persona_change", args=[persona.pk]),
                    }
                    for persona in members
                ],
            }
        )

    def _audience(self, request: HttpRequest, pk: int) -> Audience:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request).select_related("company"), pk=pk)

    def export_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        audience = self._audience(request, pk)
        response = StreamingHttpResponse(
            services.export_rows(audience), content_type="text/csv; charset=utf-8"
        )
        filename = slugify(audience.name) or f"audience-{audience.pk}"
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response

    def check_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        """GET ?contact=<phone or email>: is that shopper in the audience now?"""
        audience = self._audience(request, pk)
        contact = request.GET.get("contact", "").strip()
        if not contact or len(contact) > 254:
            return JsonResponse({"errors": ["Phone or email: enter one."]}, status=400)
        persona, member = services.find_member(audience, contact)
        if persona is None:
            return JsonResponse({"found": False, "member": False, "text": "No shopper has it."})
        verdict = "is in this audience" if member else "is not in this audience"
        return JsonResponse(
            {
                "found": True,
                "member": member,
                "text": f"{persona} {verdict}.",
                "url": reverse("admin:personas_persona_change", args=[persona.pk]),
            }
        )
