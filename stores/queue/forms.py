from __future__ import annotations

from typing import Any

from django import forms

from aiq.personas.normalize import normalize_phone
from aiq.validators import RejectsControlCharacters
from stores.models import RetailStore
from stores.queue import wording
from stores.queue.services import Arrival


class ArrivalForm(RejectsControlCharacters, forms.Form):
    """A phone number, or a name for a shopper who has none (both is best)."""

    name = forms.CharField(max_length=100, required=False, label="Your name")
    phone = forms.CharField(max_length=40, required=False, label="Mobile phone")

    def __init__(self, *args: Any, store: RetailStore, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["phone"].widget.attrs.update(
            {"inputmode": "tel", "autocomplete": "tel", "placeholder": "(206) 555-0134"}
        )
        self.fields["name"].widget.attrs.update({"autocomplete": "name"})

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not normalize_phone(phone, self.store.company.phone_region):
            raise forms.ValidationError("That does not look like a phone number.")
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.errors and not data.get("name", "").strip() and not data.get("phone"):
            raise forms.ValidationError("Type a phone number, or your name if you have none.")
        return data

    def arrival(self) -> Arrival:
        return Arrival(name=self.cleaned_data["name"].strip(), phone=self.cleaned_data["phone"])


class CheckInForm(ArrivalForm):
    """The door tablet's form: a new shopper may join the loyalty program on the spot."""

    join_loyalty = forms.BooleanField(required=False, label="Join our loyalty program")
    sms_opt_in = forms.BooleanField(required=False)
    age_confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, store: RetailStore, **kwargs: Any) -> None:
        super().__init__(*args, store=store, **kwargs)
        self.fields["sms_opt_in"].label = wording.sms_consent_wording(store)
        self.fields["age_confirmed"].label = wording.age_statement(store)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("join_loyalty") or data.get("sms_opt_in"):
            if not data.get("phone") and "phone" not in self.errors:
                self.add_error("phone", "Your loyalty account needs your mobile phone number.")
            if not data.get("age_confirmed"):
                self.add_error("age_confirmed", "Please confirm your age to join.")
        return data

    def arrival(self) -> Arrival:
        data = self.cleaned_data
        joining = bool(data["join_loyalty"] or data["sms_opt_in"])
        return Arrival(
            name=data["name"].strip(),
            phone=data["phone"],
            join_loyalty=joining,
            sms_opt_in=bool(data["sms_opt_in"]),
            consent_wording=wording.sms_consent_wording(self.store) if data["sms_opt_in"] else "",
        )
