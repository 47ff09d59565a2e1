"""The queue page for staff, served by the admin (its login, header and navigation):
Settings' map places it as one entry, "Waiting-room queue" (aiq/navigation.py).

The admin's own add/change/delete screens are not offered: check-ins are made at the
door, by the API or by the walk-in form here, and moved with the buttons on the page.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control

from aiq.accounts.tenancy import TenantAdmin
from stores.models import RetailStore
from stores.queue import access, board, vip
from stores.queue.choices import CheckInDoor
from stores.queue.forms import ArrivalForm
from stores.queue.models import CheckIn
from stores.queue.row_html import render_rows
from stores.queue.services import (
    MoveRefused,
    QueueClosed,
    check_in,
    move,
    new_check_in_link,
    queue_of,
)
from stores.queue.shopper.views import ShopperViews

# How often the open page asks whether its store's queue changed (milliseconds): new
# check-ins show within two seconds with room to spare.
POLL_INTERVAL_MS = 1000
CHANGE_LINK_PERMISSION = "queue.change_storequeue"
# The counter that serves the queue also hands over the store's online orders.
VIEW_ORDERS_PERMISSION = "ecommerce.view_order"


@admin.register(CheckIn)
class QueueAdmin(TenantAdmin):
    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and not access.queue_refusal(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list:  # type: ignore[type-arg]
        wrap = self.admin_site.admin_view
        return [
            path("", wrap(self.queue_view), name="queue_checkin_changelist"),
            path("updates/", wrap(self.updates_view), name="queue_checkin_updates"),
            path("walk-in/", wrap(self.walk_in_view), name="queue_checkin_walk_in"),
            path("<int:pk>/move/", wrap(self.move_view), name="queue_checkin_move"),
            path("new-link/", wrap(self.new_link_view), name="queue_checkin_new_link"),
            # The shopper's profile, the wallet search and the counter's actions.
            *ShopperViews(self.admin_site).urls(),
        ]

    # -- views ---------------------------------------------------------------------------

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        refused = self._refused(request)
        if refused is not None:
            return refused
        stores = list(access.stores_for(request.user).order_by("name"))
        store = self._chosen_store(request, stores)
        context = {
            **self.admin_site.each_context(request),
            "title": "Waiting-room queue",
            "subtitle": store.name if store else None,
            "stores": stores,
            "store": store,
            "poll_interval_ms": POLL_INTERVAL_MS,
            "opts": self.model._meta,
            "may_change_link": request.user.has_perm(CHANGE_LINK_PERMISSION),
            "orders_url": _orders_url(store.pk)
            if store is not None and request.user.has_perm(VIEW_ORDERS_PERMISSION)
            else None,
        }
        if store is not None and store.opt_in_queue_enabled:
            queue = queue_of(store)
            vip.ensure_line(store.company_id)
            context.update(
                {
                    "queue": queue,
                    "etag": board.etag(store.pk, queue.version),
                    "rows_html": render_rows(request, board.rows_for(store.pk)),
                    "walk_in_form": ArrivalForm(store=store),
                    "check_in_url": request.build_absolute_uri(
                        reverse("queue:check_in", args=[queue.check_in_token])
                    ),
                }
            )
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "queue/queue_page.html", context)

    def updates_view(self, request: HttpRequest) -> HttpResponse:
        """The rows of one store's queue, or 304 when its version is the one the page has."""
        refused = self._refused(request)
        if refused is not None:
            return refused
        store_id = _store_id(request.GET.get("store"))
        stores = access.stores_for(request.user)
        # One read answers both "may they?" and "what version?": the poll's whole cost.
        tag = board.current_etag(store_id, within=stores) if store_id else None
        if tag is None:
            raise Http404("No such store in your company.")
        if tag in _etags(request.headers.get("If-None-Match", "")):
            response = HttpResponse(status=304)
        else:
            response = HttpResponse(render_rows(request, board.rows_for(store_id)))
        response["ETag"] = tag
        patch_cache_control(response, private=True, no_cache=True)
        return response

    def move_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        refused = self._refused(request)
        if refused is not None:
            return refused
        entry = (
            CheckIn.objects.filter(pk=pk, store__in=access.stores_for(request.user))
            .select_related("store")
            .first()
        )
        if entry is None:
            raise Http404("No such check-in in your stores.")
        try:
            move(entry, request.POST.get("to_state", ""), by=request.user)
        except (MoveRefused, ValueError) as error:
            message = str(error) if isinstance(error, MoveRefused) else "No such state."
            self.message_user(request, message, messages.ERROR)
        return redirect(_queue_url(entry.store_id))

    def walk_in_view(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        refused = self._refused(request)
        if refused is not None:
            return refused
        store_id = _store_id(request.POST.get("store"))
        store = access.stores_for(request.user).filter(pk=store_id).first() if store_id else None
        if store is None:
            raise Http404("No such store in your company.")
        form = ArrivalForm(request.POST, store=store)
        if not form.is_valid():
            errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
            self.message_user(request, f"Walk-in not added: {errors}", messages.ERROR)
        else:
            try:
                entry = check_in(store, form.arrival(), CheckInDoor.WALK_IN, by=request.user)
            except QueueClosed as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(request, f"{entry.display_name} is on the queue.")
        return redirect(_queue_url(store.pk))

    def new_link_view(self, request: HttpRequest) -> HttpResponse:
        """Owners and managers retire the door tablet's link (say, it leaked)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm(CHANGE_LINK_PERMISSION):
            raise PermissionDenied("Only owners and managers change the check-in link.")
        store_id = _store_id(request.POST.get("store"))
        store = access.stores_for(request.user).filter(pk=store_id).first() if store_id else None
        if store is None:
            raise Http404("No such store in your company.")
        new_check_in_link(store)
        self.message_user(
            request, f"{store.name} has a new check-in link: open it on the door tablet."
        )
        return redirect(_queue_url(store.pk))

    # -- helpers -------------------------------------------------------------------------

    def _refused(self, request: HttpRequest) -> HttpResponse | None:
        reason = access.queue_refusal(request.user)
        if not reason:
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Waiting-room queue",
            "reason": reason,
        }
        return TemplateResponse(request, "queue/refused.html", context, status=403)

    def _chosen_store(self, request: HttpRequest, stores: list[RetailStore]) -> RetailStore | None:
        wanted = request.GET.get("store")
        if wanted is not None:
            store_id = _store_id(wanted)
            found = next((s for s in stores if s.pk == store_id), None)
            if found is None:
                raise Http404("No such store in your company.")
            return found
        # The first store taking check-ins, else the first store (which says it is off).
        return next((s for s in stores if s.opt_in_queue_enabled), stores[0] if stores else None)


def _store_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


def _etags(header: str) -> set[str]:
    return {part.strip().removeprefix("W/") for part in header.split(",") if part.strip()}


def _queue_url(store_id: int) -> str:
    return f"{reverse('admin:queue_checkin_changelist')}?store={store_id}"


def _orders_url(store_id: int) -> str:
    """Menu > Online orders, filtered to one store (the list's store filter)."""
    return f"{reverse('admin:ecommerce_order_changelist')}?store__id__exact={store_id}"
