"""The shop's forms: add to cart and checkout, each error named on its field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone

from aiq.personas.normalize import normalize_phone
from aiq.validators import RejectsControlCharacters
from ecommerce.models import CovaEcommerceSettings
from ecommerce.orders.choices import Fulfillment
from ecommerce.orders.limits import MAX_UNITS_PER_LINE
from ecommerce.orders.placement import Customer, age_on


class CartLineForm(forms.Form):
    product = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    quantity = forms.IntegerField(min_value=0, max_value=MAX_UNITS_PER_LINE)


class CheckoutForm(RejectsControlCharacters, forms.Form):
    """Name, phone (Cova finds the customer by it), date of birth and fulfillment.

    Every field refuses control characters: a NUL byte would reach PostgreSQL, which
    refuses it with a 500.
    """

    first_name = forms.CharField(
        max_length=100, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        max_length=100, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    phone = forms.CharField(
        max_length=30,
        help_text="We find your customer record at the store by it.",
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
    )
    date_of_birth = forms.DateField(
        widget=forms.DateInput({"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter your date of birth as YYYY-MM-DD."},
    )
    fulfillment = forms.ChoiceField(
        choices=Fulfillment.choices, initial=Fulfillment.PICKUP, widget=forms.RadioSelect
    )
    address_line1 = forms.CharField(label="Address", max_length=200, required=False)
    address_line2 = forms.CharField(label="Apartment, suite", max_length=200, required=False)
    city = forms.CharField(max_length=100, required=False)
    state = forms.CharField(label="State", max_length=50, required=False)
    postal_code = forms.CharField(label="ZIP code", max_length=20, required=False)
    notes = forms.CharField(
        label="Notes for the store",
        max_length=500,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )

    def __init__(self, *args: Any, shop: CovaEcommerceSettings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shop = shop

    def clean_phone(self) -> str:
        region = self.shop.company.phone_region or "US"
        phone = normalize_phone(self.cleaned_data["phone"], region)
        if not phone:
            raise forms.ValidationError("Enter a valid phone number, e.g. 206-555-0134.")
        return phone

    def clean_date_of_birth(self) -> date:
        birth = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if birth > today or birth.year < today.year - 120:
            raise forms.ValidationError("Enter your real date of birth.")
        if age_on(birth, today) < self.shop.minimum_age:
            raise forms.ValidationError(
                f"You must be {self.shop.minimum_age} or older to order from this store."
            )
        return birth

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("fulfillment") == Fulfillment.DELIVERY:
            for name, label in (
                ("address_line1", "Address"),
                ("city", "City"),
                ("postal_code", "ZIP code"),
            ):
                if not (cleaned.get(name) or "").strip():
                    self.add_error(name, f"{label} is required for delivery.")
        return cleaned

    def customer(self) -> Customer:
        data = self.cleaned_data
        delivery = data["fulfillment"] == Fulfillment.DELIVERY
        address = {
            name: (data.get(name) or "").strip() if delivery else ""
            for name in ("address_line1", "address_line2", "city", "state", "postal_code")
        }
        return Customer(
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            phone=data["phone"],
            date_of_birth=data["date_of_birth"],
            fulfillment=data["fulfillment"],
            notes=(data.get("notes") or "").strip(),
            **address,
        )
