"""Account notifications about stores, for the admin index."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from integrations.services.store_mapping import unmapped_pos_keys

register = template.Library()


@register.inclusion_tag("admin/stores/_unmapped_notice.html", takes_context=True)
def unmapped_stores_notice(context: dict[str, Any]) -> dict[str, Any]:
    """ "You have unmapped stores" while any POS key of the company maps to no store
    (one query); nothing for staff who cannot change stores."""
    request = context.get("request")
    company = getattr(request, "company", None)
    if company is None or not request.user.has_perm("stores.change_retailstore"):
        return {"count": 0}
    return {
        "count": unmapped_pos_keys(company).count(),
        "url": reverse("admin:stores_retailstore_changelist"),
    }
