"""The OpenAPI document: valid, served at /api/schema/ (no key, cached), rendered at
/api/docs/ from our own static files, covering every API URL and claiming no other."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.http import HttpRequest
from django.urls import URLPattern, URLResolver, path, re_path, resolve, reverse
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from loyalty.api import urls as api_urls
from loyalty.api import views
from loyalty.api.endpoint import Call, api_endpoint
from loyalty.api.openapi.builder import (
    GROUPS,
    HTTP_METHODS,
    build_document,
    document_json,
    sample_url,
)
from loyalty.api.openapi.paths import piis
from tests.conftest import staff_client

API_PREFIX = "/api/"


def _route(pattern: URLPattern) -> str:
    """The pattern's full route as resolve() reports it (path() and re_path() alike)."""
    return API_PREFIX.lstrip("/") + str(pattern.pattern).lstrip("^")


def _api_patterns() -> list[URLPattern]:
    return [p for p in api_urls.urlpatterns if p.callback is not views.unknown_path]


def _documented_routes(document_paths: dict[str, Any]) -> dict[str, str]:
    """Each documented path's URL pattern route: the path with its examples, resolved."""
    return {resolve(sample_url(path, item)).route: path for path, item in document_paths.items()}


def test_the_document_is_valid_openapi_with_and_without_the_drafts():
    validate(build_document())
    validate(build_document(served_only=False))


def test_every_api_url_has_its_documented_path_with_the_methods_its_view_takes():
    # A new endpoint fails here until its group in loyalty/api/openapi/paths/ documents it.
    documented = build_document()["paths"]
    routes = _documented_routes(documented)
    for pattern in _api_patterns():
        route = _route(pattern)
        assert route in routes, f"{route} has no path in loyalty/api/openapi/paths/"
        item = documented[routes[route]]
        methods = {name for name in item if name in HTTP_METHODS}
        declared = getattr(pattern.callback, "api_methods", None)
        if declared is not None:
            assert methods == {method.lower() for method in declared}, route


def test_the_api_is_mounted_where_the_document_says():
    assert reverse("loyalty_api:wallet") == "/api/v2/wallet"
    assert reverse("loyalty_api:stores", args=["1234"]) == "/api/v1.1/stores/1234"


def test_the_document_claims_no_path_the_server_does_not_answer():
    # given every path drafted, served or not
    drafted = build_document(served_only=False)["paths"]
    served = build_document()["paths"]

    # then a drafted path is served exactly when its URL reaches a view of the API
    for openapi_path, item in drafted.items():
        match = resolve(sample_url(openapi_path, item))
        assert (openapi_path in served) == (match.func is not views.unknown_path), openapi_path
    assert set(_documented_routes(served)) == {_route(p) for p in _api_patterns()}
    assert all("x-draft" not in op for op in served["/api/v2/wallet"].values())


def _examples(document: dict[str, Any]):
    bodies = [("components", body) for body in document["components"]["responses"].values()]
    for openapi_path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method} {openapi_path}"
            bodies.append((where, operation.get("requestBody", {})))
            bodies += [(where, response) for response in operation["responses"].values()]
    for where, body in bodies:
        media = body.get("content", {}).get("application/json", {})
        if "example" in media:
            yield where, media["schema"], media["example"]


def test_every_example_fits_its_schema():
    # Swagger UI shows these and schemathesis sends the request ones: they must be right.
    document = build_document(served_only=False)
    checked = 0
    for where, schema, example in _examples(document):
        root = {**schema, "components": document["components"]}
        errors = list(Draft202012Validator(root).iter_errors(example))
        assert errors == [], (where, errors[0].message)
        checked += 1
    assert checked >= 15


def test_every_group_is_in_the_full_document_with_its_tag():
    document = build_document(served_only=False)
    assert [tag["name"] for tag in document["tags"]] == [group.TAG for group in GROUPS]
    assert "/api/v1.1/discount/redeem/{uid}/{id}/{token}/{transactionId}" in document["paths"]


def test_a_group_still_a_draft_says_so(monkeypatch):
    # given a group written before its views were checked
    monkeypatch.setattr(piis, "DRAFT", True)

    document = build_document(served_only=False)

    # then its operations carry the marker and the note; the others do not
    drafted = document["paths"]["/api/v1.1/piis/{uid}"]["get"]
    assert drafted["x-draft"] is True
    assert drafted["description"].endswith("not yet from this server's code.*")
    assert "x-draft" not in document["paths"]["/api/v2/loyalty"]["post"]


# A URLconf where only the redemption URL exists, taking PUT only (pytest.mark.urls below);
# any other /api/ path reaches the catch-all.
@api_endpoint("PUT")
def _redeem_stub(request: HttpRequest, call: Call, **kwargs: str) -> dict[str, str]:
    return {}


urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1.1/discount/redeem/<str:uid>/<int:id>/<str:token>", _redeem_stub),
    re_path(r"^api/", views.unknown_path),
]


@pytest.mark.urls(__name__)
def test_a_built_path_is_served_with_only_the_methods_its_view_takes():
    served = build_document()["paths"]

    # only that path, only its method; the transaction-id form has no view here
    assert list(served) == ["/api/v1.1/discount/redeem/{uid}/{id}/{token}"]
    item = served["/api/v1.1/discount/redeem/{uid}/{id}/{token}"]
    assert sorted(name for name in item if name in HTTP_METHODS) == ["put"]


def test_the_schema_is_served_as_json_without_a_key_and_cached(client):
    document_json.cache_clear()  # built anew from this test's settings
    response = client.get("/api/schema/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "max-age=300" in response["Cache-Control"]
    assert response.json() == build_document()


def test_the_schema_takes_only_get(client):
    assert client.post("/api/schema/").status_code == 405


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css" in sources
    # no CDN: every asset is ours, and each exists among the static files
    for source in sources:
        assert source.startswith("/"), source
        if source.startswith("/static/"):
            assert finders.find(source.removeprefix("/static/")) is not None, source
    assert "validatorUrl: null" in html  # Swagger UI's default validator is remote
    # without JavaScript the page still lists the operations
    assert "<code>GET /api/v2/wallet/{phone}</code>" in html


@pytest.mark.django_db
def test_api_and_tracking_links_the_docs(company_a):
    owner = staff_client(company_a)

    response = owner.get("/admin/loyalty/apikey/")

    assert response.status_code == 200
    assert 'href="/api/docs/"' in response.content.decode()
