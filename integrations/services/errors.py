"""Errors the integration services raise for a person to read."""

from __future__ import annotations


class ConnectRefused(Exception):
    """Connect cannot start (no attestation, no credential); ``message`` says what to do."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)
