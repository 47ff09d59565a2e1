"""Text no person types: control characters, refused wherever input arrives, naming the field.

A NUL byte cannot be stored in a PostgreSQL text or JSON value (the database raises, which
was a 500), and the other control characters, lone surrogates included, are invisible on
every screen that later shows the value. Tab, newline and carriage return are typed text.

One rule for every door: the admin forms (``RejectsControlCharacters``, applied to every
tenant admin form by ``TenantAdmin.get_form``) and the POS sandboxes (``first_control_
character`` on each JSON or form body they would store).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.forms.utils import pretty_name

# C0 controls but tab, newline and carriage return; DEL and the C1 controls; surrogates.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def character_name(character: str) -> str:
    """ "NUL" for the NUL byte, "U+001B" for the others."""
    return "NUL" if character == "\x00" else f"U+{ord(character):04X}"


def printable(text: str) -> str:
    """``text`` with each control character written as its name: "customer.[NUL]". Field
    names in messages stay readable even when the bad character is in the name."""
    return _CONTROL.sub(lambda found: f"[{character_name(found.group())}]", text)


def first_control_character(value: Any, path: str = "") -> tuple[str, str] | None:
    """(where, character name) of the first control character in ``value``, or None.

    ``value`` is a string or anything JSON decodes to; keys are checked as well as values,
    and ``where`` is the dotted path of the field (``customer.first_name``, ``Addresses.0``).
    """
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return (path, character_name(found.group())) if found else None
    if isinstance(value, Mapping):
        for key, item in value.items():
            shown = printable(str(key))
            where = f"{path}.{shown}" if path else shown
            bad = first_control_character(str(key), where) or first_control_character(item, where)
            if bad:
                return bad
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            bad = first_control_character(item, f"{path}.{index}" if path else str(index))
            if bad:
                return bad
    return None


class ControlCharacterValidator:
    """A form field validator: the value (or any string inside it) holds no control
    character; the message names the field."""

    code = "control_character"

    def __init__(self, label: str = "This value") -> None:
        self.label = label

    def __call__(self, value: Any) -> None:
        bad = first_control_character(value)
        if bad is not None:
            raise ValidationError(
                "%(label)s contains an invisible control character (%(character)s). "
                "Remove it, or type the value again.",
                code=self.code,
                params={"label": self.label, "character": bad[1]},
            )


def reject_control_characters(value: Any) -> None:
    """The validator without a field name, for model fields and one-off checks."""
    ControlCharacterValidator()(value)


def guard_fields(form: forms.BaseForm) -> None:
    """Give every field of ``form`` the control-character check (once), in place of
    Django's NUL-only one, so one message covers every bad character."""
    for name, field in form.fields.items():
        if any(isinstance(v, ControlCharacterValidator) for v in field.validators):
            continue
        label = str(field.label) if field.label else pretty_name(name)
        field.validators = [
            v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ] + [ControlCharacterValidator(label)]


class RejectsControlCharacters:
    """Form mixin (first among the bases): every field refuses control characters,
    including fields a form adds in its ``__init__`` (guarded when the form is cleaned)."""

    def full_clean(self) -> None:
        guard_fields(self)  # type: ignore[arg-type]
        super().full_clean()  # type: ignore[misc]


def rejecting_control_characters(form_class: type[forms.BaseForm]) -> type[forms.BaseForm]:
    """``form_class`` with ``RejectsControlCharacters`` mixed in (itself if it has it)."""
    if issubclass(form_class, RejectsControlCharacters):
        return form_class
    return type(
        form_class.__name__,
        (RejectsControlCharacters, form_class),
        {"__module__": form_class.__module__},
    )
