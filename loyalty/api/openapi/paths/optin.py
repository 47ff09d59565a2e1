"""The opt-in PUTs (loyalty/api/contact_views.py, loyalty/api/optins.py): set a known
contact's SMS or email consent; never create a contact, never re-opt an opted-out one."""

from __future__ import annotations

from loyalty.api import assumptions
from loyalty.api.openapi.components import (
    Schema,
    json_content,
    ok_or_not_found,
    operation,
    path_parameter,
    ref,
)

TAG = "Opt-in"
DESCRIPTION = "Set a known contact's SMS or email opt-in."
DRAFT = False

SCHEMAS: dict[str, Schema] = {
    "OptIn": {
        "type": "object",
        "required": ["contactID", "channel", "status", "optIn", "changed"],
        "properties": {
            "contactID": {"type": "integer"},
            "channel": {"type": "string", "enum": ["sms", "email"]},
            "status": ref("schemas", "ConsentStatus"),
            "optIn": {"type": "boolean", "description": "Opted in now."},
            "changed": {"type": "boolean", "description": "false when it already was so."},
        },
    },
    "ConsentStatus": {"type": "string", "enum": ["unknown", "pending", "opted_in", "opted_out"]},
}

_FLAG = path_parameter("flag", "Opt in (true) or out (false).", "true", enum=["true", "false"])
_QUERY = [
    {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", "enum": ["true", "false", "1", "0"]},
    }
    for name, description in (
        ("doubleOpt", "true: the opt-in is pending until the shopper confirms."),
        ("loyalty", "false skips the double opt-in."),
    )
]
_OPTED_OUT = {
    "description": "opted_out: this contact opted out, and is never opted in again through "
    "the API. Nothing changed; do not retry.",
    "content": json_content(
        ref("schemas", "Error"),
        {
            "success": False,
            "message": assumptions.OPTED_OUT_MESSAGE["sms"],
            "code": assumptions.OPTED_OUT_CODE,
        },
    ),
}


def _put(operation_id: str, summary: str, parameters: list[Schema]) -> dict[str, Schema]:
    return {
        "put": operation(
            tag=TAG,
            operation_id=operation_id,
            summary=summary,
            description="Does not create a contact: an unknown one gets AIQ's not-found shape.",
            parameters=[*parameters, _FLAG, *_QUERY],
            responses={
                "200": ok_or_not_found("The contact's consent now.", ref("schemas", "OptIn")),
                str(assumptions.OPTED_OUT_STATUS): _OPTED_OUT,
            },
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
