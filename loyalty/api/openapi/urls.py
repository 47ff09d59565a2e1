"""The API's own description, mounted beside it at /api/ (aiq/urls.py), before the API's
catch-all so these two are not answered as unknown endpoints."""

from __future__ import annotations

from django.urls import path

from loyalty.api.openapi import views

urlpatterns = [
    path("schema/", views.schema, name="api-schema"),
    path("docs/", views.docs, name="api-docs"),
]
