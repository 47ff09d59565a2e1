from __future__ import annotations

import pytest

from stores.queue.services import queue_of
from tests.factories import RetailStoreFactory


@pytest.fixture
def open_store(company_a):
    """A store of company A whose opt-in queue is on, with its queue row."""
    store = RetailStoreFactory(company=company_a, name="Capitol Hill", opt_in_queue_enabled=True)
    queue_of(store)
    return store
