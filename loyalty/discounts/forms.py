"""The discount form: its rules said on the field they concern."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models.functions import Lower, Trim

from aiq.accounts.models import Company
from loyalty.discounts.choices import DiscountKind
from loyalty.discounts.models import Discount

HELP = {
    "name": (
        "What shoppers and staff see. POSaBIT mirrors discounts by identical name: create "
        "it in POSaBIT with exactly this name."
    ),
    "kind": "Cova supports only flat ($) and percentage (%) discounts on the cart.",
    "value": "Dollars off for a flat discount; percent off (up to 100) for a % discount.",
    "points_cost": "Points deducted from the shopper's balance when they redeem it, e.g. 400.",
    "pos_discount_id": (
        "The discount's ID in your POS: POSaBIT's mirrored discount or reward, Cova's "
        "discount template. Leave blank when your POS needs none."
    ),
    "apply_before_tax": (
        "Whether the discount comes off before or after taxes (Cova asks the same under "
        "Settings > Loyalty Rewards > Alpine IQ)."
    ),
    "active_from": "Blank: from now on. The day is included, in each store's local time.",
    "active_until": "Blank: no end date. The day is included.",
    "stores": "Leave every box empty to offer it at all your stores.",
    "single_use": "Single use: each shopper can redeem it once.",
    "cooldown_hours": "Hours a shopper waits before redeeming it again. Blank: no wait.",
    "minimum_spend": "The cart must reach this amount (in dollars). Blank: no minimum.",
    "staff_only": (
        "Only staff redeem it for the shopper (the staff view); shoppers don't see it in "
        "their wallet."
    ),
    "audience": (
        "Only shoppers in this audience (Marketing > Audiences) may redeem it; others see "
        "why in their wallet. Blank: every member."
    ),
    "is_active": "A turned-off discount is offered nowhere; its past uses stay on record.",
}


class DiscountForm(forms.ModelForm):
    # The staff member's company (set by the admin; a superuser picks it on the form).
    staff_company: Company | None = None

    class Meta:
        model = Discount
        fields = [
            "company",
            "name",
            "kind",
            "value",
            "points_cost",
            "pos_discount_id",
            "apply_before_tax",
            "is_active",
            "active_from",
            "active_until",
            "stores",
            "single_use",
            "cooldown_hours",
            "minimum_spend",
            "staff_only",
            "audience",
        ]
        widgets = {"stores": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, text in HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text

    def _company(self) -> Company | None:
        if self.instance.pk is not None:
            return self.instance.company
        return self.cleaned_data.get("company") or self.staff_company

    def clean_name(self) -> str:
        return " ".join((self.cleaned_data.get("name") or "").split())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        name, company = cleaned.get("name"), self._company()
        if name and company is not None:
            clash = (
                Discount.objects.filter(company=company)
                .annotate(key=Lower(Trim("name")))
                .filter(key=name.lower())
                .exclude(pk=self.instance.pk)
                .first()
            )
            if clash is not None:
                self.add_error(
                    "name",
                    f"You already have a discount named \u201c{clash.name}\u201d (names are "
                    "compared ignoring capitals). POSaBIT matches discounts by name, so each "
                    "needs its own.",
                )
        value, kind = cleaned.get("value"), cleaned.get("kind")
        if value is not None and value <= 0:
            self.add_error("value", "Enter an amount above zero.")
        elif value is not None and kind == DiscountKind.PERCENT and value > 100:
            self.add_error("value", "A percentage discount is at most 100%.")
        points = cleaned.get("points_cost")
        if points is not None and points <= 0:
            self.add_error("points_cost", "Enter the points it costs: more than zero.")
        minimum = cleaned.get("minimum_spend")
        if minimum is not None and minimum < Decimal("0"):
            self.add_error("minimum_spend", "Enter zero or more dollars, or leave it blank.")
        audience = cleaned.get("audience")
        if audience is not None and company is not None and audience.company_id != company.pk:
            self.add_error("audience", "Pick one of this company's audiences.")
        start, end = cleaned.get("active_from"), cleaned.get("active_until")
        if start and end and end < start:
            self.add_error("active_until", "The end date is before the start date.")
        return cleaned
