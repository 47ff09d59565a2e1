from __future__ import annotations

import pytest
from django.core.cache import cache

from loyalty.api.keys import NewKey, create_api_key


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limit counts in the LocMem cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def key_a(company_a) -> NewKey:
    return create_api_key(company_a, "Cova terminal")


@pytest.fixture
def key_b(company_b) -> NewKey:
    return create_api_key(company_b, "Company B terminal")
