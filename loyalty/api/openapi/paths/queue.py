"""The queue's API door (loyalty/api/queue_views.py, loyalty/api/queue_checkin.py): our
endpoint, not AIQ's, for a POS's own waiting room."""

from __future__ import annotations

from typing import Any

from loyalty.api import assumptions
from loyalty.api.errors import INVALID_KEY_MESSAGE
from loyalty.api.openapi.components import Schema, json_body, json_content, ok, operation, ref

TAG = "Waiting-room queue"
DESCRIPTION = (
    "Put a shopper on a store's waiting-room queue from the POS's own waiting room. Ours, "
    "beyond AIQ's API: AIQ documents no such endpoint."
)
DRAFT = False


def _text(max_length: int, description: str = "") -> Schema:
    # A POS may send a number where text is meant (a store id as 12 or "12").
    schema: Schema = {"type": ["string", "integer", "null"], "maxLength": max_length}
    if description:
        schema["description"] = description
    return schema


_SHOPPER_FIELDS: dict[str, Schema] = {
    "name": _text(100, "The name to call out."),
    "firstName": _text(100, "With lastName, when name is absent."),
    "lastName": _text(100),
    "phone": _text(40, "Any common format; links the check-in to the shopper."),
    "mobilePhone": _text(40, "Same as phone."),
    "telephone": _text(40, "Same as phone (POSaBIT's name)."),
    "email": _text(254, "Links the check-in to the shopper when there is no phone."),
}

SCHEMAS: dict[str, Schema] = {
    "QueueCheckIn": {
        "type": "object",
        "description": "At least one of name, phone or email. POSaBIT's body "
        f"({{{assumptions.QUEUE_POSABIT_WRAPPER}: {{source, name, telephone, customer_id}}}}) "
        "is read as is, the store beside the wrapper.",
        "properties": {
            "storeID": _text(128, "Our store id, or the POS's store key (Store Mappings)."),
            "store": _text(200, "The store's name, when there is no storeID."),
            **_SHOPPER_FIELDS,
            assumptions.QUEUE_POSABIT_WRAPPER: {
                "type": "object",
                "properties": {
                    **_SHOPPER_FIELDS,
                    "source": {"type": "string", "description": "Ignored."},
                    "customer_id": {"description": "Ignored."},
                },
            },
        },
    },
    "QueueCheckedIn": {
        "type": "object",
        "required": ["checkInID", "storeID", "state", "position", "checkedInAt", "contact"],
        "properties": {
            "checkInID": {"type": "integer"},
            "storeID": {"type": "integer"},
            "state": {"type": "string", "enum": ["waiting"]},
            "position": {
                "type": "integer",
                "minimum": 1,
                "description": "1 is the next to be called, among those waiting.",
            },
            "checkedInAt": {"type": "string", "format": "date-time"},
            "contact": {
                "type": "object",
                "required": ["link", "contactID", "loyalty"],
                "properties": {
                    "link": {
                        "type": "string",
                        "enum": ["matched", "created", "none"],
                        "description": "The shopper found by phone or email, created, or "
                        "none (a name only).",
                    },
                    "contactID": {"type": ["integer", "null"]},
                    "loyalty": {"type": "boolean", "description": "A loyalty member."},
                },
            },
        },
    },
}


def _error(description: str, code: str, message: str) -> Schema:
    example = {"success": False, "message": message, "code": code}
    return {"description": description, "content": json_content(ref("schemas", "Error"), example)}


_EXAMPLE: dict[str, Any] = {"store": "Capitol Hill", "name": "Jo Doe", "phone": "2065550134"}


def paths() -> dict[str, dict[str, Schema]]:
    return {
        "/api/v1.1/queue/checkin/{uid}": {
            "post": operation(
                tag=TAG,
                operation_id="queueCheckIn",
                summary="Check a shopper in to a store's waiting room",
                description="Puts the shopper on the store's queue as a door tablet would: "
                "linked by phone, then email, to the contact (created when absent), and on "
                "the budtenders' queue page within seconds. Never enrolls anybody. A retry "
                "makes a second check-in.",
                parameters=[ref("parameters", "Uid")],
                request_body=json_body(ref("schemas", "QueueCheckIn"), _EXAMPLE),
                responses={
                    "200": ok(
                        "Checked in.",
                        ref("schemas", "QueueCheckedIn"),
                        {
                            "checkInID": 41,
                            "storeID": 3,
                            "state": "waiting",
                            "position": 4,
                            "checkedInAt": "2026-12-01T20:41:07.120000+00:00",
                            "contact": {"link": "matched", "contactID": 1207, "loyalty": True},
                        },
                    ),
                    "403": _error(
                        "invalid_api_key: a missing or wrong key, or a UID that is not the "
                        "key's account. store_not_allowed: a store-scoped key naming another "
                        "store.",
                        "invalid_api_key",
                        INVALID_KEY_MESSAGE,
                    ),
                    "404": _error(
                        "store_not_found: no such store in this account.",
                        assumptions.QUEUE_STORE_NOT_FOUND_CODE,
                        "storeID: no such store in this account",
                    ),
                    "409": _error(
                        "queue_closed: the store's opt-in queue is off. Do not retry.",
                        assumptions.QUEUE_CLOSED_CODE,
                        "Capitol Hill is not taking check-ins right now.",
                    ),
                },
            )
        }
    }
