"""COA links and lab values from Cova product specifications (seed 002).

The COA link is the value of a specification whose display name is "COA Link" or "COA".
Lab values come from number specifications whose name matches one of the 20 supported
labs (compared without case, spaces or hyphens); the name and unit are kept. Any other
number specification is ignored and reported, so staff can rename it in Cova. When two
specifications give the same lab, the highest value wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ecommerce.menu import assumptions

SUPPORTED_LABS: tuple[str, ...] = (
    "3-Carene",
    "Alpha Pinene",
    "Beta Caryophyllene",
    "Beta Eudesmol",
    "Beta Myrcene",
    "Beta Pinene",
    "Bisabolol",
    "Caryophyllene Oxide",
    "Guaiol",
    "Humulene",
    "Limonene",
    "Linalool",
    "Ocimene",
    "Terpinolene",
    "Terpinene",
    "Trans-Nerolidol",
    "THCa",
    "CBDa",
    "CBN",
    "CBG",
)
COA_NAMES = frozenset({"coa link", "coa"})


def _folded(name: str) -> str:
    return re.sub(r"[\s\-_]+", "", name).lower()


_BY_FOLDED = {_folded(name): name for name in SUPPORTED_LABS}


def supported_lab(name: str) -> str | None:
    """The supported lab's canonical name for ``name``, or None."""
    return _BY_FOLDED.get(_folded(name))


@dataclass
class SpecificationReading:
    """What a product's specifications say: COA link, labs, and ignored lab names."""

    coa_url: str = ""
    labs: dict[str, dict[str, str]] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)


def _label(spec: Mapping[str, Any]) -> str:
    for key in assumptions.SPEC_NAME_KEYS:
        value = spec.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _number(value: Any) -> Decimal | None:
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def read_specifications(specifications: Iterable[Any]) -> SpecificationReading:
    """Read one product's specifications (non-objects are skipped)."""
    reading = SpecificationReading()
    best: dict[str, tuple[Decimal, str]] = {}
    for spec in specifications:
        if not isinstance(spec, Mapping):
            continue
        label = _label(spec)
        value = spec.get(assumptions.SPEC_VALUE_KEY)
        if label.lower() in COA_NAMES:
            if isinstance(value, str) and value.strip().lower().startswith(("http://", "https://")):
                reading.coa_url = reading.coa_url or value.strip()
            continue
        kind = str(spec.get(assumptions.SPEC_TYPE_KEY) or "").lower()
        if kind not in assumptions.NUMBER_SPEC_TYPES:
            continue
        lab = supported_lab(label)
        if lab is None:
            if label and label not in reading.unsupported:
                reading.unsupported.append(label)
            continue
        number = _number(value)
        if number is None:
            continue
        unit = str(spec.get(assumptions.SPEC_UNIT_KEY) or "")
        if lab not in best or number > best[lab][0]:
            best[lab] = (number, unit)
    reading.labs = {
        name: {"value": str(value), "unit": unit} for name, (value, unit) in best.items()
    }
    return reading
