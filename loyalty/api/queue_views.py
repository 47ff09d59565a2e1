"""The queue's API door (our endpoint, not AIQ's): thin, loyalty/api/queue_checkin.py works."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from loyalty.api.endpoint import Call, api_endpoint
from loyalty.api.queue_checkin import api_check_in, read_check_in


@api_endpoint("POST", json_body=True)
def queue_check_in(request: HttpRequest, call: Call, uid: str) -> Any:
    """POST /api/v1.1/queue/checkin/:uid: put a shopper on a store's waiting-room queue."""
    return api_check_in(call.key, read_check_in(call.body or {}))
