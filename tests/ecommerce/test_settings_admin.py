"""Store > Integrations > COVA: Save verifies with Cova and says what is wrong; secrets are
encrypted; enabling queues the first sync; the Retail Store screen links here."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ecommerce import tasks
from ecommerce.choices import VerificationState
from ecommerce.models import CategoryMapping, CovaEcommerceSettings
from integrations.sandbox.cova import payloads
from tests.ecommerce.conftest import CREDENTIALS, enabled_settings, sandbox_account
from tests.factories import RetailStoreFactory

pytestmark = pytest.mark.django_db

ADD = "admin:ecommerce_covaecommercesettings_add"


def _form(store, **overrides):  # type: ignore[no-untyped-def]
    account = sandbox_account()
    data = {
        "store": store.pk,
        "enabled": "on",
        "company_id_at_cova": str(payloads.company_id(account)),
        "location_id": str(payloads.location_ids(account)[1]),
        "username": CREDENTIALS["username"],
        "password": CREDENTIALS["password"],
        "client_id": CREDENTIALS["client_id"],
        "client_secret": CREDENTIALS["client_secret"],
        "is_sandbox": "on",
        "synced_fields": ["name", "price"],
        "keep_local_edits": "on",
        "default_menu_category": "other",
        "category_mappings-TOTAL_FORMS": "1",
        "category_mappings-INITIAL_FORMS": "0",
        "category_mappings-0-cova_classification": "Pre-Rolls",
        "category_mappings-0-menu_category": "pre_rolls",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def dispatched(monkeypatch) -> list[int]:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    monkeypatch.setattr(tasks.dispatch_menu_syncs, "delay", lambda: calls.append(1))
    return calls


def test_good_credentials_save_verified_encrypted_and_queue_the_first_sync(
    owner_a, company_a, cova_sandbox, dispatched, django_capture_on_commit_callbacks
):
    store = RetailStoreFactory(company=company_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = owner_a.post(reverse(ADD), _form(store))

    assert response.status_code == 302, response.content.decode()[:3000]
    settings = CovaEcommerceSettings.objects.get(store=store)
    assert settings.company == company_a
    assert settings.verification_state == VerificationState.VERIFIED
    assert settings.next_sync_at is None  # due at once: the dispatcher claims it
    assert dispatched == [1]
    assert settings.synced_fields == ["name", "price"]
    # Secrets are encrypted at rest and readable only through the model
    assert CREDENTIALS["client_secret"] not in settings.secrets_encrypted
    assert settings.secrets() == {
        "password": CREDENTIALS["password"],
        "client_secret": CREDENTIALS["client_secret"],
    }
    mapping = CategoryMapping.objects.get(settings=settings)
    assert (mapping.company, mapping.cova_classification) == (company_a, "Pre-Rolls")


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"password": "wrong-password"}, "Cova did not accept the Username or Password"),
        ({"client_secret": "wrong-secret"}, "Cova did not accept the Client ID or Client secret"),
        ({"location_id": "123"}, "Location ID 123 is not one of this company's locations"),
        ({"company_id_at_cova": "42"}, "Company ID 42 is not this Cova user's company"),
        (
            {"password": "market=WA,fault=temporary-password"},
            "password",
        ),
    ],
)
def test_bad_settings_are_refused_in_plain_words_and_nothing_is_saved(
    owner_a, company_a, cova_sandbox, dispatched, overrides, words
):
    store = RetailStoreFactory(company=company_a)

    response = owner_a.post(reverse(ADD), _form(store, **overrides))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Cova did not accept these settings" in page
    assert words.replace("'", "&#x27;") in page
    assert not CovaEcommerceSettings.objects.exists()
    assert dispatched == []


def test_enabling_without_the_required_fields_names_each_one(owner_a, company_a, dispatched):
    store = RetailStoreFactory(company=company_a)

    response = owner_a.post(
        reverse(ADD), _form(store, location_id="", client_secret="", username="")
    )

    page = response.content.decode()
    assert "Location ID is required to enable COVA." in page
    assert "Client Secret is required to enable COVA." in page
    assert "Username is required to enable COVA." in page
    assert not CovaEcommerceSettings.objects.exists()


def test_a_location_id_that_is_not_a_number_is_a_form_error(owner_a, company_a, dispatched):
    store = RetailStoreFactory(company=company_a)
    response = owner_a.post(reverse(ADD), _form(store, location_id="abc"))
    assert "The Location ID is a number" in response.content.decode()
    assert not CovaEcommerceSettings.objects.exists()


def test_saving_again_with_blank_secrets_keeps_the_saved_ones(
    owner_a, company_a, cova_sandbox, dispatched
):
    settings = enabled_settings(RetailStoreFactory(company=company_a))
    url = reverse("admin:ecommerce_covaecommercesettings_change", args=[settings.pk])
    data = _form(settings.store, password="", client_secret="", sync_orders="on")
    data["location_id"] = settings.location_id

    response = owner_a.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    settings.refresh_from_db()
    assert settings.sync_orders is True
    assert settings.secrets()["password"] == CREDENTIALS["password"]


def test_the_screen_shows_health_and_unsupported_lab_names(owner_a, company_a):
    settings = enabled_settings(RetailStoreFactory(company=company_a))
    settings.unsupported_lab_names = {"Myrcene": 3}
    settings.save()

    page = owner_a.get(
        reverse("admin:ecommerce_covaecommercesettings_change", args=[settings.pk])
    ).content.decode()

    assert "Myrcene" in page
    assert "the first one starts within a minute" in page
    assert CREDENTIALS["client_secret"] not in page
    assert "Password, Client Secret saved (encrypted)" in page


def test_the_retail_store_screen_links_to_its_cova_settings(owner_a, company_a):
    store = RetailStoreFactory(company=company_a)
    link = reverse("admin:ecommerce_covaecommercesettings_for_store", args=[store.pk])

    page = owner_a.get(reverse("admin:stores_retailstore_change", args=[store.pk]))

    assert link in page.content.decode()
    assert owner_a.get(link)["Location"] == reverse(ADD) + f"?store={store.pk}"
    settings = enabled_settings(store)
    assert owner_a.get(link)["Location"] == reverse(
        "admin:ecommerce_covaecommercesettings_change", args=[settings.pk]
    )


def test_another_companys_store_and_settings_are_not_reachable(owner_a, company_b):
    other = enabled_settings(RetailStoreFactory(company=company_b))
    link = reverse("admin:ecommerce_covaecommercesettings_for_store", args=[other.store_id])
    assert owner_a.get(link).status_code == 404
    change = reverse("admin:ecommerce_covaecommercesettings_change", args=[other.pk])
    assert owner_a.get(change).status_code == 404
