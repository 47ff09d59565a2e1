from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from aiq.accounts.tenancy import company_for_user


class CompanyMiddleware:
    """Puts the signed-in staff member's company on `request.company` (None for none)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.company = company_for_user(request.user)  # type: ignore[attr-defined]
        return self.get_response(request)
