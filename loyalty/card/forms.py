"""The adjustment form on the persona card."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from loyalty.card.adjustments import ADD, REMOVE


class AdjustmentForm(forms.Form):
    direction = forms.ChoiceField(
        label="Change",
        choices=[(ADD, "Add points"), (REMOVE, "Remove points")],
        initial=ADD,
        widget=forms.RadioSelect,
    )
    points = forms.DecimalField(
        label="Points", max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(
        label="Reason",
        max_length=300,
        help_text="Shown in the points history, e.g. \u201cBirthday gift\u201d.",
        error_messages={"required": "Say why the points change: a reason is required."},
    )

    def errors_in_words(self) -> list[str]:
        """Each error with the field it belongs to, for a message above the card."""
        return [
            f"{self.fields[name].label if name in self.fields else 'Adjustment'}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        ]
