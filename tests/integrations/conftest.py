from __future__ import annotations

import pytest
from django.core.handlers.wsgi import WSGIHandler

from integrations.sandbox import faults, server


@pytest.fixture
def sandbox_origin(db, monkeypatch):
    """This app served on a free port, so sandbox credentials have a POS to talk to."""
    # get_wsgi_application() runs django.setup() again, whose logging set-up would drop
    # pytest's capture handler (caplog): Django is set up already, the handler suffices.
    monkeypatch.setattr(server, "get_wsgi_application", WSGIHandler)
    faults.reset()
    with server.running_sandbox() as origin:
        yield origin
    faults.reset()
