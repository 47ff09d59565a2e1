"""Settings > Company Account > Retail Store: the list with an Edit link and each store's
mappings, in the same number of queries whatever the page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from integrations.models import Integration
from tests.factories import RetailStoreFactory
from tests.integrations.factories import PosKeyFactory, StoreMappingFactory

pytestmark = pytest.mark.django_db
LIST = "/admin/stores/retailstore/"


def mapped_store(company, name: str, n: int):
    """A store mapped to a Cova location and a POSaBIT venue."""
    store = RetailStoreFactory(company=company, name=name)
    cova = Integration.objects.get_or_create(company=company, provider="cova")[0]
    posabit = Integration.objects.get_or_create(company=company, provider="posabit")[0]
    PosKeyFactory(integration=cova, key=f"{14150 + n}", name=f"{name} loc")
    PosKeyFactory(integration=posabit, key=f"venue-{n}", name=f"{name} venue")
    StoreMappingFactory(store=store, provider="cova", key=f"{14150 + n}")
    StoreMappingFactory(store=store, provider="posabit", key=f"venue-{n}")
    return store


def test_list_shows_an_edit_link_and_the_mappings(owner_a, company_a):
    # given: a mapped store and one with no mapping
    store = mapped_store(company_a, "Capitol Hill", 0)
    bare = RetailStoreFactory(company=company_a, name="Ballard")

    # when
    response = owner_a.get(LIST)

    # then
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<a href="/admin/stores/retailstore/{store.pk}/change/">Edit</a>' in html
    assert f'<a href="/admin/stores/retailstore/{bare.pk}/change/">Edit</a>' in html
    assert (
        "Cova: Capitol Hill loc (loc 14150) \u00b7 POSaBIT: Capitol Hill venue (venue venue-0)"
    ) in html
    assert "Store mappings" in html
    assert "Not mapped yet" in html


def test_list_shows_a_mapped_key_the_pos_no_longer_names(owner_a, company_a):
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    StoreMappingFactory(store=store, provider="clover", key="ABCD1234ABCD1")

    html = owner_a.get(LIST).content.decode()

    assert "Clover: merchant ABCD1234ABCD1" in html


def test_list_queries_do_not_grow_with_the_stores(owner_a, company_a):
    mapped_store(company_a, "Store 0", 0)
    owner_a.get(LIST)  # warm caches (content types, session)
    with CaptureQueriesContext(connection) as one_store:
        owner_a.get(LIST)

    for n in range(1, 8):
        mapped_store(company_a, f"Store {n}", n)
    with CaptureQueriesContext(connection) as eight_stores:
        response = owner_a.get(LIST)

    assert response.content.decode().count("Cova: Store") == 8
    assert len(eight_stores) == len(one_store)
    assert len(eight_stores) <= 12
