"""Status and category constants of the ecommerce app."""

from __future__ import annotations

from django.db import models


class MenuCategory(models.TextChoices):
    """The online menu's categories a Cova classification is mapped onto."""

    FLOWER = "flower", "Flower"
    PRE_ROLLS = "pre_rolls", "Pre-Rolls"
    VAPES = "vapes", "Vapes"
    CONCENTRATES = "concentrates", "Concentrates"
    EDIBLES = "edibles", "Edibles"
    BEVERAGES = "beverages", "Beverages"
    TINCTURES = "tinctures", "Tinctures"
    TOPICALS = "topicals", "Topicals"
    ACCESSORIES = "accessories", "Accessories"
    OTHER = "other", "Other"


class VerificationState(models.TextChoices):
    UNVERIFIED = "unverified", "Not verified yet"
    VERIFIED = "verified", "Verified"
    FAILED = "failed", "Cova refused these settings"


class MenuSyncMode(models.TextChoices):
    FULL = "full", "Full (DetailedProductData)"
    INCREMENTAL = "incremental", "Incremental (UpdatedAsOf)"


class MenuSyncTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Every 10 minutes"
    MANUAL = "manual", "Sync button"
    COMMAND = "command", "Management command"


class MenuSyncStatus(models.TextChoices):
    RUNNING = "running", "Syncing"
    OK = "ok", "OK"
    PARTIAL = "partial", "OK, some products set aside"
    FAILED = "failed", "Failed"
    # Cova could not be reached or had a bad moment: not a failure staff must act on
    # (the first sync of `make run` can start before the sandbox's web process is up).
    RETRYING = "retrying", "Will retry: Cova did not answer"
    SKIPPED = "skipped", "Skipped: another sync was running"


# Product fields staff may choose to sync from Cova (the rest, stock and archived state,
# always sync: they are what keeps the menu from overselling).
SYNCABLE_FIELDS: tuple[tuple[str, str], ...] = (
    ("name", "Name"),
    ("brand", "Brand"),
    ("category", "Category"),
    ("description", "Description"),
    ("images", "Images"),
    ("price", "Price"),
    ("sale_price", "Sale price"),
    ("coa_url", "COA link"),
    ("labs", "Lab values"),
)
SYNCABLE_FIELD_NAMES: tuple[str, ...] = tuple(name for name, _label in SYNCABLE_FIELDS)
