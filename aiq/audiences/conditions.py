"""The conditions an audience is built from: their catalogue (what the builder offers) and
the validation of a list of condition rows, with errors that name the row and field."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from aiq.personas.choices import Source

YES_NO = (("yes", "Yes"), ("no", "No"))
MAX_CONDITIONS = 20
MAX_TEXT = 100


@dataclass(frozen=True)
class Param:
    """One input of a condition row."""

    name: str
    label: str
    # text, whole (a whole number), money (dollars), choice, store, trait_key, brand (text
    # the builder offers the company's brands for)
    kind: str
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    # The largest whole number accepted (days beyond a century would leave the calendar).
    maximum: int = 1_000_000


@dataclass(frozen=True)
class ConditionType:
    key: str
    group: str
    label: str
    params: tuple[Param, ...] = field(default_factory=tuple)


def _days(required: bool = False) -> Param:
    label = "within the last N days" if required else "within the last N days (blank: ever)"
    return Param("days", label, "whole", required=required, maximum=36_500)


CONDITION_TYPES: tuple[ConditionType, ...] = (
    ConditionType(
        "loyalty_member",
        "Contact",
        "Loyalty member",
        (Param("value", "is", "choice", choices=YES_NO),),
    ),
    ConditionType("favorite_store", "Contact", "Favorite store", (Param("store", "is", "store"),)),
    ConditionType(
        "sms_opted_in", "Contact", "SMS opted in", (Param("value", "is", "choice", choices=YES_NO),)
    ),
    ConditionType(
        "source",
        "Contact",
        "Sourced from",
        (Param("value", "is", "choice", choices=tuple(Source.choices)),),
    ),
    ConditionType("state", "Contact", "State / province", (Param("value", "is", "text"),)),
    ConditionType(
        "age",
        "Contact",
        "Age band",
        (
            Param("min", "from age", "whole", required=False, maximum=150),
            Param("max", "to age", "whole", required=False, maximum=150),
        ),
    ),
    ConditionType(
        "fulfillment",
        "Performed Event",
        "Purchase Fulfillment Type contains",
        (Param("value", "text", "text"), _days()),
    ),
    ConditionType(
        "total_spend",
        "Performed Event",
        "Total spend at least ($)",
        (Param("amount", "dollars", "money"), _days()),
    ),
    ConditionType(
        "purchase_count",
        "Performed Event",
        "Number of purchases at least",
        (Param("count", "purchases", "whole"), _days()),
    ),
    ConditionType("last_purchase", "Performed Event", "Last purchase", (_days(required=True),)),
    ConditionType(
        "category",
        "Performed Event",
        "Bought a product category",
        (Param("value", "category", "text"), _days()),
    ),
    ConditionType(
        "brand",
        "Performed Event",
        "Bought brand",
        (Param("value", "brand", "brand"), _days()),
    ),
    ConditionType(
        "brand_trait",
        "Custom Brand Traits",
        "Custom brand trait",
        (
            Param("key", "trait", "trait_key"),
            Param("value", "equals (blank: any value)", "text", required=False),
        ),
    ),
    ConditionType(
        "points", "Points", "Points balance at least", (Param("points", "points", "money"),)
    ),
)

BY_KEY = {condition.key: condition for condition in CONDITION_TYPES}


def catalogue() -> list[dict[str, Any]]:
    """The condition types as plain data, for the builder's script."""
    return [
        {
            "key": c.key,
            "group": c.group,
            "label": c.label,
            "params": [
                {
                    "name": p.name,
                    "label": p.label,
                    "kind": p.kind,
                    "required": p.required,
                    "choices": [list(choice) for choice in p.choices],
                }
                for p in c.params
            ],
        }
        for c in CONDITION_TYPES
    ]


def clean_conditions(rows: Any, *, store_ids: set[int] | None = None) -> list[dict[str, Any]]:
    """The rows, normalised (numbers as text, blanks dropped); raises ValidationError
    naming the condition and its field ("Condition 2, dollars: enter an amount")."""
    if not isinstance(rows, list):
        raise ValidationError("Conditions must be a list of condition rows.")
    if len(rows) > MAX_CONDITIONS:
        raise ValidationError(f"An audience has at most {MAX_CONDITIONS} conditions.")
    cleaned = []
    errors = []
    for position, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or row.get("type") not in BY_KEY:
            errors.append(f"Condition {position}: pick a condition type.")
            continue
        kind = BY_KEY[row["type"]]
        out: dict[str, Any] = {"type": kind.key}
        for param in kind.params:
            try:
                value = _clean_value(param, row.get(param.name), store_ids)
            except ValueError as error:
                errors.append(f"Condition {position} ({kind.label}), {param.label}: {error}")
                continue
            if value is not None:
                out[param.name] = value
        if kind.key == "age" and not errors:
            low, high = out.get("min"), out.get("max")
            if low is None and high is None:
                errors.append(f"Condition {position} (Age band): enter a from or a to age.")
            elif low is not None and high is not None and int(low) > int(high):
                errors.append(f"Condition {position} (Age band), to age: below the from age.")
        cleaned.append(out)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_value(param: Param, raw: Any, store_ids: set[int] | None) -> str | int | None:
    if isinstance(raw, (list, dict, bool)):
        raise ValueError("enter a single value.")
    text = "" if raw is None else str(raw).strip()
    if not text:
        if param.required:
            raise ValueError("this field is required.")
        return None
    if len(text) > MAX_TEXT:
        raise ValueError(f"at most {MAX_TEXT} characters.")
    if any(ord(char) < 32 for char in text):
        raise ValueError("control characters are not allowed.")
    if param.kind == "choice":
        if text not in {key for key, _ in param.choices}:
            raise ValueError(f"\u201c{text}\u201d is not one of the choices.")
        return text
    if param.kind in ("whole", "store"):
        if not (text.isascii() and text.isdigit()) or len(text) > 9:
            raise ValueError("enter a whole number of 0 or more.")
        number = int(text)
        if param.kind == "whole" and number > param.maximum:
            raise ValueError(f"at most {param.maximum:,}.")
        if param.kind == "store" and store_ids is not None and number not in store_ids:
            raise ValueError("pick one of your stores.")
        return number
    if param.kind == "money":
        try:
            amount = Decimal(text.replace(",", "").lstrip("$"))
        except InvalidOperation:
            raise ValueError("enter an amount, e.g. 500 or 49.99.") from None
        if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
            raise ValueError("enter an amount of 0 or more.")
        return str(amount)
    return text
