"""Boots the embedded default for real: SQLite and the file-system broker in a temporary
folder, a real worker process and a real web server."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(predicate, timeout: float, what: str):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


def test_embedded_default_boots_migrates_seeds_runs_a_task_and_serves(tmp_path):
    database = tmp_path / "aiq.sqlite3"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))},
        "DJANGO_SETTINGS_MODULE": "aiq.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_BROKER_URL": "filesystem://",
        "CELERY_FILESYSTEM_BROKER_DIR": str(tmp_path / "broker"),
        "DJANGO_DEBUG": "true",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    run = {"cwd": ROOT, "env": env, "check": True, "capture_output": True, "text": True}

    subprocess.run([*manage, "migrate", "--no-input"], **run, timeout=180)
    seeded = subprocess.run([*manage, "seed_demo"], **run, timeout=120)
    assert "owner /" in seeded.stdout

    celery = str(Path(sys.executable).parent / "celery")
    worker = subprocess.Popen(
        [
            celery,
            "-A",
            "aiq",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port = _free_port()
    web = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from aiq.ops.tasks import record_heartbeat; record_heartbeat.delay('boot-test')",
            ],
            **run,
            timeout=60,
        )

        def heartbeat_landed() -> bool:
            with sqlite3.connect(database) as db:
                rows = db.execute("SELECT detail FROM ops_heartbeat WHERE name = 'boot-test'")
                return rows.fetchone() is not None

        _wait_for(heartbeat_landed, 90, "the worker to run the heartbeat task")

        def login_page() -> requests.Response | None:
            try:
                return requests.get(f"http://127.0.0.1:{port}/admin/login/", timeout=5)
            except requests.ConnectionError:
                return None

        response = _wait_for(login_page, 60, "the web server")
        assert response.status_code == 200
        assert "Log in" in response.text
    finally:
        for process in (worker, web):
            process.terminate()
        for process in (worker, web):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
