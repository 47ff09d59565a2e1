"""X-APIKEY and the UID: every failure is the same 403 body, and reveals nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from loyalty.api.keys import hash_key
from loyalty.api.models import ApiKey, ApiRequestLog
from tests.factories import RetailStoreFactory

pytestmark = pytest.mark.django_db

INVALID = {"success": False, "message": "Please provide a valid API key", "code": "invalid_api_key"}


def test_missing_key_is_403(client, company_a, key_a):
    # when the stores are asked for without a key
    response = client.get(f"/api/v1.1/stores/{company_a.uid}")

    # then 403 with AIQ's message, and nothing is logged against any key
    assert response.status_code == 403
    assert response.json() == INVALID
    assert ApiRequestLog.objects.count() == 0


def test_wrong_key_is_the_same_403(client, company_a, key_a):
    response = client.get(f"/api/v1.1/stores/{company_a.uid}", HTTP_X_APIKEY=key_a.plaintext + "x")

    assert response.status_code == 403
    assert response.json() == INVALID


def test_a_wrong_header_name_is_the_same_403(client, company_a, key_a):
    response = client.get(
        f"/api/v1.1/stores/{company_a.uid}", HTTP_AUTHORIZATION=f"Bearer {key_a.plaintext}"
    )

    assert response.status_code == 403
    assert response.json() == INVALID


def test_revoked_key_is_the_same_403(client, company_a, key_a):
    ApiKey.objects.filter(pk=key_a.key.pk).update(revoked_at=timezone.now())

    response = client.get(f"/api/v1.1/stores/{company_a.uid}", HTTP_X_APIKEY=key_a.plaintext)

    assert response.status_code == 403
    assert response.json() == INVALID
    assert ApiRequestLog.objects.count() == 0


def test_another_companys_uid_is_the_same_403_and_shows_nothing(
    client, company_a, company_b, key_a
):
    # given company B has a store
    RetailStoreFactory(company=company_b, name="B's secret store")

    # when company A's key asks for company B's stores
    response = client.get(f"/api/v1.1/stores/{company_b.uid}", HTTP_X_APIKEY=key_a.plaintext)

    # then the body is byte for byte the wrong-key body
    assert response.status_code == 403
    assert response.json() == INVALID
    assert b"secret" not in response.content


@pytest.mark.parametrize("header", ["X-APIKEY", "x-apikey", "X-ApiKey"])
def test_the_header_name_is_case_insensitive(client, company_a, key_a, header):
    RetailStoreFactory(company=company_a, name="Capitol Hill")

    response = client.get(f"/api/v1.1/stores/{company_a.uid}", headers={header: key_a.plaintext})

    assert response.status_code == 200
    assert [row["name"] for row in response.json()["data"]] == ["Capitol Hill"]


def test_stores_lists_the_keys_company_stores(client, company_a, company_b, key_a):
    store = RetailStoreFactory(
        company=company_a, name="Ballard", postal_code="98107", phone="+12065550100"
    )
    RetailStoreFactory(company=company_b, name="Elsewhere")

    response = client.get(f"/api/v1.1/stores/{company_a.uid}", HTTP_X_APIKEY=key_a.plaintext)

    assert response.json() == {
        "success": True,
        "data": [
            {
                "id": store.pk,
                "name": "Ballard",
                "address": "",
                "city": "Seattle",
                "state": "WA",
                "zip": "98107",
                "country": "US",
                "phone": "+12065550100",
                "timeZone": "America/Los_Angeles",
            }
        ],
    }


def test_the_key_is_stored_only_as_its_hash(key_a):
    row = ApiKey.objects.values().get(pk=key_a.key.pk)

    assert key_a.plaintext not in [str(value) for value in row.values()]
    assert row["hash"] == hash_key(key_a.plaintext)
    assert row["prefix"] == key_a.plaintext[:8]
    assert len(key_a.plaintext) >= 40
