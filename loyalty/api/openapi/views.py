"""/api/schema/ (the document as JSON) and /api/docs/ (Swagger UI, served from our own static
files: the page works with no internet). Both public, like AIQ's swagger page."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from loyalty.api.openapi.builder import HTTP_METHODS, document_json

# Long enough to spare a docs page's reloads, short enough that a deploy shows within minutes.
CACHE_SECONDS = 300


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def schema(request: HttpRequest) -> HttpResponse:
    return HttpResponse(document_json(), content_type="application/json")


@require_GET
@cache_control(public=True, max_age=CACHE_SECONDS)
def docs(request: HttpRequest) -> HttpResponse:
    document = json.loads(document_json())
    context = {"title": document["info"]["title"], "operations": _operations(document)}
    return render(request, "loyalty/api_docs.html", context)


def _operations(document: dict[str, Any]) -> list[dict[str, str]]:
    """Method, path and summary of each operation: the page's list without JavaScript."""
    return [
        {"method": method.upper(), "path": path, "summary": operation.get("summary", "")}
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
