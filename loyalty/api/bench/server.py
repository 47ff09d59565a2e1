"""The gunicorn ``bench_api`` measures: a subprocess on a loopback socket the benchmark
opened itself (passed as a file descriptor, so no port can be taken in between), serving
this database with production settings, stopped however the benchmark ends.

Worker class: gthread. A POS terminal keeps its connection open; gunicorn's sync workers
close it after every response, so each request would pay a TCP handshake and tie up a
worker per connection. gthread keeps connections alive, and its threads overlap the
database round trips that dominate an API call.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.db import connection

READY_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 10


class Gunicorn:
    """``with Gunicorn(...) as server:`` serves on ``server.port`` until the block ends."""

    def __init__(self, *, workers: int, threads: int, probe_path: str) -> None:
        self.workers = workers
        self.threads = threads
        self.probe_path = probe_path
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Gunicorn:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        self.port = listener.getsockname()[1]
        try:
            self.process = subprocess.Popen(  # noqa: S603 (our own argv: python -m gunicorn)
                self.command(listener.fileno()),
                env=self.environment(),
                cwd=settings.BASE_DIR,
                pass_fds=[listener.fileno()],
                # Its own process group: a Ctrl-C here reaches us, and we stop it in order.
                start_new_session=True,
            )
        finally:
            listener.close()  # gunicorn holds its own copy
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def command(self, fd: int) -> list[str]:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "aiq.wsgi:application",
            f"--bind=fd://{fd}",
            "--worker-class=gthread",
            f"--workers={self.workers}",
            f"--threads={self.threads}",
            "--keep-alive=5",
            "--log-level=warning",
        ]

    def environment(self) -> dict[str, str]:
        """Production settings (DEBUG off: no query log, no debug pages) on this very
        database, with the same signing key so the benchmark can mint redemption URLs."""
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url(connection.settings_dict),
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=settings.SECRET_KEY,
            FIELD_ENCRYPTION_KEYS=",".join(field_encryption_keys()),
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on loopback
            POS_SANDBOX_ENABLED="false",
            API_BENCH_BASELINE_VIEW="true",
            # WhiteNoise warns in every worker when collectstatic has not run; the API
            # serves no static files.
            PYTHONWARNINGS="ignore:No directory at",
        )
        return env

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        # SIGTERM: the master stops its workers gracefully; then the whole group, if needed.
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}")
            try:
                status = probe(self.port, self.probe_path)
            except OSError:
                status = 0
            if status == 200:
                return
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"gunicorn did not answer 200 within {READY_TIMEOUT_SECONDS} s "
                    f"(last status {status})"
                )
            time.sleep(0.1)


def probe(port: int, path: str) -> int:
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        client.request("GET", path)
        response = client.getresponse()
        response.read()
        return response.status
    finally:
        client.close()


def database_url(db: dict[str, Any]) -> str:
    """The connection this process uses (in tests, the test database), as a URL."""
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


def field_encryption_keys() -> list[str]:
    """This process's keys; with DEBUG on and none set, the dev key it derives (the server
    runs with DEBUG off, which refuses to start without keys)."""
    keys = [key for key in settings.FIELD_ENCRYPTION_KEYS if key]
    if keys:
        return keys
    digest = hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(digest).decode()]
