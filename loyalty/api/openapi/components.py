"""What every operation shares: AIQ's envelope, the error body, AIQ's not-found shape, the
X-APIKEY scheme, shared parameters, and the failures the endpoint decorator can answer."""

from __future__ import annotations

from typing import Any

from loyalty.api import assumptions
from loyalty.api.errors import INVALID_KEY_MESSAGE

Schema = dict[str, Any]

SECURITY_SCHEME_NAME = "apiKey"


def ref(kind: str, name: str) -> Schema:
    return {"$ref": f"#/components/{kind}/{name}"}


def envelope(data: Schema) -> Schema:
    """``{"success": true, "data": ...}``: every successful answer."""
    return {
        "type": "object",
        "required": ["success", "data"],
        "properties": {"success": {"const": True}, "data": data},
    }


def json_content(schema: Schema, example: Any = None) -> Schema:
    media: Schema = {"schema": schema}
    if example is not None:
        media["example"] = example
    return {"application/json": media}


def ok(description: str, data: Schema, example: Any = None) -> Schema:
    """A 200 with ``data`` in the envelope."""
    wrapped = None if example is None else {"success": True, "data": example}
    return {"description": description, "content": json_content(envelope(data), wrapped)}


def ok_or_not_found(description: str, data: Schema, example: Any = None) -> Schema:
    """A 200 that is either the envelope or AIQ's not-found shape (also HTTP 200)."""
    wrapped = None if example is None else {"success": True, "data": example}
    schema = {"oneOf": [envelope(data), ref("schemas", "NotFound")]}
    return {"description": description, "content": json_content(schema, wrapped)}


def path_parameter(name: str, description: str, example: str = "", **schema: Any) -> Schema:
    parameter: Schema = {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", **schema},
    }
    if example:
        parameter["example"] = example
    return parameter


def json_body(schema: Schema, example: Any = None, *, required: bool = True) -> Schema:
    return {"required": required, "content": json_content(schema, example)}


def operation(
    *,
    tag: str,
    summary: str,
    description: str,
    responses: dict[str, Schema],
    parameters: list[Schema] | None = None,
    request_body: Schema | None = None,
    operation_id: str,
) -> Schema:
    """One operation with the failures the decorator may answer added: a bad field (400)
    only where input is read, and 403, 405, 429, 500 everywhere."""
    failures: dict[str, Schema] = {"403": ref("responses", "InvalidApiKey")}
    if request_body is not None or parameters:
        failures["400"] = ref("responses", "InvalidField")
    if request_body is not None:
        failures["413"] = ref("responses", "BodyTooLarge")
    failures |= {
        "405": ref("responses", "MethodNotAllowed"),
        "429": ref("responses", "RateLimited"),
        "500": ref("responses", "ServerError"),
    }
    built: Schema = {
        "tags": [tag],
        "operationId": operation_id,
        "summary": summary,
        "description": description,
        "responses": dict(sorted({**failures, **responses}.items())),
    }
    if parameters:
        built["parameters"] = parameters
    if request_body is not None:
        built["requestBody"] = request_body
    return built


def _error(description: str, code: str, message: str, headers: Schema | None = None) -> Schema:
    response: Schema = {
        "description": description,
        "content": json_content(
            ref("schemas", "Error"), {"success": False, "message": message, "code": code}
        ),
    }
    if headers:
        response["headers"] = headers
    return response


def components() -> Schema:
    limit = assumptions.MAX_BODY_BYTES
    return {
        "securitySchemes": {
            SECURITY_SCHEME_NAME: {
                "type": "apiKey",
                "in": "header",
                "name": "X-APIKEY",
                "description": (
                    "The API key from Settings > API & Tracking. Header names are "
                    "case-insensitive: `x-apikey` is the same header. A missing or wrong key, "
                    "or a UID in the path that is not the key's account, gets 403."
                ),
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "required": ["success", "message", "code"],
                "properties": {
                    "success": {"const": False},
                    "message": {"type": "string"},
                    "code": {
                        "type": "string",
                        "description": "Stable: a client may branch on it.",
                        "examples": ["invalid_field", "invalid_api_key", "rate_limited"],
                    },
                },
            },
            "NotFound": {
                "description": 'AIQ\'s "no such shopper": HTTP 200, code 200, null results.',
                "type": "object",
                "required": ["success", "code", "data"],
                "properties": {
                    "success": {"const": True},
                    "code": {"const": assumptions.NOT_FOUND_STATUS},
                    "data": {
                        "type": "object",
                        "required": ["results"],
                        "properties": {"results": {"type": "null"}},
                    },
                },
                "example": assumptions.not_found_body(),
            },
        },
        "parameters": {
            "Uid": path_parameter(
                "uid",
                "The account UID (Settings > API & Tracking). It must be the API key's "
                "account: any other UID gets the same 403 as a wrong key.",
                "1234",
            ),
        },
        "responses": {
            "InvalidField": _error(
                "Bad input: not JSON, a missing field or a wrong type. The message names "
                "the field.",
                "invalid_field",
                "phone: required (or email)",
            ),
            "InvalidApiKey": _error(
                "A missing or wrong X-APIKEY, or a UID that is not the key's account.",
                "invalid_api_key",
                INVALID_KEY_MESSAGE,
            ),
            "MethodNotAllowed": _error(
                "Another HTTP method than the one documented.",
                "method_not_allowed",
                "Use GET.",
                {"Allow": {"description": "The method to use.", "schema": {"type": "string"}}},
            ),
            "BodyTooLarge": _error(
                f"A request body over {limit} bytes.",
                "body_too_large",
                f"body: larger than {limit} bytes",
            ),
            "RateLimited": _error(
                f"Over {assumptions.RATE_LIMIT_PER_MINUTE} requests in a minute for this key.",
                "rate_limited",
                "Too many requests for this API key; try again later.",
                {
                    "Retry-After": {
                        "description": "Seconds until the key's window resets.",
                        "schema": {"type": "string", "pattern": "^[0-9]+$"},
                    }
                },
            ),
            "ServerError": _error(
                "Our bug, still in the envelope (and logged).",
                "server_error",
                "Something went wrong.",
            ),
        },
    }
