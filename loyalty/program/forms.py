"""The Settings > Loyalty form: the seed's labels, points per $1 or per $100 (either
one, the other follows), the tax date that is never in the past, and the blocklist as
one phone number per line."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone

from aiq.accounts.models import Company
from aiq.personas.normalize import normalize_phone
from loyalty.program.choices import ExpirationMode, Rounding
from loyalty.program.models import LoyaltyProgram
from loyalty.program.points import say_date, say_points
from loyalty.program.services import SETTINGS_FIELDS, blocklist_of

HUNDRED = Decimal("100")
_SEPARATORS = re.compile(r"[\n,;]+")

HELP = {
    "enabled": (
        "Shoppers enrolled in your loyalty program earn points on their purchases and "
        "redeem them for discounts. Turning this off keeps every balance; turning it back "
        "on restores them."
    ),
    "points_per_dollar": "Points earned for each dollar spent.",
    "points_per_hundred": (
        "The same rate as AIQ counts it: 1 point per $1 is 100 points per $100. Fill in "
        "either one; the other follows."
    ),
    "rounding": (
        "How a purchase's points are rounded: 47.6 points is 47 rounded down, 48 rounded up "
        "or to the nearest point, and 47.60 fractional (hundredths of a point are kept)."
    ),
    "points_per_visit": "Points for the visit itself, whatever was spent.",
    "max_visits_per_day": "Visits per shopper per day that earn visit points.",
    "exclude_tax": "Points are earned on the amount before tax.",
    "no_tax_accrual_from": (
        "Sales on or after this date earn nothing on tax dollars; sales before it keep the "
        "points they earned (not retroactive). Blank: today."
    ),
    "accrual_start_date": (
        "Sales before this date earn no points. When an integration card has \u201cLoyalty "
        "points imported on\u201d set, shoppers from that source start earning the following "
        "day instead."
    ),
    "expiration_mode": (
        "Legacy: the whole balance expires after the number of days below without a "
        "transaction. First in, first out: each award expires that many days after it was "
        "earned, and a redemption uses the oldest points first."
    ),
    "expiration_days": "Required when points expire.",
    "budtender_can_see_queue": (
        "Budtenders see shoppers as they check in to your waiting room (stores with the "
        "Alleaves Opt-in Queue on)."
    ),
    "hide_points_in_wallet": (
        "For markets that forbid showing points: the wallet and the POS show discounts but "
        "not the points balance."
    ),
    "blocklist": (
        "Phone numbers that never earn points, e.g. your employees: one per line (or "
        "separated by commas)."
    ),
}


class LoyaltyProgramForm(forms.ModelForm):
    points_per_hundred = forms.DecimalField(
        label="Points per $100 spent", min_value=0, max_digits=12, decimal_places=2
    )
    exclude_tax = forms.BooleanField(label="Don't accrue points on tax dollars", required=False)
    blocklist = forms.CharField(
        label="Points blocklist",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 30}),
    )
    # The staff member's company (set by the admin): its phone region and its cards.
    staff_company: Company | None = None

    class Meta:
        model = LoyaltyProgram
        fields = [
            "enabled",
            "points_per_dollar",
            "rounding",
            "points_per_visit",
            "max_visits_per_day",
            "no_tax_accrual_from",
            "accrual_start_date",
            "expiration_mode",
            "expiration_days",
            "gifted_points_expire",
            "budtender_can_see_queue",
            "hide_points_in_wallet",
        ]
        labels = {
            "points_per_dollar": "Points per $1 spent",
            "no_tax_accrual_from": "Starting on",
        }
        widgets = {
            "rounding": forms.RadioSelect(attrs={"class": "radiolist"}),
            "expiration_mode": forms.RadioSelect(attrs={"class": "radiolist"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        program = self.instance
        initial = {
            "points_per_hundred": _plain(program.points_per_dollar * HUNDRED),
            "points_per_dollar": _plain(program.points_per_dollar),
            "points_per_visit": _plain(program.points_per_visit),
            "exclude_tax": program.no_tax_accrual_from is not None,
            "blocklist": "\n".join(blocklist_of(program)),
        }
        # A read-only view (a marketer) has no fields to fill in.
        for name, value in initial.items():
            if name in self.fields:
                self.initial[name] = value
        for name, text in HELP.items():
            if name in self.fields:
                self.fields[name].help_text = text
        if "rounding" in self.fields:
            self.fields["rounding"].choices = Rounding.choices
        if "expiration_mode" in self.fields:
            self.fields["expiration_mode"].choices = ExpirationMode.choices

    @property
    def today(self) -> date:
        return timezone.localdate()

    def clean_blocklist(self) -> list[str]:
        region = self.staff_company.phone_region if self.staff_company else "US"
        phones, invalid = [], []
        for entry in _SEPARATORS.split(self.cleaned_data.get("blocklist") or ""):
            entry = entry.strip()
            if not entry:
                continue
            phone = normalize_phone(entry, region)
            if phone:
                phones.append(phone)
            else:
                invalid.append(entry)
        if invalid:
            raise forms.ValidationError(
                "Not a valid phone number: %(numbers)s. Type each number with its area code, "
                "one per line.",
                params={"numbers": ", ".join(invalid)},
            )
        return sorted(set(phones))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self._clean_rate(cleaned)
        self._clean_tax(cleaned)
        self._clean_expiration(cleaned)
        visit = cleaned.get("points_per_visit")
        if (
            visit is not None
            and cleaned.get("rounding") != Rounding.FRACTIONAL
            and visit != visit.to_integral_value()
        ):
            self.add_error(
                "points_per_visit",
                "Use a whole number of points, or choose Fractional rounding to keep hundredths.",
            )
        return cleaned

    def _clean_rate(self, cleaned: dict[str, Any]) -> None:
        per_dollar = cleaned.get("points_per_dollar")
        per_hundred = cleaned.get("points_per_hundred")
        if per_dollar is None or per_hundred is None:
            return
        hundred_changed = "points_per_hundred" in self.changed_data
        dollar_changed = "points_per_dollar" in self.changed_data
        if hundred_changed and not dollar_changed:
            cleaned["points_per_dollar"] = per_hundred / HUNDRED
        elif hundred_changed and per_dollar * HUNDRED != per_hundred:
            self.add_error(
                "points_per_hundred",
                f"{say_points(per_dollar)} points per $1 is {say_points(per_dollar * HUNDRED)} "
                f"points per $100, not {say_points(per_hundred)}: change one of the two.",
            )

    def _clean_tax(self, cleaned: dict[str, Any]) -> None:
        if not cleaned.get("exclude_tax"):
            cleaned["no_tax_accrual_from"] = None
            return
        start = cleaned.get("no_tax_accrual_from") or self.today
        cleaned["no_tax_accrual_from"] = start
        # Not retroactive: a new start date is never in the past (a date already in force
        # stays as it is).
        if start < self.today and start != self.instance.no_tax_accrual_from:
            self.add_error(
                "no_tax_accrual_from",
                f"Choose today ({say_date(self.today)}) or a later date: sales before today "
                "keep the points they earned.",
            )

    def _clean_expiration(self, cleaned: dict[str, Any]) -> None:
        mode = cleaned.get("expiration_mode")
        if mode == ExpirationMode.NONE:
            cleaned["expiration_days"] = None
            return
        if mode and not cleaned.get("expiration_days"):
            self.add_error("expiration_days", "Enter after how many days points expire.")
        if mode == ExpirationMode.FIFO and self.staff_company is not None:
            from integrations.models import Integration

            mirrored = Integration.objects.filter(
                company=self.staff_company, mirror_loyalty_points=True
            )
            labels = [card.label for card in mirrored]
            if labels:
                self.add_error(
                    "expiration_mode",
                    "First in, first out expiration can't be combined with \u201cMirror "
                    f"integration loyalty point values?\u201d (on: {', '.join(labels)}). Use "
                    "legacy expiration, or turn mirroring off on the card.",
                )

    def settings_values(self) -> dict[str, Any]:
        """The cleaned values as ``services.save_settings`` takes them."""
        return {
            name: self.cleaned_data[name] for name in SETTINGS_FIELDS if name in self.cleaned_data
        }


def _plain(value: Decimal) -> Decimal:
    """1.0000 as 1, 0.0500 as 0.05: what staff typed, not the column's scale."""
    return Decimal(say_points(value))
