"""The opt-in PUTs: set an existing shopper's SMS or email consent; never create a contact,
never re-opt a shopper who opted out (``aiq.personas.consent`` keeps that rule)."""

from __future__ import annotations

from dataclasses import dataclass

from aiq.personas.choices import Consent, ConsentProvenance
from aiq.personas.consent import ConsentChange, ConsentOrigin, change_consent
from aiq.personas.models import Persona
from loyalty.api.errors import bad_request
from loyalty.api.models import ApiKey


@dataclass(frozen=True)
class OptIn:
    """What the PUT asks: opt in (directly or pending a double opt-in) or opt out."""

    opt_in: bool
    double_opt_in: bool

    @property
    def status(self) -> str:
        if not self.opt_in:
            return Consent.OPTED_OUT
        return Consent.PENDING if self.double_opt_in else Consent.OPTED_IN


def read_opt_in(value: str, query: dict[str, str]) -> OptIn:
    """The path's true/false and the query's doubleOpt and loyalty flags."""
    flag = value.strip().lower()
    if flag not in ("true", "false"):
        raise bad_request("optin", "must be true or false")
    double = _query_flag(query, "doubleOpt", default=False)
    skip_double = not _query_flag(query, "loyalty", default=True)
    return OptIn(opt_in=flag == "true", double_opt_in=double and not skip_double)


def _query_flag(query: dict[str, str], name: str, *, default: bool) -> bool:
    raw = query.get(name)
    if raw is None or raw == "":
        return default
    if raw.strip().lower() not in ("true", "false", "1", "0"):
        raise bad_request(name, "must be true or false")
    return raw.strip().lower() in ("true", "1")


def set_opt_in(persona: Persona, channel: str, request: OptIn, key: ApiKey) -> ConsentChange:
    origin = ConsentOrigin(
        provenance=ConsentProvenance.API,
        source=f"api:optin {channel}" + (" double opt-in" if request.double_opt_in else ""),
        api_key_label=key.name,
    )
    return change_consent(persona, channel, request.status, origin)
