"""The API request log written off the request's path: buffered lines reach the table
on the next flush, each key's last use moves on, and a full buffer drops rather than
grows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from loyalty.api import assumptions, request_log
from loyalty.api.keys import create_api_key
from loyalty.api.models import ApiKey, ApiRequestLog
from loyalty.api.request_log import flush_request_log, record_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def buffered(settings):
    # A long interval: only the test's own flush writes (the thread would wait 60 s).
    settings.LOYALTY_API_LOG_FLUSH_SECONDS = 60
    flush_request_log()
    yield
    flush_request_log()


def test_lines_wait_for_the_flush_then_land_in_one_go(company_a, buffered):
    key = create_api_key(company_a, "Front counter").key
    record_request(key, "GET", "/api/v2/wallet/+12065550100", 200, 4)
    record_request(key, "PUT", "/api/v1.1/discount/redeem/x/1/t", 400, 9)
    assert ApiRequestLog.objects.count() == 0

    assert flush_request_log() == 2

    rows = list(
        ApiRequestLog.objects.order_by("pk").values_list(
            "company_id", "key_id", "method", "path", "status", "latency_ms"
        )
    )
    assert rows == [
        (company_a.pk, key.pk, "GET", "/api/v2/wallet/***", 200, 4),
        (company_a.pk, key.pk, "PUT", "/api/v1.1/discount/redeem/x/1/t", 400, 9),
    ]
    first, second = ApiRequestLog.objects.order_by("pk")
    assert first.at <= second.at <= timezone.now()
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_the_api_answers_before_its_line_is_written(company_a, buffered, client):
    key = create_api_key(company_a, "Front counter")
    response = client.get("/api/v2/wallet/2065550100", HTTP_X_APIKEY=key.plaintext)
    # No such shopper: AIQ's not-found answer, still a logged call.
    assert response.json() == assumptions.not_found_body()
    assert not ApiRequestLog.objects.exists()
    flush_request_log()
    assert ApiRequestLog.objects.get().key_id == key.key.pk


def test_a_full_buffer_drops_new_lines_and_says_so(company_a, buffered, monkeypatch, caplog):
    monkeypatch.setattr(request_log, "BUFFER_CAPACITY", 2)
    key = create_api_key(company_a, "Front counter").key
    for _ in range(5):
        record_request(key, "GET", "/api/v2/wallet/x", 200, 1)
    assert flush_request_log() == 2
    assert "3 lines dropped" in caplog.text
    assert ApiRequestLog.objects.count() == 2


def test_last_used_never_moves_back(company_a):
    key = create_api_key(company_a, "Front counter").key
    record_request(key, "GET", "/api/v2/wallet/x", 200, 1)
    key.refresh_from_db()
    later = key.last_used_at
    stale = ApiKey.objects.get(pk=key.pk)
    stale.last_used_at = None  # a call that read the key before the first one wrote
    record_request(stale, "GET", "/api/v2/wallet/x", 200, 1)
    key.refresh_from_db()
    assert key.last_used_at >= later


def test_a_flush_prunes_old_lines_now_and_then(company_a, buffered, monkeypatch):
    key = create_api_key(company_a, "Front counter").key
    record_request(key, "GET", "/api/v2/wallet/x", 200, 1)
    flush_request_log()
    ApiRequestLog.objects.update(at=timezone.now() - timedelta(days=31))
    monkeypatch.setattr(request_log, "PRUNE_EVERY", 1)  # every written id is a multiple

    record_request(key, "GET", "/api/v2/wallet/y", 200, 1)
    flush_request_log()

    assert list(ApiRequestLog.objects.values_list("path", flat=True)) == ["/api/v2/wallet/y"]


def test_a_path_longer_than_the_column_is_cut_not_lost(company_a, buffered):
    key = create_api_key(company_a, "Front counter").key
    record_request(key, "GET", "/api/v2/" + "x" * 400, 404, 1)
    record_request(key, "GET", "/api/v2/wallet/y", 200, 1)

    assert flush_request_log() == 2

    paths = list(ApiRequestLog.objects.order_by("pk").values_list("path", flat=True))
    assert paths == [("/api/v2/" + "x" * 400)[:300], "/api/v2/wallet/y"]
