"""Sandbox-only introspection: a ping, and the in-flight record of a Clover token."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from integrations.sandbox import faults
from integrations.sandbox.web import json_response

PROVIDERS = ("cova", "posabit", "clover")


def index(request: HttpRequest) -> HttpResponse:
    """GET /sandbox/: says the sandboxes answer (``sandbox_answers`` checks this)."""
    return json_response(
        {"sandbox": "ok", "providers": [f"/sandbox/{name}/" for name in PROVIDERS]}
    )


def flight(request: HttpRequest) -> HttpResponse:
    """GET /sandbox/_stats/?token_hash=<sha256 hex of a token>: its in-flight record."""
    token_hash = request.GET.get("token_hash", "").strip().lower()
    if not token_hash:
        return json_response({"error": "token_hash is required"}, status=400)
    record = faults.flight_stats(token_hash)
    return json_response(
        {
            "token_hash": token_hash,
            "in_flight": record.in_flight,
            "max_in_flight": record.max_in_flight,
            "requests": record.requests,
        }
    )
