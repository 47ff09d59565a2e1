"""The API key a store's counter redeems through.

The redemption service works on behalf of an API key (its company, its store's discounts,
the label on the ledger entries). The counter is one more caller, so each store gets a key
named for it, born revoked: it is never shown to anyone and can never authenticate a
request, it only names the counter on the redemptions and points it wrote.
"""

from __future__ import annotations

from django.utils import timezone

from loyalty.api.keys import fill_secret
from loyalty.api.models import ApiKey
from stores.models import RetailStore


def counter_key_name(store: RetailStore) -> str:
    return f"Queue counter at {store.name}"[:100]


def counter_key(store: RetailStore) -> ApiKey:
    """The store's counter key, made the first time a budtender redeems there."""
    found = (
        ApiKey.objects.filter(
            company_id=store.company_id, store=store, name=counter_key_name(store)
        )
        .exclude(revoked_at=None)
        .select_related("company", "store")
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found
    key = ApiKey(
        company_id=store.company_id,
        store=store,
        name=counter_key_name(store),
        revoked_at=timezone.now(),
    )
    fill_secret(key)  # the secret is dropped here: nobody can call the API with it
    key.save()
    return ApiKey.objects.select_related("company", "store").get(pk=key.pk)
