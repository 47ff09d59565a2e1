"""Recording each call against its key, and keeping the log bounded.

The log is written off the request's path: each call adds its line to this process's
buffer, and a background thread writes the buffer in one INSERT every
``LOYALTY_API_LOG_FLUSH_SECONDS`` (1 s by default). A wallet read is a few indexed
SELECTs; a log INSERT and commit of its own cost a quarter of its time (measured when it
was three SELECTs), and a POS waits for none of it. The price: a line appears up to a
second late, and a process killed with kill -9 loses at most its last second of lines (a
graceful stop writes them). Nothing the log holds is money.
``LOYALTY_API_LOG_FLUSH_SECONDS=0`` writes each line before the response instead (the
tests do).
"""

from __future__ import annotations

import atexit
import functools
import logging
import os
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from aiq.raw_rows import hot_cursor
from loyalty.api.masking import mask_path
from loyalty.api.models import ApiKey, ApiRequestLog

logger = logging.getLogger(__name__)

RETENTION = timedelta(days=30)
# Prune on write every N rows: no scheduled job to forget, and cheap with the `at` index.
PRUNE_EVERY = 500
# "Last used" is shown to the minute: a busy key's row is written once a minute, not on
# every call (one UPDATE fewer per request, and no queue of terminals on that row lock).
LAST_USED_PRECISION = timedelta(minutes=1)
# A database down for minutes must not grow a web process without bound: past this many
# waiting lines, new ones are counted and dropped (and the count logged).
BUFFER_CAPACITY = 20_000
_METHOD_LENGTH = ApiRequestLog._meta.get_field("method").max_length
_PATH_LENGTH = ApiRequestLog._meta.get_field("path").max_length


@dataclass(frozen=True, slots=True)
class Line:
    company_id: int
    key_id: int
    at: datetime
    method: str
    path: str
    status: int
    latency_ms: int
    # The key's "last used" was older than LAST_USED_PRECISION when this call read it.
    touch_key: bool


def record_request(key: ApiKey, method: str, path: str, status: int, latency_ms: int) -> None:
    now = timezone.now()
    line = Line(
        company_id=key.company_id,
        key_id=key.pk,
        at=now,
        method=method[:_METHOD_LENGTH],
        # Cut to the column's length: a long path is still a line, not a failed flush.
        path=mask_path(path, keep=key.company.uid)[:_PATH_LENGTH],
        status=status,
        latency_ms=max(0, latency_ms),
        touch_key=key.last_used_at is None or now - key.last_used_at >= LAST_USED_PRECISION,
    )
    if settings.LOYALTY_API_LOG_FLUSH_SECONDS > 0:
        _buffer.add(line)
    else:
        write_lines([line])


def write_lines(lines: list[Line]) -> None:
    """The lines in one INSERT, each key's "last used" moved on, the log pruned now and
    then."""
    ids = _insert(lines)
    last_use: dict[int, datetime] = {}
    for line in lines:
        if line.touch_key:
            last_use[line.key_id] = max(line.at, last_use.get(line.key_id, line.at))
    for key_id, at in last_use.items():
        ApiKey.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lt=at), pk=key_id
        ).update(last_used_at=at)
    if any(pk is not None and pk % PRUNE_EVERY == 0 for pk in ids):
        prune_request_log(lines[-1].at)


def _insert(lines: list[Line]) -> list[int | None]:
    """The lines as rows; their ids. On PostgreSQL one prepared ``INSERT ... SELECT FROM
    unnest`` of a column array each: a web worker writes its second of lines while its
    request threads wait for the interpreter lock, and building a model per line for
    ``bulk_create`` held it about 4 ms a flush (45 lines) against well under 1 ms."""
    if connection.vendor != "postgresql":
        rows = ApiRequestLog.objects.bulk_create(
            ApiRequestLog(**{name: getattr(line, name) for name in _LOGGED}) for line in lines
        )
        return [row.pk for row in rows]
    columns = [[getattr(line, name) for line in lines] for name in _LOGGED]
    with hot_cursor() as cursor:
        cursor.execute(_insert_sql(), columns)
        return [row[0] for row in cursor.fetchall()]


# The Line attributes written, each the attname of an ApiRequestLog field.
_LOGGED = ("company_id", "key_id", "at", "method", "path", "status", "latency_ms")


@functools.cache
def _insert_sql() -> str:
    """Each column's values as one array parameter, cast to the column's own type."""
    fields = [ApiRequestLog._meta.get_field(name) for name in _LOGGED]
    columns = ", ".join(field.column for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    table = ApiRequestLog._meta.db_table
    return f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) RETURNING id"  # noqa: S608


def prune_request_log(now=None) -> int:  # type: ignore[no-untyped-def]
    now = now or timezone.now()
    deleted, _ = ApiRequestLog.objects.filter(at__lt=now - RETENTION).delete()
    return int(deleted)


class _Buffer:
    """This process's waiting lines and the thread that writes them."""

    def __init__(self) -> None:
        self._lines: list[Line] = []
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0
        self.dropped = 0

    def add(self, line: Line) -> None:
        with self._lock:
            if len(self._lines) >= BUFFER_CAPACITY:
                self.dropped += 1
                return
            self._lines.append(line)
            # After a fork (gunicorn's workers) the parent's thread is not running here.
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()
                self._thread = threading.Thread(
                    target=self._run, name="api-request-log", daemon=True
                )
                self._thread.start()

    def flush(self) -> int:
        with self._lock:
            lines, self._lines = self._lines, []
            dropped, self.dropped = self.dropped, 0
        if dropped:
            logger.warning("API request log: %d lines dropped (buffer full)", dropped)
        if not lines:
            return 0
        try:
            write_lines(lines)
        except Exception:
            # The log is not worth a retry storm; the connection is reopened next time.
            logger.exception("API request log: %d lines not written", len(lines))
            connection.close()
            return 0
        return len(lines)

    def _run(self) -> None:
        while True:
            time.sleep(settings.LOYALTY_API_LOG_FLUSH_SECONDS or 1)
            self.flush()


_buffer = _Buffer()


def flush_request_log() -> int:
    """Write this process's waiting lines now (at exit, and in tests); how many."""
    return _buffer.flush()


atexit.register(flush_request_log)
