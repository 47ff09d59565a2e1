"""The benchmark's yardstick: a JSON view that does one indexed SELECT and nothing else.

Mounted at /api/bench/ only when ``API_BENCH_BASELINE_VIEW`` is on, which ``bench_api``
sets for the gunicorn it starts and nothing else does. It answers ids only (a persona's
and its company's), so even switched on by mistake it reveals nothing about anybody.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path

from aiq.personas.models import Persona


def one_query(request: HttpRequest, persona_id: int) -> JsonResponse:
    row = Persona.objects.filter(pk=persona_id).values_list("id", "company_id").first()
    if row is None:
        return JsonResponse({"success": False, "code": "not_found"}, status=404)
    return JsonResponse({"success": True, "data": {"id": row[0], "companyID": row[1]}})


urlpatterns = [path("one-query/<int:persona_id>", one_query, name="bench-one-query")]
