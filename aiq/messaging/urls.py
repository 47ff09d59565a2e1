"""The provider's webhooks, mounted by aiq/urls.py under /sms/."""

from __future__ import annotations

from django.urls import path

from aiq.messaging import views

app_name = "messaging"
urlpatterns = [
    path(
        "twilio/<uuid:webhook_key>/status/<int:message_id>/",
        views.status_callback,
        name="status_callback",
    ),
    path("twilio/<uuid:webhook_key>/inbound/", views.inbound, name="inbound"),
]
