"""A run refused because another holds the stream says when that hold ends: after a dead
worker, staff know how long until the stream syncs again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from integrations.models import SyncCursor
from integrations.sync import lease
from integrations.sync.choices import RunStatus, Stream
from integrations.sync.health import clock_time
from tests.sync.factories import SandboxCredentialFactory, run_once
from tests.sync.fakes import FakeProvider

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("left", "words"), [(timedelta(minutes=3, seconds=20), "in 4 minutes")])
def test_another_run_in_progress_says_when_its_lease_expires(settings, left, words):
    # given: a worker died holding the sales stream; its lease runs a few minutes more
    settings.TIME_ZONE = "America/Los_Angeles"
    credential = SandboxCredentialFactory()
    cursor = lease.cursor_for(credential, Stream.SALES)
    expires = timezone.now() + left
    SyncCursor.objects.filter(pk=cursor.pk).update(locked_until=expires, lock_token="dead")
    provider = FakeProvider()

    # when: the next run of that stream comes
    run = run_once(credential, Stream.SALES, provider=provider)

    # then: it did not start, and says when the dead run's hold ends, in local time
    local = timezone.localtime(expires, timezone.get_default_timezone())
    assert (run.status, run.error_code) == (RunStatus.SKIPPED, "busy")
    assert run.error_message == (
        "Another run of this stream is in progress; this one did not start. "
        f"That run holds the stream until {clock_time(local)} ({words}); "
        "if its worker stopped, the next sync after that takes over."
    )
    assert provider.calls == []


def test_a_hold_ending_within_the_minute_says_so():
    # given: a lease with seconds left
    credential = SandboxCredentialFactory()
    cursor = lease.cursor_for(credential, Stream.CUSTOMERS)
    expires = timezone.now() + timedelta(seconds=20)
    SyncCursor.objects.filter(pk=cursor.pk).update(locked_until=expires, lock_token="dead")

    # when
    run = run_once(credential, Stream.CUSTOMERS, provider=FakeProvider())

    # then
    assert "(in less than a minute)" in run.error_message
