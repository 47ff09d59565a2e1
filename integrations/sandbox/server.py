"""Serve the Django app (and so the sandboxes) on a local port, in a background thread.

    with running_sandbox() as origin:          # e.g. "http://127.0.0.1:53211"
        requests.get(f"{origin}/sandbox/")

The server is the standard library's WSGI server with one thread per request, so
concurrent requests are served concurrently (Clover's 5-in-flight limit is observable).
Each request thread closes its database connections when done, so persistent
connections (CONN_MAX_AGE) never pile up. Django must already be set up.
"""

from __future__ import annotations

import json
import socketserver
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from django.core.wsgi import get_wsgi_application
from django.db import connections


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    # Clients open many short connections (HTTP/1.0 closes each one).
    request_queue_size = 128

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            connections.close_all()


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No access log on stderr."""


@contextmanager
def running_sandbox(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Serve the app on ``host``:``port`` (0 = a free port) while the block runs.

    Yields the origin, e.g. ``http://127.0.0.1:53211``; the sandboxes are under
    ``<origin>/sandbox/``.
    """
    server = make_server(
        host,
        port,
        get_wsgi_application(),
        server_class=_ThreadingWSGIServer,
        handler_class=_QuietHandler,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def sandbox_answers(origin: str, timeout: float = 2.0) -> bool:
    """True when ``origin`` serves the sandboxes (GET ``/sandbox/`` says so)."""
    url = f"{origin.rstrip('/')}/sandbox/"
    if not url.startswith(("http://", "https://")):
        return False
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310
            return response.status == 200 and json.load(response).get("sandbox") == "ok"
    except (urllib.error.URLError, OSError, ValueError):
        return False
