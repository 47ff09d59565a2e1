"""Menu > Online orders: the shop's orders, their timeline, and the buttons that move them
(each calls ``ecommerce.orders.transitions``; the admin never sets a status itself).

Owners and managers see and move every order of their company. A budtender sees the
orders of the stores they work at (``stores.staff``), read-only, with the pickup buttons
``ecommerce.orders.staff_moves`` allows them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from aiq.accounts.tenancy import CompanyScopedRelatedFilter, TenantAdmin
from aiq.personas.normalize import format_phone_for_display
from ecommerce.models import Order, OrderEvent, OrderLine
from ecommerce.orders.actors import Actor
from ecommerce.orders.choices import ALLOWED_TRANSITIONS, CovaCancelState, OrderStatus
from ecommerce.orders.cova_cancel import cancel_again
from ecommerce.orders.cova_sync import COVA_STATUS_NAMES, push_again
from ecommerce.orders.edits import change_line_quantity
from ecommerce.orders.staff_moves import HAND_OVER_MOVES, moves_allowed
from ecommerce.orders.transitions import (
    TransitionRefused,
    advance_order,
    cancel_order,
    confirm_order,
    transition_order,
)
from stores.staff import chosen_store_ids

# The buttons on an order, in the order staff meet them.
BUTTONS = (
    (OrderStatus.CONFIRMED, "Confirm"),
    (OrderStatus.CHECKED_IN, "Checked in"),
    (OrderStatus.READY_FOR_PICKUP, "Ready for pickup"),
    # "Close order", not "Close": the read-only page (budtenders) ends with Django's own
    # "Close" link, which only leaves the page.
    (OrderStatus.CLOSED, "Close order"),
    (OrderStatus.CANCELLED, "Cancel order"),
)


class OrderLineInline(admin.TabularInline):
    """The lines; the quantity stays editable while the order is pending (the service
    checks stock and moves the hold)."""

    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["product_name", "sku", "quantity", "unit_price", "sale_price", "line_total", "held"]
    readonly_fields = ["product_name", "sku", "unit_price", "sale_price", "line_total", "held"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if obj is None or obj.status != OrderStatus.PENDING:
            fields.append("quantity")
        return fields

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> Any:
        formset = super().get_formset(request, obj, **kwargs)
        if "quantity" in formset.form.base_fields:
            formset.form.base_fields["quantity"].help_text = "0 removes the line"
            formset.form.base_fields["quantity"].widget = forms.NumberInput({"min": 0, "max": 20})
        return formset

    @admin.display(description="Held")
    def held(self, line: OrderLine) -> str:
        hold = getattr(line, "hold", None)
        if hold is None:
            return "-"
        if hold.released_at:
            return f"Released ({hold.get_release_reason_display().lower()})"
        return f"{hold.quantity.normalize():f} until {hold.expires_at:%Y-%m-%d %H:%M} UTC"


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    verbose_name = "event"
    verbose_name_plural = "Timeline"
    fields = ["at", "actor", "kind", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _run(
    model_admin: OrderAdmin,
    request: HttpRequest,
    queryset: QuerySet[Order],
    move: Callable[[int, Actor], Order],
    done: str,
) -> None:
    """Apply ``move`` to each selected order; say how many moved and why the others did not."""
    actor = Actor.staff(request.user)
    moved, refusals = 0, []
    for pk in queryset.values_list("pk", flat=True):
        try:
            move(pk, actor)
            moved += 1
        except TransitionRefused as refused:
            refusals.append(str(refused))
    if moved:
        model_admin.message_user(request, f"{moved} order{'s' * (moved != 1)} {done}.")
    for refusal in refusals[:10]:
        model_admin.message_user(request, refusal, messages.WARNING)


class WorkedStoresFilter(CompanyScopedRelatedFilter):
    """The store filter offers only the stores whose orders the staff member sees."""

    def field_choices(self, field, request, model_admin):  # type: ignore[no-untyped-def]
        choices = super().field_choices(field, request, model_admin)
        chosen = chosen_store_ids(request.user)
        return choices if chosen is None else [c for c in choices if c[0] in chosen]


@admin.register(Order)
class OrderAdmin(TenantAdmin):
    change_form_template = "admin/ecommerce/order/change_form.html"
    inlines = [OrderLineInline, OrderEventInline]
    list_display = [
        "reference_column",
        "store",
        "status",
        "customer_name_column",
        "phone_column",
        "fulfillment",
        "total",
        "placed_at",
    ]
    list_filter = ["status", "fulfillment", ("store", WorkedStoresFilter), "cova_cancel_state"]
    list_select_related = ["store"]
    search_fields = ["first_name", "last_name", "phone", "uuid"]
    date_hierarchy = "placed_at"
    actions = [
        "confirm_selected",
        "advance_selected",
        "cancel_selected",
        "push_again_selected",
        "cancel_at_cova_again_selected",
    ]
    fieldsets = [
        (
            "Order",
            {"fields": ["reference_column", "uuid", "store", "status", "placed_at", "shop_page"]},
        ),
        ("Customer", {"fields": ["first_name", "last_name", "phone", "date_of_birth"]}),
        (
            "Fulfillment",
            {
                "fields": [
                    "fulfillment",
                    "address_line1",
                    "address_line2",
                    "city",
                    "state",
                    "postal_code",
                    "notes",
                ]
            },
        ),
        ("Totals (before taxes)", {"fields": ["subtotal", "savings", "total"]}),
        (
            "Cova (Sync Orders)",
            {
                "fields": [
                    "cova_push_state",
                    "cova_error",
                    "cova_pushed_at",
                    "cova_customer_id",
                    "cova_status_column",
                    "cova_status_seen_at",
                    "cova_push_attempts",
                    "cova_cancel_state",
                ],
                "description": "Filled when the store's COVA settings have Sync Orders on.",
            },
        ),
        (
            "Times",
            {
                "fields": [
                    "confirmed_at",
                    "checked_in_at",
                    "ready_at",
                    "closed_at",
                    "cancelled_at",
                    "cancel_reason",
                ]
            },
        ),
    ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Everything but the lines' quantities: statuses move through the buttons only.
        names = [name for _title, options in self.fieldsets for name in options["fields"]]
        return names

    def get_queryset(self, request: HttpRequest) -> QuerySet[Order]:
        orders = super().get_queryset(request)
        # A budtender's orders are their stores': another store's order is a 404, as
        # another company's is.
        chosen = chosen_store_ids(request.user)
        return orders if chosen is None else orders.filter(store_id__in=chosen)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # orders come from the online menu

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # an order is a record: cancel it instead

    @admin.display(description="Order", ordering="uuid")
    def reference_column(self, order: Order) -> str:
        return order.reference

    @admin.display(description="Customer", ordering="last_name")
    def customer_name_column(self, order: Order) -> str:
        return order.customer_name

    @admin.display(description="Phone", ordering="phone")
    def phone_column(self, order: Order) -> str:
        return format_phone_for_display(order.phone)

    @admin.display(description="Cova status")
    def cova_status_column(self, order: Order) -> str:
        if order.cova_status is None:
            return "-"
        name = COVA_STATUS_NAMES.get(order.cova_status, "unknown")
        return f"{name} ({order.cova_status})"

    @admin.display(description="Shopper's page")
    def shop_page(self, order: Order) -> str:
        settings = getattr(order.store, "cova_ecommerce", None)
        if settings is None or not settings.shop_slug:
            return "-"
        url = reverse("shop:order", args=[settings.shop_slug, order.access_token])
        return format_html('<a href="{}" target="_blank" rel="noopener">Open</a>', url)

    # Actions on the changelist ------------------------------------------------------

    def has_hand_over_permission(self, request: HttpRequest) -> bool:
        """May move orders along the pickup path (the actions marked "hand_over")."""
        return moves_allowed(request.user) >= HAND_OVER_MOVES

    @admin.action(description="Confirm selected orders", permissions=["hand_over"])
    def confirm_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _run(self, request, queryset, confirm_order, "confirmed")

    @admin.action(
        description="Move selected orders to their next status", permissions=["hand_over"]
    )
    def advance_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _run(self, request, queryset, advance_order, "moved on")

    @admin.action(description="Cancel selected orders", permissions=["change"])
    def cancel_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        _run(
            self,
            request,
            queryset,
            lambda pk, actor: cancel_order(pk, actor, "Cancelled by the store."),
            "cancelled",
        )

    @admin.action(description="Send selected orders to Cova again", permissions=["change"])
    def push_again_selected(self, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        queued = sum(push_again(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            f"{queued} order{'s' * (queued != 1)} queued for Cova (only confirmed orders Cova "
            "refused or could not take are sent again).",
        )

    @admin.action(description="Send selected cancellations to Cova again", permissions=["change"])
    def cancel_at_cova_again_selected(
        self, request: HttpRequest, queryset: QuerySet[Order]
    ) -> None:
        queued = sum(cancel_again(pk) for pk in queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            f"{queued} cancellation{'s' * (queued != 1)} queued for Cova (only cancelled orders "
            "Cova did not cancel, or has not yet, are sent again).",
        )

    # Buttons on one order -----------------------------------------------------------

    def get_urls(self) -> list:  # type: ignore[type-arg]
        move = path(
            "<int:object_id>/move/<str:to_status>/",
            self.admin_site.admin_view(self.move_view),
            name="ecommerce_order_move",
        )
        return [move, *super().get_urls()]

    def move_view(self, request: HttpRequest, object_id: int, to_status: str) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = get_object_or_404(self.get_queryset(request), pk=object_id)
        allowed = moves_allowed(request.user)
        if not allowed:
            raise PermissionDenied("You may not move online orders.")
        here = reverse("admin:ecommerce_order_change", args=[order.pk])
        if to_status not in OrderStatus.values:
            self.message_user(request, "No such status.", messages.ERROR)
            return HttpResponseRedirect(here)
        if to_status not in allowed:
            label = OrderStatus(to_status).label.lower()
            raise PermissionDenied(f"Moving an order to {label} is for owners and managers.")
        note = "Cancelled by the store." if to_status == OrderStatus.CANCELLED else ""
        try:
            moved = transition_order(order.pk, to_status, Actor.staff(request.user), note)
        except TransitionRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
        else:
            label = OrderStatus(to_status).label.lower()
            at_cova = ""
            if moved.cova_cancel_state == CovaCancelState.QUEUED:
                at_cova = " Cova has it: the cancellation is being sent there (see the timeline)."
            self.message_user(request, f"Order {order.reference} is now {label}.{at_cova}")
        return HttpResponseRedirect(here)

    def render_change_form(
        self, request: HttpRequest, context: dict, *args: Any, **kwargs: Any
    ) -> Any:  # type: ignore[type-arg]
        order = context.get("original")
        if order is not None:
            allowed = ALLOWED_TRANSITIONS.get(order.status, frozenset()) & moves_allowed(
                request.user
            )
            context["status_buttons"] = [
                (status, label, reverse("admin:ecommerce_order_move", args=[order.pk, status]))
                for status, label in BUTTONS
                if status in allowed
            ]
        return super().render_change_form(request, context, *args, **kwargs)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # Nothing is saved through the formsets themselves (the history message reads these).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not OrderLine:
            return
        # Quantities go through the service (stock check, hold, totals, timeline).
        actor = Actor.staff(request.user)
        for line_form in formset.forms:
            if "quantity" not in line_form.changed_data or line_form.instance.pk is None:
                continue
            try:
                change_line_quantity(
                    line_form.instance.pk, line_form.cleaned_data["quantity"], actor
                )
            except TransitionRefused as refused:
                self.message_user(request, str(refused), messages.ERROR)

    def save_model(self, request: HttpRequest, obj: Order, form: Any, change: bool) -> None:
        pass  # every field of the order itself is read-only
