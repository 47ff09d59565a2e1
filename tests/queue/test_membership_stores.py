from __future__ import annotations

import pytest

from aiq.accounts.choices import Role
from tests.factories import MembershipFactory, RetailStoreFactory


@pytest.mark.django_db
def test_an_owner_gives_a_budtender_stores_from_their_own_company_only(
    owner_a, company_a, company_b
):
    mine = RetailStoreFactory(company=company_a, name="Capitol Hill")
    theirs = RetailStoreFactory(company=company_b, name="Elsewhere")
    budtender = MembershipFactory(company=company_a, role=Role.BUDTENDER)
    url = f"/admin/accounts/membership/{budtender.pk}/change/"

    form = owner_a.get(url).content.decode()
    assert "Capitol Hill" in form and "Elsewhere" not in form

    refused = owner_a.post(url, {"role": Role.BUDTENDER, "stores": [theirs.pk]})
    assert refused.status_code == 200  # the form again, with the error
    assert list(budtender.stores.all()) == []

    saved = owner_a.post(url, {"role": Role.BUDTENDER, "stores": [mine.pk]})
    assert saved.status_code == 302
    assert list(budtender.stores.all()) == [mine]
