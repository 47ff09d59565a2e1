"""States and provinces, by country: what a store's "State / province" and a card's
"Relevant market" may hold (two-letter postal codes), and the full names staff may type
instead ("Washington" is WA)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError

US_STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana",
    "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire", "NJ": "New Jersey",
    "NM": "New Mexico", "NY": "New York", "NC": "North Carolina", "ND": "North Dakota",
    "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    # Territories with cannabis markets of their own.
    "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "MP": "Northern Mariana Islands",
}  # fmt: skip

CA_PROVINCES: dict[str, str] = {
    "AB": "Alberta", "BC": "British Columbia", "MB": "Manitoba", "NB": "New Brunswick",
    "NL": "Newfoundland and Labrador", "NS": "Nova Scotia", "ON": "Ontario",
    "PE": "Prince Edward Island", "QC": "Quebec", "SK": "Saskatchewan",
    "NT": "Northwest Territories", "NU": "Nunavut", "YT": "Yukon",
}  # fmt: skip

# Country code -> (name, its regions, what one region is, what to use, an example).
COUNTRIES: dict[str, tuple[str, dict[str, str], str, str, str]] = {
    "US": (
        "United States",
        US_STATES,
        "a state of the United States",
        "a US state or DC",
        "WA for Washington",
    ),
    "CA": (
        "Canada",
        CA_PROVINCES,
        "a province or territory of Canada",
        "a Canadian province or territory",
        "ON for Ontario",
    ),
}
COUNTRY_CHOICES = [(code, spec[0]) for code, spec in COUNTRIES.items()]

_BY_NAME: dict[str, str] = {
    name.casefold(): code for regions in (US_STATES, CA_PROVINCES) for code, name in regions.items()
}
_BY_NAME.update({"washington dc": "DC", "washington d.c.": "DC", "québec": "QC"})
ALL_CODES = frozenset(US_STATES) | frozenset(CA_PROVINCES)


def _squash(value: str | None) -> str:
    return " ".join((value or "").split())


def region_code(value: str | None, country: str | None = None) -> str:
    """The two-letter code of what staff typed ("Washington", " wa " -> "WA"), checked
    against ``country`` (US or CA) or, without one, against both. "" when blank.

    Raises ``ValidationError`` saying what is expected when it is not a region there.
    """
    text = _squash(value)
    if not text:
        return ""
    code = _BY_NAME.get(text.casefold(), text.upper())
    if country in COUNTRIES:
        _name, regions, what, kind, example = COUNTRIES[country]
        if code not in regions:
            raise ValidationError(
                "%(typed)s is not %(what)s. Use the two-letter code of %(kind)s, e.g. %(example)s.",
                code="invalid_region",
                params={
                    "typed": text,
                    "what": what,
                    "kind": kind,
                    "example": example,
                },
            )
        return code
    if code not in ALL_CODES:
        raise ValidationError(
            "%(typed)s is not a US state or Canadian province. Use its two-letter code, "
            "e.g. WA or ON.",
            code="invalid_region",
            params={"typed": text},
        )
    return code


def region_codes(values: Iterable[str]) -> list[str]:
    """Several regions (US or Canadian) as codes, in order, without repeats; one
    ``ValidationError`` naming every entry that is not one."""
    codes, bad = [], []
    for value in values:
        try:
            code = region_code(value)
        except ValidationError:
            bad.append(_squash(value))
            continue
        if code:
            codes.append(code)
    if bad:
        raise ValidationError(
            "Use two-letter state or province codes separated by commas, e.g. WA, OR. "
            "Not a US state or Canadian province: %(bad)s.",
            code="invalid_market",
            params={"bad": ", ".join(bad)},
        )
    return list(dict.fromkeys(codes))
