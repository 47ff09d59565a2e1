"""The admin site, organised as the product (aiq/navigation.py) rather than as Django apps:
a dashboard of sections, a page per section and group, the section links in the header,
and Django's per-app index pages sent to the section that holds the app's screens."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from aiq import navigation
from aiq.dashboard import glance


class HubAdminSite(admin.AdminSite):
    site_header = "AIQ Dispensary Hub"
    site_title = "AIQ Dispensary Hub"
    index_title = "Dashboard"
    # Lists such as personas need the full width more than a second copy of the index.
    enable_nav_sidebar = False

    def navigation(self, request: HttpRequest) -> list[navigation.SectionView]:
        """The sections this staff member may see; built once per request."""
        cached = getattr(request, "_hub_navigation", None)
        if cached is None:
            cached = navigation.build(request, self._build_app_dict(request))
            request._hub_navigation = cached  # type: ignore[attr-defined]
        return cached

    def each_context(self, request: HttpRequest) -> dict[str, Any]:
        context = super().each_context(request)
        if request.user.is_active and request.user.is_staff:
            context["hub_sections"] = self.navigation(request)
        return context

    def get_urls(self) -> list:  # type: ignore[type-arg]
        return [
            path("section/<slug:section>/", self.admin_view(self.section_view), name="hub_section"),
            path(
                "section/<slug:section>/<slug:group>/",
                self.admin_view(self.section_view),
                name="hub_group",
            ),
            *super().get_urls(),
        ]

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        response = super().login(request, extra_context)
        # A budtender's day is the waiting-room queue: a login that would open the
        # dashboard opens the queue instead, when the budtender may see it.
        if (
            request.method == "POST"
            and response.status_code == 302
            and response.get("Location") == reverse("admin:index")
        ):
            from stores.queue.access import lands_on_queue

            if lands_on_queue(request.user):
                return redirect("admin:queue_checkin_changelist")
        return response

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
        extra_context = {
            **(extra_context or {}),
            "sections": self.navigation(request),
            "glance": glance(request),
        }
        return super().index(request, extra_context)

    def section_view(
        self, request: HttpRequest, section: str, group: str | None = None
    ) -> HttpResponse:
        """Settings, or one of its groups such as Company Account: the screens it holds."""
        found = navigation.find(self.navigation(request), section)
        if found is None:
            raise Http404("No such section, or nothing in it you may see.")
        groups = [g for g in found.groups if group is None or g.slug == group]
        if not groups:
            raise Http404("No such group, or nothing in it you may see.")
        crumbs = [(found.title, found.url)]
        title = found.title
        if group is not None:
            title = groups[0].title
            if title != found.title:
                crumbs.append((title, groups[0].url))
        context = {
            **self.each_context(request),
            "title": title,
            "subtitle": None,
            "section": found,
            "groups": groups,
            "crumbs": crumbs,
            "company": getattr(request, "company", None),
            "showing_group": group is not None,
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/hub/section.html", context)

    def app_index(self, request: HttpRequest, app_label: str, extra_context: Any = None):  # type: ignore[no-untyped-def]
        # Django's per-app page would show the code's structure; send staff to the section
        # holding the app's first screen instead.
        for section in self.navigation(request):
            for group in section.groups:
                if any(link.model.split(".")[0] == app_label for link in group.links):
                    return redirect(group.url if len(section.groups) > 1 else section.url)
        return super().app_index(request, app_label, extra_context)
