"""Settings > API & Tracking: create (shown once), revoke, the UID, the log; and the
operator's create_api_key command."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from aiq.accounts.choices import Role
from loyalty.api.keys import create_api_key, hash_key
from loyalty.api.models import ApiKey, ApiRequestLog
from loyalty.api.request_log import record_request
from tests.conftest import staff_client
from tests.factories import RetailStoreFactory

pytestmark = pytest.mark.django_db


def test_the_command_prints_the_key_alone_on_its_last_line_and_it_works(client, company_a):
    out = StringIO()

    call_command("create_api_key", "--company", company_a.uid, "--name", "Cova", stdout=out)

    plaintext = out.getvalue().splitlines()[-1]
    key = ApiKey.objects.get(company=company_a)
    assert key.name == "Cova"
    assert key.hash == hash_key(plaintext)
    response = client.get(f"/api/v1.1/stores/{company_a.uid}", HTTP_X_APIKEY=plaintext)
    assert response.status_code == 200


def test_the_command_refuses_an_unknown_company(db):
    with pytest.raises(CommandError, match="No company has the account UID 'nope'"):
        call_command("create_api_key", "--company", "nope", "--name", "Cova", stdout=StringIO())

    assert ApiKey.objects.count() == 0


def test_an_owner_creates_a_key_and_sees_it_once(owner_a, company_a):
    # when the owner creates a key
    response = owner_a.post("/admin/loyalty/apikey/add/", {"name": "Front counter"})

    # then the next page shows it, only its hash is stored, and it authenticates
    assert response.status_code == 200
    key = ApiKey.objects.get(company=company_a)
    plaintext = response.context["plaintext"]
    assert plaintext in response.content.decode()
    assert key.hash == hash_key(plaintext)
    assert key.created_by == owner_a.user
    assert key.prefix == plaintext[:8]
    # the list shows the prefix and the account UID, never the key
    listing = owner_a.get("/admin/loyalty/apikey/").content.decode()
    assert company_a.uid in listing
    assert f"{key.prefix}…" in listing
    assert plaintext not in listing
    assert plaintext not in owner_a.get(f"/admin/loyalty/apikey/{key.pk}/change/").content.decode()


def test_revoking_a_key_stops_it(owner_a, client, company_a):
    new = create_api_key(company_a, "Old terminal")

    owner_a.post(
        "/admin/loyalty/apikey/",
        {"action": "revoke_keys", "_selected_action": [new.key.pk]},
    )

    assert ApiKey.objects.get(pk=new.key.pk).revoked_at is not None
    response = client.get(f"/api/v1.1/stores/{company_a.uid}", HTTP_X_APIKEY=new.plaintext)
    assert response.status_code == 403


def test_a_manager_may_manage_keys_and_a_marketer_or_budtender_may_not(company_a):
    assert staff_client(company_a, Role.MANAGER).get("/admin/loyalty/apikey/").status_code == 200
    assert staff_client(company_a, Role.MARKETER).get("/admin/loyalty/apikey/").status_code == 403
    assert staff_client(company_a, Role.BUDTENDER).get("/admin/loyalty/apikey/").status_code == 403


def test_keys_and_the_log_are_scoped_to_the_company(owner_a, company_b):
    theirs = create_api_key(company_b, "B terminal")
    record_request(theirs.key, "GET", "/api/v2/wallet/***", 200, 3)

    keys = owner_a.get("/admin/loyalty/apikey/").content.decode()
    log = owner_a.get("/admin/loyalty/apirequestlog/").content.decode()

    assert "B terminal" not in keys
    assert "B terminal" not in log
    row = ApiRequestLog.objects.get()
    assert owner_a.get(f"/admin/loyalty/apirequestlog/{row.pk}/change/").status_code == 404
    assert owner_a.get(f"/admin/loyalty/apikey/{theirs.key.pk}/change/").status_code == 404


def test_the_log_lists_the_companys_calls(owner_a, company_a):
    mine = create_api_key(company_a, "A terminal")
    record_request(mine.key, "POST", "/api/v2/wallet", 200, 12)

    page = owner_a.get("/admin/loyalty/apirequestlog/").content.decode()

    assert "/api/v2/wallet" in page
    assert "A terminal" in page


def test_a_key_cannot_be_scoped_to_another_companys_store(company_a, company_b):
    key = ApiKey(company=company_a, name="Mixed", store=RetailStoreFactory(company=company_b))

    with pytest.raises(ValidationError) as raised:
        key.full_clean(exclude=["prefix", "hash"])

    assert raised.value.message_dict == {"store": ["This store belongs to another company."]}
