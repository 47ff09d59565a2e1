"""Store Mappings on the Retail Store screen, and the unmapped-stores notification."""

from __future__ import annotations

import pytest

from aiq.accounts.choices import Role
from integrations.services.store_mapping import unmapped_pos_keys
from stores.models import RetailStore, StoreMapping
from tests.conftest import staff_client
from tests.factories import RetailStoreFactory
from tests.integrations.factories import IntegrationFactory, PosKeyFactory, StoreMappingFactory

pytestmark = pytest.mark.django_db
NOTICE = "You have unmapped stores"


def store_url(store) -> str:
    return f"/admin/stores/retailstore/{store.pk}/change/"


def store_post(store, **extra) -> dict[str, str]:
    return {
        "name": store.name,
        "state": store.state,
        "country": "US",
        "time_zone": store.time_zone,
        **extra,
    }


@pytest.fixture
def cova_a(company_a):
    card = IntegrationFactory(company=company_a, provider="cova")
    downtown = PosKeyFactory(integration=card, key="553805", name="Downtown")
    eastside = PosKeyFactory(integration=card, key="553822", name="Eastside")
    return card, downtown, eastside


def test_dropdown_offers_own_keys_not_mapped_elsewhere(owner_a, company_a, company_b, cova_a):
    _, _, eastside = cova_a
    here = RetailStoreFactory(company=company_a, name="Capitol Hill")
    elsewhere = RetailStoreFactory(company=company_a, name="Ballard")
    StoreMappingFactory(store=elsewhere, key=eastside.key)
    their_card = IntegrationFactory(company=company_b, provider="cova")
    PosKeyFactory(integration=their_card, key="999001", name="B Secret Location")
    IntegrationFactory(company=company_a, provider="clover")  # a card with no keys yet

    response = owner_a.get(store_url(here))

    form = response.context["adminform"].form
    assert form.fields["mapping_cova"].widget.choices == [
        ("", "\u2014 not mapped \u2014"),
        ("553805", "Downtown (553805)"),
    ]
    assert form.fields["mapping_clover"].widget.choices == [("", "\u2014 not mapped \u2014")]
    assert "mapping_posabit" not in form.fields  # no POSaBIT card
    html = response.content.decode()
    assert "Store Mappings" in html and "Additional Settings" in html
    assert "B Secret Location" not in html and "999001" not in html
    assert "Still unmapped Cova keys: Downtown (553805)." in html
    assert 'class="pos-symbol pos-symbol-cova"' in html
    assert 'value="Save settings"' in html


def test_saving_maps_the_key_and_clears_the_notice(owner_a, company_a, cova_a):
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    other = RetailStoreFactory(company=company_a, name="Ballard")
    assert NOTICE in owner_a.get("/admin/").content.decode()

    response = owner_a.post(store_url(store), store_post(store, mapping_cova="553805"))
    assert response.status_code == 302
    assert StoreMapping.objects.get(store=store).key == "553805"
    assert NOTICE in owner_a.get("/admin/").content.decode()  # Eastside still unmapped

    owner_a.post(store_url(other), store_post(other, mapping_cova="553822"))

    assert NOTICE not in owner_a.get("/admin/").content.decode()
    assert set(StoreMapping.objects.values_list("store__name", "key")) == {
        ("Capitol Hill", "553805"),
        ("Ballard", "553822"),
    }


def test_a_key_mapped_to_another_store_is_a_field_error(owner_a, company_a, cova_a):
    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    other = RetailStoreFactory(company=company_a, name="Ballard")
    StoreMappingFactory(store=other, key="553805")

    response = owner_a.post(store_url(store), store_post(store, mapping_cova="553805"))

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["mapping_cova"]
    assert "already mapped to the store \u201cBallard\u201d" in errors["mapping_cova"][0]
    assert not StoreMapping.objects.filter(store=store).exists()


def test_another_companys_key_is_refused(owner_a, company_a, company_b, cova_a):
    store = RetailStoreFactory(company=company_a)
    their_card = IntegrationFactory(company=company_b, provider="cova")
    PosKeyFactory(integration=their_card, key="999001")

    response = owner_a.post(store_url(store), store_post(store, mapping_cova="999001"))

    assert response.status_code == 200
    assert (
        "Choose one of your Cova POS keys"
        in (response.context["adminform"].form.errors["mapping_cova"][0])
    )
    assert not StoreMapping.objects.exists()


def test_choosing_not_mapped_removes_the_mapping(owner_a, company_a, cova_a):
    store = RetailStoreFactory(company=company_a)
    StoreMappingFactory(store=store, key="553805")

    owner_a.post(store_url(store), store_post(store, mapping_cova=""))

    assert not StoreMapping.objects.exists()


def test_a_new_store_can_be_mapped_when_added(owner_a, company_a, cova_a):
    response = owner_a.post(
        "/admin/stores/retailstore/add/",
        {
            "name": "Fremont",
            "state": "WA",
            "country": "US",
            "time_zone": "UTC",
            "mapping_cova": "553822",
        },
    )

    assert response.status_code == 302
    store = RetailStore.objects.get(name="Fremont")
    assert StoreMapping.objects.get().store == store


def test_opt_in_queue_toggle_is_in_collapsed_additional_settings(owner_a, company_a):
    store = RetailStoreFactory(company=company_a)

    html = owner_a.get(store_url(store)).content.decode()
    owner_a.post(store_url(store), store_post(store, opt_in_queue_enabled="on"))

    additional = html[html.index("Additional Settings") - 200 :]
    assert "<details>" in additional[:300]
    assert "Alleaves Opt-in Queue" in additional
    store.refresh_from_db()
    assert store.opt_in_queue_enabled is True


def test_notice_links_to_retail_stores(owner_a, company_a, cova_a):
    html = owner_a.get("/admin/").content.decode()

    assert NOTICE in html
    assert "2 POS keys" in html
    assert '<a href="/admin/stores/retailstore/">' in html


def test_notice_is_per_company(owner_a, company_b):
    PosKeyFactory(integration=IntegrationFactory(company=company_b))

    assert NOTICE not in owner_a.get("/admin/").content.decode()


def test_notice_is_not_for_budtenders(company_a, cova_a):
    budtender = staff_client(company_a, Role.BUDTENDER)

    assert NOTICE not in budtender.get("/admin/").content.decode()


def test_unmapped_keys_in_one_query(company_a, cova_a, django_assert_num_queries):
    _, downtown, _ = cova_a
    StoreMappingFactory(store=RetailStoreFactory(company=company_a), key=downtown.key)
    # same key on another provider's card: mappings are per provider
    PosKeyFactory(
        integration=IntegrationFactory(company=company_a, provider="clover"), key="553805"
    )

    with django_assert_num_queries(1):
        keys = sorted((k.key, k.integration_id) for k in unmapped_pos_keys(company_a))

    assert [key for key, _ in keys] == ["553805", "553822"]


def test_mapping_a_key_attributes_its_synced_sales_and_unmapping_detaches_them(
    owner_a, company_a, cova_a
):
    from django.utils import timezone

    from aiq.personas.models import Sale
    from tests.factories import PersonaFactory

    store = RetailStoreFactory(company=company_a, name="Capitol Hill")
    shopper = PersonaFactory(company=company_a)
    # given: two sales synced while key 553805 was unmapped
    for number in (1, 2):
        Sale.objects.create(
            company=company_a,
            persona=shopper,
            source="cova",
            external_id=f"s{number}",
            pos_key="553805",
            occurred_at=timezone.now(),
            subtotal=10,
            tax=1,
            discount=0,
            total=11,
            content_hash=f"h{number}",
        )

    # when: staff map the key on the Retail Store screen
    owner_a.post(store_url(store), store_post(store, mapping_cova="553805"))

    # then: the sales belong to the store, which becomes the shopper's favorite
    assert set(Sale.objects.values_list("store__name", flat=True)) == {"Capitol Hill"}
    shopper.refresh_from_db()
    assert shopper.favorite_store == store

    owner_a.post(store_url(store), store_post(store, mapping_cova=""))
    assert set(Sale.objects.values_list("store", flat=True)) == {None}
