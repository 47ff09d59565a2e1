"""A product on a store's online menu, synced from Cova."""

from __future__ import annotations

from django.db import models

from aiq.accounts.models import TenantModel
from ecommerce.choices import MenuCategory
from stores.models import RetailStore


class MenuProduct(TenantModel):
    """One Cova product at one store: what the menu shows and how many are in stock.

    Upserted in bulk on (store, cova_product_id). ``locally_edited_fields`` names the
    fields a person changed here; with the store's "keep fields edited here" on, the sync
    leaves them alone.
    """

    store = models.ForeignKey(RetailStore, on_delete=models.CASCADE, related_name="menu_products")
    cova_product_id = models.CharField("Cova product id", max_length=64)
    name = models.CharField(max_length=300)
    cova_classification = models.CharField(max_length=200, blank=True)
    category = models.CharField(max_length=20, choices=MenuCategory.choices)
    brand = models.CharField(max_length=200, blank=True)
    skus = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True)
    coa_url = models.URLField("COA link", max_length=1000, blank=True)
    images = models.JSONField(default=list, blank=True)
    price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    sale_price = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    in_stock_quantity = models.DecimalField(max_digits=12, decimal_places=3, default=0)
    stock_by_location = models.JSONField(default=dict, blank=True)  # location id -> "qty"
    # Lab name -> {"value": "0.42", "unit": "%"} (the 20 supported labs of seed 002).
    labs = models.JSONField(default=dict, blank=True)
    is_archived = models.BooleanField("archived", default=False)
    cova_updated_at = models.DateTimeField(null=True, blank=True)
    locally_edited_fields = models.JSONField(default=list, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "product"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["store", "cova_product_id"], name="menu_product_unique_cova_id"
            )
        ]
        indexes = [models.Index(fields=["store", "category", "name"])]

    def __str__(self) -> str:
        return self.name
