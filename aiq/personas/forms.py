"""The persona edit form: readable brand traits, and no persona without a way to reach it."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from aiq.personas.models import Persona

TRAIT_EXAMPLE = "CovaPricingGroup: VIP"


def traits_as_text(traits: Any) -> str:
    """``{"Tier": "Gold"}`` as staff read and type it: one "name: value" per line, sorted."""
    if not isinstance(traits, dict):
        return ""
    lines = (f"{name}: {'' if value is None else value}" for name, value in sorted(traits.items()))
    return "\n".join(lines)


def parse_traits(text: str) -> dict[str, str]:
    """The inverse of ``traits_as_text``; blank lines are skipped, a blank box is no traits.

    Raises ``forms.ValidationError`` naming the first line that is not "name: value".
    """
    if text.strip().startswith("{"):
        return _traits_from_json(text)
    traits: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, colon, value = line.partition(":")
        name, value = name.strip(), value.strip()
        if not colon or not name or not value:
            raise forms.ValidationError(
                f'Line {number}: write each trait as "name: value", e.g. "{TRAIT_EXAMPLE}".',
                code="trait_line",
            )
        traits[name] = value
    return traits


def _traits_from_json(text: str) -> dict[str, str]:
    """A pasted JSON object (how traits look in exports) is accepted as well."""
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(isinstance(k, str) and k.strip() for k in value):
        raise forms.ValidationError(
            f'Write each trait as "name: value" on its own line, e.g. "{TRAIT_EXAMPLE}".',
            code="trait_json",
        )
    return {k.strip(): str(v) for k, v in value.items() if v not in (None, "")}


class BrandTraitsField(forms.CharField):
    """Custom brand traits in a text box, one "name: value" per line; never JSON."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60, "placeholder": TRAIT_EXAMPLE})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> str:
        return traits_as_text(value) if isinstance(value, dict) else (value or "")

    def to_python(self, value: Any) -> dict[str, str]:  # type: ignore[override]
        if isinstance(value, dict):
            return value
        return parse_traits(value or "")

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            return self.to_python(data) != (initial or {})
        except forms.ValidationError:
            return True


class PersonaForm(forms.ModelForm):
    """The admin's persona form."""

    brand_traits = BrandTraitsField(
        label="Custom brand traits",
        help_text=(
            "POS-side groupings usable in audiences, one per line as name: value. "
            "Clear the box to remove them all."
        ),
    )

    class Meta:
        model = Persona
        fields = [
            "first_name",
            "last_name",
            "birth_date",
            "favorite_store",
            "email",
            "phone_raw",
            "address_line1",
            "address_line2",
            "city",
            "state",
            "postal_code",
            "country",
            "loyalty_enrolled_at",
            "loyalty_enrollment_route",
            "sms_consent",
            "email_consent",
            "brand_traits",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        reachable = ("first_name", "last_name", "email", "phone_raw")
        if not any((cleaned.get(name) or "").strip() for name in reachable):
            # A persona nobody can name, call or email is an empty row in every audience.
            raise forms.ValidationError(
                "Give the persona at least a name, a phone or an email.", code="empty_persona"
            )
        return cleaned
