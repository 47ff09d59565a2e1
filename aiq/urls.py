from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# admin.site is aiq.admin_site.HubAdminSite (aiq/apps.py): the admin as the product.
urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
]

if settings.POS_SANDBOX_ENABLED:
    urlpatterns.append(path("sandbox/", include("integrations.sandbox.urls")))
