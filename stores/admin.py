"""Settings > Company Account > Retail Store: the list (with each store's mappings) and
the store screen (with its Store Mappings section)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import IntegrityError
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from aiq.accounts.tenancy import TenantAdmin
from integrations.models import PosKey
from integrations.providers import PROVIDERS
from integrations.services.store_mapping import (
    ProviderMapping,
    mapping_label,
    mappings_for_store,
    set_store_mappings,
)
from stores.forms import MAPPING_PREFIX, RetailStoreForm, mapping_field
from stores.models import RetailStore, StoreMapping
from stores.time_zones import TIME_ZONE_LABELS

NOT_MAPPED = "Not mapped yet"
RACE_MESSAGE = (
    "Someone else changed your retail stores at the same moment (a store name or a POS key "
    "is now taken). Nothing was saved: check the form and save again."
)


def mappings_with_names() -> QuerySet[StoreMapping]:
    """Store mappings with the name the POS gives their key (one query for a page)."""
    name = PosKey.objects.filter(
        company=OuterRef("company"), integration__provider=OuterRef("provider"), key=OuterRef("key")
    ).values("name")[:1]
    return StoreMapping.objects.annotate(pos_name=Subquery(name))


@admin.register(RetailStore)
class RetailStoreAdmin(TenantAdmin):
    form = RetailStoreForm
    change_form_template = "admin/stores/retailstore/change_form.html"
    list_display = [
        "name",
        "edit_link",
        "city",
        "state",
        "time_zone_label",
        "phone",
        "store_mappings",
    ]
    list_filter = ["state"]
    search_fields = ["name", "city"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RetailStore]:
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("mappings", queryset=mappings_with_names()))
        )

    @admin.display(description="Edit")
    def edit_link(self, store: RetailStore) -> str:
        url = reverse(f"{self.admin_site.name}:stores_retailstore_change", args=[store.pk])
        return format_html('<a href="{}">Edit</a>', url)

    @admin.display(description="Time zone", ordering="time_zone")
    def time_zone_label(self, store: RetailStore) -> str:
        return TIME_ZONE_LABELS.get(store.time_zone, store.time_zone.replace("_", " "))

    @admin.display(description="Store mappings")
    def store_mappings(self, store: RetailStore) -> str:
        order = list(PROVIDERS)  # Cova, POSaBIT, Clover: as on Settings > Integrations
        mappings = sorted(
            store.mappings.all(),
            key=lambda m: order.index(m.provider) if m.provider in order else len(order),
        )
        labels = [mapping_label(m.provider, m.key, m.pos_name) for m in mappings]
        return " \u00b7 ".join(labels) or NOT_MAPPED

    def mapping_rows(self, request: HttpRequest, obj: RetailStore | None) -> list[ProviderMapping]:
        """The Store Mappings rows for this screen (computed once per request)."""
        cache: dict[Any, list[ProviderMapping]] = request.__dict__.setdefault(
            "_store_mapping_rows", {}
        )
        key = obj.pk if obj is not None else None
        if key not in cache:
            company = obj.company if obj is not None else getattr(request, "company", None)
            cache[key] = mappings_for_store(company, obj) if company is not None else []
        return cache[key]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> list:  # type: ignore[type-arg]
        rows = self.mapping_rows(request, obj)
        mappings = {
            "fields": [MAPPING_PREFIX + row.provider for row in rows],
            "description": (
                "For each POS, choose the key (location, venue or merchant) of this store. "
                "A key maps to one store only."
                if rows
                else "Connect a POS under Settings &rsaquo; Integrations to map its keys here."
            ),
        }
        return [
            (None, {"fields": ["name", "phone"]}),
            (
                "Location",
                {
                    "fields": [
                        "address_line1",
                        ("city", "state", "postal_code"),
                        "country",
                        "time_zone",
                    ]
                },
            ),
            ("Store Mappings", mappings),
            ("Additional Settings", {"classes": ["collapse"], "fields": ["opt_in_queue_enabled"]}),
        ]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):  # type: ignore[no-untyped-def]
        rows = self.mapping_rows(request, obj)
        attrs: dict[str, Any] = {MAPPING_PREFIX + row.provider: mapping_field(row) for row in rows}
        attrs["mapping_rows"] = rows
        attrs["company"] = getattr(request, "company", None)
        kwargs["form"] = type("RetailStoreMappingForm", (self.form,), attrs)
        return super().get_form(request, obj, change, **kwargs)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: Any = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except IntegrityError:
            # The form checked every unique rule; only a concurrent save gets here. The
            # admin's transaction was rolled back as a whole.
            self.message_user(request, RACE_MESSAGE, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changes = form.mapping_changes()
        if changes:
            set_store_mappings(obj, changes, actor=request.user)
