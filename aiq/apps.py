from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class HubAdminConfig(AdminConfig):
    """django.contrib.admin with the product's own site as ``admin.site``."""

    default_site = "aiq.admin_site.HubAdminSite"
