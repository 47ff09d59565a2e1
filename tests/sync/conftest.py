"""Fixtures for the sync tests: a sandbox on a socket, clean process-wide caches."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.handlers.wsgi import WSGIHandler

from integrations.providers.clover import limiter as clover_limiter
from integrations.providers.cova.auth import clear_token_cache
from integrations.sandbox import faults, server
from integrations.sync import scheduling


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    """Cova tokens, Clover limiters and sandbox fault counters are process-wide."""
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()
    faults.reset()
    yield
    clear_token_cache()
    clover_limiter._BY_TOKEN.clear()
    faults.reset()


@pytest.fixture
def sandbox_origin(monkeypatch, settings) -> Iterator[str]:
    """The app served on a free port; sandbox credentials talk to it."""
    # get_wsgi_application() would run django.setup() again and drop pytest's log capture.
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    with server.running_sandbox() as origin:
        settings.POS_SANDBOX_ORIGIN = origin
        yield origin


@pytest.fixture
def queued(monkeypatch) -> list[tuple[int, list[int]]]:  # type: ignore[no-untyped-def]
    """Continuations the task queues, run by the test instead of a worker."""
    calls: list[tuple[int, list[int]]] = []
    monkeypatch.setattr(scheduling, "_enqueue", lambda cid, ids: calls.append((cid, ids)))
    return calls
