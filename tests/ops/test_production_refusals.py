"""Production (DJANGO_DEBUG=false) refuses unsafe settings when a process starts: the web
server, `manage.py` and the Celery worker all stop with a message saying what to set."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
FERNET_KEY = "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTA="
SAFE_PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": secrets.token_hex(40),
    "DJANGO_ALLOWED_HOSTS": "hub.example.com",
    "FIELD_ENCRYPTION_KEYS": FERNET_KEY,
    "POS_SANDBOX_ENABLED": "false",
}
SANDBOX_MESSAGE = "Set POS_SANDBOX_ENABLED=false"
KEYS_MESSAGE = "Set FIELD_ENCRYPTION_KEYS"
CELERY = str(Path(sys.executable).parent / "celery")
# How each long-running process starts: the web server imports aiq.wsgi, the worker and
# beat load the Celery app, and every manage.py command loads the settings.
STARTS = {
    "manage.py check": [sys.executable, "manage.py", "check"],
    "web (aiq.wsgi)": [sys.executable, "-c", "import aiq.wsgi"],
    "celery worker": [CELERY, "-A", "aiq", "worker", "--pool", "solo", "--without-mingle"],
    "celery beat": [CELERY, "-A", "aiq", "beat", "--max-interval", "1"],
}


def start(command: list[str], **overrides: str) -> subprocess.CompletedProcess:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "POS_"))},
        "DATABASE_URL": "sqlite:///:memory:",
        "CELERY_BROKER_URL": "memory://",
        **SAFE_PRODUCTION,
        **overrides,
    }
    env = {k: v for k, v in env.items() if v is not None}
    try:
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
        )
    except subprocess.TimeoutExpired as running:
        # Still running after a minute: it started (a worker or beat runs until stopped).
        return subprocess.CompletedProcess(command, 0, str(running.stdout), str(running.stderr))


@pytest.mark.parametrize("process", STARTS)
def test_production_with_the_sandboxes_on_does_not_start(process):
    # given production settings with the POS sandboxes switched on
    # when the process starts
    result = start(STARTS[process], POS_SANDBOX_ENABLED="true")

    # then it stops, saying what to set
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert SANDBOX_MESSAGE in result.stderr


@pytest.mark.parametrize("process", STARTS)
def test_production_without_encryption_keys_does_not_start(process):
    # given production settings without FIELD_ENCRYPTION_KEYS
    # when the process starts
    result = start(STARTS[process], FIELD_ENCRYPTION_KEYS="")

    # then it stops, saying what to set
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert KEYS_MESSAGE in result.stderr


def test_production_with_an_invalid_encryption_key_does_not_start():
    # given a value that is not a Fernet key
    result = start(STARTS["manage.py check"], FIELD_ENCRYPTION_KEYS="not-a-fernet-key")

    # then the start is refused rather than the first Add Credential failing with a 500
    assert result.returncode != 0
    assert KEYS_MESSAGE in result.stderr


def test_the_readme_check_deploy_command_passes_as_written():
    # given the README's production values, as `make check-deploy` and CI pass them
    readme = (ROOT / "README.md").read_text()
    assert "POS_SANDBOX_ENABLED=false python manage.py check --deploy --fail-level WARNING" in (
        readme
    )

    # when check --deploy runs with them
    result = start([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    # then it passes
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_mode_starts_with_the_sandboxes_and_a_derived_key():
    # given the embedded run's defaults (debug on, no keys, sandboxes on)
    result = start(
        STARTS["manage.py check"],
        DJANGO_DEBUG="true",
        FIELD_ENCRYPTION_KEYS="",
        POS_SANDBOX_ENABLED="true",
    )

    # then it starts as before
    assert result.returncode == 0, result.stderr


def test_the_web_process_freezes_what_it_loaded_out_of_the_collectors_sight():
    # When the web server's module is imported, as each gunicorn worker does
    result = start([sys.executable, "-c", "import gc, aiq.wsgi; print(gc.get_freeze_count())"])

    # Then the objects loaded at start (Django, the apps) are frozen: a full collection
    # during a request no longer walks them
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip().splitlines()[-1]) > 50_000, result.stdout
