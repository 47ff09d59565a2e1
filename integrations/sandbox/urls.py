"""The POS sandboxes, mounted by aiq/urls.py under /sandbox/ when POS_SANDBOX_ENABLED.

Each provider lives under ``/sandbox/<provider>/`` followed by the real API's own path.
"""

from __future__ import annotations

from django.urls import include, path

from integrations.sandbox import stats

urlpatterns = [
    path("", stats.index),
    path("_stats/", stats.flight),
    path("cova/", include("integrations.sandbox.cova.urls")),
    path("posabit/", include("integrations.sandbox.posabit.urls")),
    path("clover/", include("integrations.sandbox.clover.urls")),
    path("twilio/", include("integrations.sandbox.twilio.urls")),
]
