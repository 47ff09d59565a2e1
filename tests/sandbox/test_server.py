"""The sandboxes on a real socket: ``running_sandbox()`` and ``sandbox_answers()``."""

from __future__ import annotations

import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from integrations.sandbox.models import SandboxRecord
from integrations.sandbox.options import hash_text
from integrations.sandbox.server import running_sandbox, sandbox_answers
from tests.sandbox.conftest import COVA, INTEGRATOR, MERCHANT, VENUE

# The server's threads use their own database connections: the test's data must be
# committed for them to see it, so these tests use a transactional database.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
HEADERS = {"User-Agent": "aiq-tests/1.0"}


def test_sandbox_answers_only_where_a_sandbox_listens():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    assert sandbox_answers(f"http://127.0.0.1:{closed_port}") is False
    assert sandbox_answers("not a url") is False
    with running_sandbox() as origin:
        assert origin.startswith("http://127.0.0.1:")
        assert sandbox_answers(origin) is True
    assert sandbox_answers(origin) is False


def test_every_provider_over_a_real_socket():
    with running_sandbox() as origin, requests.Session() as http:
        http.headers.update(HEADERS)
        # Cova: a form-encoded grant, then the company from /v1/me, then its locations.
        token = http.post(
            f"{origin}/sandbox/cova/v1/oauth2/token",
            data={"grant_type": "password", **COVA},
            timeout=5,
        ).json()["access_token"]
        bearer = {"Authorization": f"Bearer {token}"}
        company = http.get(f"{origin}/sandbox/cova/v1/me", headers=bearer, timeout=5).json()[
            "ParentEntityId"
        ]
        locations = http.get(
            f"{origin}/sandbox/cova/entitymanager/v1/Companies({company})/Locations",
            headers=bearer,
            timeout=5,
        )
        # POSaBIT: create a customer; it is persisted and found by phone.
        posabit = (INTEGRATOR, VENUE)
        created = http.post(
            f"{origin}/sandbox/posabit/api/v3/venue/customers",
            json={"customer": {"first_name": "Socket", "telephone": "2535550100"}},
            auth=posabit,
            timeout=5,
        )
        found = http.get(
            f"{origin}/sandbox/posabit/api/v3/venue/customers",
            params={
                "start_date": "2000-01-01",
                "end_date": "2100-01-01",
                "q[telephone_eq]": "2535550100",
            },
            auth=posabit,
            timeout=5,
        ).json()
        # Clover: a page of orders.
        orders = http.get(
            f"{origin}/sandbox/clover/v3/merchants/{MERCHANT}/orders",
            params={"limit": 10, "expand": "lineItems"},
            headers={"Authorization": "Bearer socket-token"},
            timeout=5,
        )

    assert locations.status_code == 200
    assert len(locations.json()) == 3
    assert locations.headers["COVA-APIM-RateLimit-Limit"] == "1000"
    assert created.status_code == 201
    assert [c["customer"]["first_name"] for c in found["customers"]] == ["Socket"]
    assert SandboxRecord.objects.filter(provider="posabit").count() == 1
    assert orders.status_code == 200
    assert len(orders.json()["elements"]) == 10


def test_requests_are_served_concurrently_and_clover_counts_them():
    token = "concurrency-token,latency=300"
    url_path = f"/sandbox/clover/v3/merchants/{MERCHANT}"

    with running_sandbox() as origin:

        def call(_: int) -> int:
            response = requests.get(
                f"{origin}{url_path}",
                headers={**HEADERS, "Authorization": f"Bearer {token}"},
                timeout=10,
            )
            return response.status_code

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(call, range(8)))
        elapsed = time.perf_counter() - started
        stats = requests.get(
            f"{origin}/sandbox/_stats/", params={"token_hash": hash_text(token)}, timeout=5
        ).json()

    # Eight 300 ms requests in well under 8 x 300 ms: they ran side by side.
    assert elapsed < 1.5
    assert answers.count(200) >= 5
    assert answers.count(429) >= 1
    assert answers.count(200) + answers.count(429) == 8
    assert stats["max_in_flight"] > 5
    assert stats["requests"] == 8
