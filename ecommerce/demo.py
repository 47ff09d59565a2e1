"""The demo account's COVA ecommerce: its Cova-mapped store enabled against the sandbox.

No HTTP while seeding (the web server is not up yet, and `make run` must start fast): the
credentials are the sandbox's own demo ones, which the demo's Cova card connects with, so
the settings are saved as verified and the worker's dispatcher runs the first menu sync
within a minute of starting. So that the online menu (/shop/<store>/) can be browsed and
ordered from the moment the server is up, the seed lands the sandbox's menu in-process,
through the sync's own mapping and writer; the worker's first full sync then rewrites the
same rows over HTTP.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from aiq.accounts.models import Company
from ecommerce.choices import MenuCategory, VerificationState
from ecommerce.menu import assumptions
from ecommerce.menu.mapping import product_from
from ecommerce.menu.writer import write_products
from ecommerce.models import CategoryMapping, CovaEcommerceSettings
from integrations.sandbox.catalog import catalog
from integrations.sandbox.cova import menu_edits, payloads
from integrations.sandbox.cova.menu_edits import cova_account, edit_product
from integrations.sandbox.cova.products import product_payload
from integrations.sandbox.options import SandboxAccount
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials
from stores.models import StoreMapping

DEMO_CATEGORIES = {
    "Flower": MenuCategory.FLOWER,
    "Pre-Rolls": MenuCategory.PRE_ROLLS,
    "Vapes": MenuCategory.VAPES,
    "Concentrates": MenuCategory.CONCENTRATES,
    "Edibles": MenuCategory.EDIBLES,
    "Topicals": MenuCategory.TOPICALS,
    "Accessories": MenuCategory.ACCESSORIES,
}


@transaction.atomic
def set_up_demo_ecommerce(company: Company) -> CovaEcommerceSettings | None:
    """Enable COVA ecommerce on the demo's first Cova-mapped store (once)."""
    mapping = (
        StoreMapping.objects.filter(company=company, provider="cova")
        .select_related("store")
        .order_by("store__name")
        .first()
    )
    if mapping is None or CovaEcommerceSettings.objects.filter(company=company).exists():
        return None
    values = issue_sandbox_credentials("cova", DEMO_SANDBOX_CREDENTIALS["cova"])
    account = cova_account(values)
    settings = CovaEcommerceSettings(
        company=company,
        store=mapping.store,
        enabled=True,
        is_sandbox=True,
        company_id_at_cova=str(payloads.company_id(account)),
        location_id=mapping.key,
        username=values["username"],
        client_id=values["client_id"],
        verification_state=VerificationState.VERIFIED,
        # Orders confirmed in the admin are pushed to the sandbox and move through its
        # statuses (ecommerce/orders/cova_sync.py).
        sync_orders=True,
    )
    settings.set_secrets(values)
    settings.save()
    CategoryMapping.objects.bulk_create(
        CategoryMapping(
            company=company, settings=settings, cova_classification=name, menu_category=category
        )
        for name, category in DEMO_CATEGORIES.items()
    )
    # One lab typed the way Cova staff sometimes do, so the settings screen shows the
    # unsupported-lab list after the first sync.
    edit_product(account, 0, added_specifications=[("Myrcene", "0.61", "%", "Number")])
    _land_sandbox_menu(settings, account)
    return settings


def _land_sandbox_menu(settings: CovaEcommerceSettings, account: SandboxAccount) -> int:
    """The sandbox's menu for the store's location, as a full sync would land it."""
    number = payloads.location_number(account, settings.location_id)
    if number is None:
        return 0
    body = {"LocationId": settings.location_id, **assumptions.REQUEST_FLAGS}
    changes = menu_edits.edits(account)
    items = []
    for generated in catalog(account):
        change = changes.get(generated.index)
        raw = product_payload(account, menu_edits.apply(generated, change), body, [number], change)
        try:
            items.append(product_from(raw, settings.location_id))
        except ValueError:
            continue  # the worker's sync quarantines it with its reason
    mappings = {name.lower(): category for name, category in DEMO_CATEGORIES.items()}
    return write_products(settings, items, mappings, timezone.now())
