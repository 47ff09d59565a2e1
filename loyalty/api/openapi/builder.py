"""Puts the groups together into one OpenAPI 3.1 document, keeping only what is served.

A group's path is in the document only when its URL resolves to a real view (not the
catch-all that answers unknown /api/ paths), and only with the methods that view accepts:
the document never claims an endpoint this server does not have.
"""

from __future__ import annotations

import functools
import json
import re
from types import ModuleType
from typing import Any

from django.urls import Resolver404, resolve

from loyalty.api import views
from loyalty.api.openapi import components
from loyalty.api.openapi.paths import (
    lookup,
    optin,
    piis,
    points,
    queue,
    redemption,
    sales,
    signups,
    stores,
    wallet,
)

# The order is the docs page's order. A new endpoint group is a module in paths/ and a line here.
GROUPS: tuple[ModuleType, ...] = (
    wallet,
    redemption,
    signups,
    lookup,
    optin,
    points,
    piis,
    sales,
    stores,
    queue,
)

HTTP_METHODS = ("get", "put", "post", "delete", "patch")

DESCRIPTION = """\
The POS-facing loyalty API, on AIQ's paths and shapes: a POS integration written for AIQ
works pointed at this server.

Every call sends the account's API key in the `X-APIKEY` header (any case). Paths with a
`{uid}` segment take the account UID; both are on Settings > API & Tracking.

Success is `{"success": true, "data": ...}`. Failure is
`{"success": false, "message": "...", "code": "..."}` with a stable `code`. An unknown
shopper is AIQ's not-found shape: HTTP 200, `{"success": true, "code": 200,
"data": {"results": null}}`.
"""


def build_document(*, served_only: bool = True) -> dict[str, Any]:
    """The document. ``served_only=False`` keeps every drafted path (for tests and review)."""
    document_paths: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    tags = []
    for group in GROUPS:
        group_paths = group.paths()
        if served_only:
            group_paths = _served(group_paths)
        if not group_paths:
            continue
        if group.DRAFT:
            group_paths = _marked_draft(group_paths)
        document_paths |= group_paths
        schemas |= group.SCHEMAS
        tags.append({"name": group.TAG, "description": group.DESCRIPTION})
    shared = components.components()
    shared["schemas"] = shared["schemas"] | schemas
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Loyalty API (AIQ-compatible)",
            "version": "2",
            "description": DESCRIPTION,
        },
        "security": [{components.SECURITY_SCHEME_NAME: []}],
        "tags": tags,
        "paths": document_paths,
        "components": shared,
    }


@functools.cache
def document_json() -> bytes:
    """The served document, built once per process: the URLconf does not change at run time."""
    return json.dumps(build_document(), indent=1).encode()


def _served(group_paths: dict[str, Any]) -> dict[str, Any]:
    served = {}
    for template, item in group_paths.items():
        methods = _view_methods(template, item)
        if methods is None:
            continue
        kept = {
            name: value
            for name, value in item.items()
            if name not in HTTP_METHODS or name in methods
        }
        if any(name in HTTP_METHODS for name in kept):
            served[template] = kept
    return served


def _view_methods(template: str, item: dict[str, Any]) -> set[str] | None:
    """The methods the view behind this path accepts, or None when no view is there."""
    try:
        match = resolve(sample_url(template, item))
    except Resolver404:
        return None
    if match.func is views.unknown_path:
        return None
    # api_endpoint marks its views with their method; an undecorated view: take the doc's word.
    declared = getattr(match.func, "api_methods", None)
    if declared is None:
        return set(HTTP_METHODS)
    return {method.lower() for method in declared}


def sample_url(template: str, item: dict[str, Any]) -> str:
    """The path with each {parameter} replaced by its example ("1" without one): "1" fits a
    str, slug and int converter alike."""
    examples = {}
    for operation in (item[name] for name in HTTP_METHODS if name in item):
        for parameter in operation.get("parameters", []):
            if parameter.get("in") == "path":
                examples[parameter["name"]] = str(parameter.get("example", "1"))
    return re.sub(r"\{(\w+)\}", lambda found: examples.get(found.group(1), "1"), template)


DRAFT_NOTE = "\n\n*Draft: written from AIQ's published API, not yet from this server's code.*"


def _marked_draft(group_paths: dict[str, Any]) -> dict[str, Any]:
    """Said to the reader (a note in the description) and to tools (``x-draft``)."""
    marked = {}
    for template, item in group_paths.items():
        marked[template] = {
            name: (_draft(op) if name in HTTP_METHODS else op) for name, op in item.items()
        }
    return marked


def _draft(operation: dict[str, Any]) -> dict[str, Any]:
    return {**operation, "description": operation["description"] + DRAFT_NOTE, "x-draft": True}
