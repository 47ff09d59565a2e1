"""Which store a posted visit belongs to (the rule is in loyalty/api/assumptions.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from loyalty.api import assumptions
from loyalty.api.models import ApiKey
from loyalty.api.sales.visits import Visit
from stores.models import RetailStore, StoreMapping


def store_ids(key: ApiKey, visits: Sequence[Visit]) -> list[int | None]:
    """Each visit's store id (None: unknown), in order; two queries whatever the count."""
    if key.store_id is not None:
        return [key.store_id] * len(visits)
    names = {name for visit in visits for name in (visit.location, visit.pos_type) if name}
    if not names:
        return [None] * len(visits)
    by_provider: dict[str, dict[str, int]] = defaultdict(dict)
    for provider, mapping_key, store_id in StoreMapping.objects.filter(
        company_id=key.company_id, key__in=names
    ).values_list("provider", "key", "store_id"):
        by_provider[provider][mapping_key] = store_id
    own = by_provider.pop(assumptions.SALES_SOURCE, {})
    mapped_elsewhere: dict[str, set[int]] = defaultdict(set)
    for mappings in by_provider.values():
        for mapping_key, store_id in mappings.items():
            mapped_elsewhere[mapping_key].add(store_id)
    by_name: dict[str, set[int]] = defaultdict(set)
    for pk, name in RetailStore.objects.filter(company_id=key.company_id).values_list("pk", "name"):
        by_name[name.strip().lower()].add(pk)

    def find(name: str) -> int | None:
        if name in own:
            return own[name]
        # Ambiguous (one key, two stores in two POS; two stores of one name): no guess.
        for candidates in (mapped_elsewhere.get(name), by_name.get(name.lower())):
            if candidates and len(candidates) == 1:
                return next(iter(candidates))
        return None

    found: list[int | None] = []
    for visit in visits:
        store = None
        for name in (visit.location, visit.pos_type):
            if name and store is None:
                store = find(name)
        found.append(store)
    return found
