"""The counter's forms: signing a shopper up, picking the discount to redeem."""

from __future__ import annotations

from typing import Any

from django import forms

from aiq.personas.models import Persona
from loyalty.discounts.models import Discount
from stores.models import RetailStore
from stores.queue.wording import sms_consent_wording


class CounterSignupForm(forms.Form):
    """The SMS box carries the store's consent wording, read to (or by) the shopper."""

    sms_consent = forms.BooleanField(required=False)

    def __init__(self, *args: Any, persona: Persona, store: RetailStore, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.persona = persona
        self.fields["sms_consent"].label = sms_consent_wording(store)

    def clean_sms_consent(self) -> bool:
        wanted = bool(self.cleaned_data["sms_consent"])
        if wanted and not self.persona.phone:
            raise forms.ValidationError(
                "This shopper has no valid mobile phone for texts: add it on the persona card."
            )
        return wanted


class RedeemForm(forms.Form):
    discount = forms.ModelChoiceField(queryset=Discount.objects.none())

    def __init__(self, *args: Any, persona: Persona, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["discount"].queryset = Discount.objects.filter(
            company_id=persona.company_id, is_active=True
        )


FIELD_NAMES = {"discount": "Discount", "sms_consent": "SMS consent"}


def first_error(form: forms.Form) -> str:
    """The form's first error, naming its field: what the budtender sees in the message."""
    for field, errors in form.errors.items():
        if field == "__all__":
            return str(errors[0])
        return f"{FIELD_NAMES.get(field, field)}: {errors[0]}"
    return ""
