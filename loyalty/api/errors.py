"""The API's failures: each a status, a stable code and a message."""

from __future__ import annotations

INVALID_KEY_MESSAGE = "Please provide a valid API key"


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def invalid_key() -> ApiError:
    return ApiError(403, "invalid_api_key", INVALID_KEY_MESSAGE)


def bad_request(field: str, why: str) -> ApiError:
    return ApiError(400, "invalid_field", f"{field}: {why}")
