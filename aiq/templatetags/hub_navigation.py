"""Breadcrumbs drawn from the product's map (aiq/navigation.py), for every admin page."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator, capfirst

from aiq import navigation

register = template.Library()


@register.simple_tag(takes_context=True)
def hub_breadcrumbs(context: dict[str, Any], opts: Any, obj: Any = None, last: Any = None) -> str:
    """Home > section > group > the model's list [> the object] [> last]; the final crumb
    is the current page and carries no link."""
    request = context["request"]
    site = admin.site
    model_key = f"{opts.app_label}.{opts.model_name}"
    trail = navigation.trail_for(model_key, site.navigation(request))
    if not trail:
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        except NoReverseMatch:
            url = ""
        trail = [(capfirst(opts.verbose_name_plural), url)]
    crumbs = [("Home", reverse("admin:index")), *trail]
    if obj is not None and getattr(obj, "pk", None) is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(obj.pk)])
        crumbs.append((Truncator(str(obj)).words(18), change))
    if last:
        crumbs.append((str(last), ""))
    *linked, (current, _url) = crumbs
    pieces = format_html_join(
        "",
        "{} &rsaquo; ",
        (
            (format_html('<a href="{}">{}</a>', url, label) if url else label,)
            for label, url in linked
        ),
    )
    return format_html('<div class="breadcrumbs">{}{}</div>', pieces, current)


@register.simple_tag(takes_context=True)
def hub_list_title(context: dict[str, Any], opts: Any) -> str:
    """A list's heading as the product names it ("Retail Stores", "Sync runs"), not
    Django's "Select retail store to change"."""
    model_key = f"{opts.app_label}.{opts.model_name}"
    for section in admin.site.navigation(context["request"]):
        for link in section.links:
            if link.model == model_key:
                return link.label
    return str(capfirst(opts.verbose_name_plural))
