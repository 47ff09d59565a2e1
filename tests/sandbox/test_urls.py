"""The sandbox routes: case-insensitive where ASP.NET is, and never in the way of reverse()."""

from __future__ import annotations

from django.urls import get_resolver, resolve, reverse


def test_sandbox_patterns_keep_the_project_reversible():
    # Django builds the reverse map of every pattern on the first reverse(): a pattern it
    # cannot reverse (e.g. an inline (?i) flag) would break every admin page.
    get_resolver().reverse_dict  # noqa: B018
    assert reverse("admin:index") == "/admin/"


def test_cova_paths_match_in_any_case_and_capture_their_ids():
    match = resolve("/sandbox/cova/CRM/V1/companies(123)/customerfull(ABC-1)")
    assert match.func.__name__ == "customer_full"
    assert match.kwargs == {"company": "123", "customer_id": "ABC-1"}
    products = resolve("/sandbox/cova/dataplatform/v1/Companies/9/DetailedProductData/")
    assert products.func.__name__ == "detailed"


def test_unknown_cova_paths_fall_through_to_the_json_404():
    assert resolve("/sandbox/cova/nothing/here").func.__name__ == "not_found"
