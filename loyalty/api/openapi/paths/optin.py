"""DRAFT from the reference (pos-apis.md 4.4): the opt-in PUTs. They never create a contact
and never re-opt a number that opted out. Confirm at merge, then set DRAFT = False."""

from __future__ import annotations

from loyalty.api.openapi.components import Schema, ok, operation, path_parameter, ref

TAG = "Opt-in"
DESCRIPTION = "Set a known contact's SMS or email opt-in."
DRAFT = True

SCHEMAS: dict[str, Schema] = {
    "OptIn": {
        "type": "object",
        "properties": {
            "contactID": {"type": "integer"},
            "smsOptIn": {"type": "boolean"},
            "emailOptIn": {"type": "boolean"},
        },
    }
}

_FLAG = path_parameter("flag", "Opt in (true) or out (false).", "true", enum=["true", "false"])
_QUERY = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "enum": ["true", "false"]},
    }
    for name, description in (
        ("doubleOpt", "true runs the double opt-in flow (a confirmation text)."),
        ("loyalty", "false skips the double opt-in flow."),
    )
]


def _put(operation_id: str, summary: str, parameters: list[Schema]) -> Schema:
    return {
        "put": operation(
            tag=TAG,
            operation_id=operation_id,
            summary=summary,
            description="Does not create a contact. A number that opted out is never opted "
            "back in.",
            parameters=[*parameters, _FLAG, *_QUERY],
            responses={"200": ok("The contact's opt-ins.", ref("schemas", "OptIn"))},
        )
    }


def paths() -> dict[str, dict[str, Schema]]:
    phone = path_parameter("phone", "The contact's phone.", "2065550134")
    email = path_parameter("email", "The contact's email.", "jo@example.com")
    return {
        "/api/v2/optin/text/{phone}/{flag}": _put("optInText", "Set SMS opt-in", [phone]),
        "/api/v1.1/optin/{uid}/{phone}/{flag}": _put(
            "optInLegacy", "Set SMS opt-in (legacy)", [ref("parameters", "Uid"), phone]
        ),
        "/api/v2/optin/email/{email}/{flag}": _put("optInEmail", "Set email opt-in", [email]),
    }
