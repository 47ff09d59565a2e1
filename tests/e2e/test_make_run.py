"""`make run` as a new user starts it: a copy of the working tree (a fresh clone, less
.git), a port other than 8000, and no environment variable naming where the sandboxes
are. Within two minutes the demo's three sandboxes have filled personas and sales, which
a person then sees in the browser; a second `make run` writes no card history."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
from contextlib import closing, contextmanager, suppress
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.browser, pytest.mark.slow]
DEMO_PASSWORD = "demo-pass-2026"  # seed_demo's default, printed by `make run`
PROVIDERS = ("cova", "posabit", "clover")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    assert port != 8000
    return port


def _fresh_clone(target: Path) -> Path:
    """The project's files as a clone would have them, sharing this run's virtualenv."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    # Installed markers newer than the copied requirements: make installs nothing again.
    for marker in (".runtime-installed", ".dev-installed"):
        if (ROOT / ".venv" / marker).exists():
            (ROOT / ".venv" / marker).touch()
    return target


def _environment() -> dict[str, str]:
    """This machine's environment less what CI or the test run set for themselves (their
    database and broker), so `make run` falls back to its embedded default as on a fresh
    machine. Nothing is added."""
    dropped = ("DATABASE_", "CELERY_", "POS_SANDBOX", "WEB_", "DJANGO_", "PYTEST_")
    return {k: v for k, v in os.environ.items() if not k.startswith(dropped)}


@contextmanager
def make_run(clone: Path, port: int, log: Path):
    with log.open("ab") as output:
        process = subprocess.Popen(
            ["make", "run", f"PORT={port}"],
            cwd=clone,
            env=_environment(),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield process
    finally:
        # Ctrl-C, as a person stops it: make, honcho, web, worker and beat share the group.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(timeout=20)
                break
            except subprocess.TimeoutExpired:
                continue
        time.sleep(1)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # stragglers such as pool children


def _wait_for(predicate, timeout: float, what: str, log: Path):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(2)
    tail = log.read_text(errors="replace")[-4000:]
    raise AssertionError(f"timed out waiting for {what}; make run printed:\n{tail}")


def _query(database: Path, sql: str) -> list[tuple]:
    if not database.exists():
        return []
    try:
        with closing(sqlite3.connect(database, timeout=5)) as db:
            return db.execute(sql).fetchall()
    except sqlite3.OperationalError:  # tables not migrated yet, or a writer holds the lock
        return []


def _counts_by_source(database: Path) -> tuple[dict[str, int], dict[str, int]]:
    personas = dict(
        _query(database, "SELECT source, COUNT(*) FROM personas_personaidentity GROUP BY source")
    )
    sales = dict(_query(database, "SELECT source, COUNT(*) FROM personas_sale GROUP BY source"))
    return personas, sales


def test_make_run_on_another_port_syncs_all_three_sandboxes_and_seeds_once(tmp_path, page):
    # Given a fresh copy of the project and a port that is not 8000
    clone = _fresh_clone(tmp_path / "clone")
    database = clone / "var" / "aiq.sqlite3"
    port = _free_port()
    log = tmp_path / "make-run.log"
    base = f"http://127.0.0.1:{port}"

    # When a person runs `make run PORT=<port>` and waits
    with make_run(clone, port, log):
        started = time.monotonic()

        def everything_synced() -> bool:
            # every card's first customers and sales runs have finished...
            finished = _query(database, FIRST_RUNS_FINISHED)
            if not finished or finished[0][0] < 2 * len(PROVIDERS):
                return False
            # ...and brought personas and sales from every sandbox
            personas, sales = _counts_by_source(database)
            return all(personas.get(p, 0) > 0 and sales.get(p, 0) > 0 for p in PROVIDERS)

        _wait_for(everything_synced, 120, "personas and sales from all three sandboxes", log)
        # Then personas and sales from every sandbox landed within two minutes...
        assert time.monotonic() - started < 120
        failed = _query(database, "SELECT COUNT(*) FROM integrations_syncrun WHERE status='failed'")
        assert failed == [(0,)]

        # The demo tells one story: every store is the favorite store of synced shoppers...
        stores_without_shoppers = _query(database, STORES_WITHOUT_SYNCED_FAVORITES)
        assert stores_without_shoppers == []
        # ...the Cova card syncs only its market, and keeps every Cova shopper
        assert _query(
            database,
            "SELECT sync_to_relevant_market FROM integrations_integration WHERE provider = 'cova'",
        ) == [(1,)]
        assert _counts_by_source(database)[0]["cova"] >= 100
        assert _query(database, OUTSIDE_MARKET) in ([], [(None,)], [(0,)])
        # ...and the sync recorded at least one merge to show on a persona card
        assert _query(database, "SELECT COUNT(*) FROM personas_personamerge")[0][0] >= 1

        # ...and a person sees them in the browser
        page.goto(f"{base}/admin/login/")
        page.get_by_label("Username").fill("owner")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        for provider, label in (("cova", "Cova"), ("posabit", "POSaBIT"), ("clover", "Clover")):
            page.goto(f"{base}/admin/personas/persona/?source={provider}")
            rows = page.locator("#result_list tbody tr")
            expect(rows.first).to_be_visible()
            expect(rows.first).to_contain_text(re.compile(label, re.IGNORECASE))
            page.goto(f"{base}/admin/personas/sale/?source__exact={provider}")
            expect(page.locator("#result_list tbody tr").first).to_be_visible()
        page.goto(f"{base}/admin/personas/persona/")
        screenshot(page, "make-run-personas")

        # The demo's Cova store has COVA ecommerce on: its menu synced from the sandbox
        def menu_synced() -> bool:
            rows = _query(database, "SELECT COUNT(*) FROM ecommerce_menuproduct")
            return bool(rows) and rows[0][0] >= 40

        _wait_for(menu_synced, 60, "the demo store's menu from the Cova sandbox", log)
        assert _query(
            database, "SELECT COUNT(*) FROM ecommerce_menusyncrun WHERE status = 'failed'"
        ) == [(0,)]
        page.goto(f"{base}/admin/ecommerce/menuproduct/")
        expect(page.locator("#result_list tbody tr").first).to_be_visible()
        expect(page.locator("#menu-sync-button")).to_be_visible()
        screenshot(page, "make-run-menu-products")

        # ...and the demo's budtender starts the day on the Capitol Hill waiting room
        waiting = _query(database, "SELECT COUNT(*) FROM queue_checkin WHERE state = 'waiting'")
        assert waiting and waiting[0][0] >= 3
        page.context.clear_cookies()
        page.goto(f"{base}/admin/login/")
        page.get_by_label("Username").fill("budtender")
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page).to_have_url(f"{base}/admin/queue/checkin/")
        expect(page.locator("#queue-rows .queue-row")).to_have_count(waiting[0][0])
        screenshot(page, "make-run-budtender-queue")

        # The demo's loyalty: members earned points on their synced sales, each explained
        richest = _query(
            database,
            "SELECT persona_id, balance FROM loyalty_loyaltyaccount "
            "WHERE persona_id IS NOT NULL ORDER BY balance DESC LIMIT 1",
        )
        assert richest and richest[0][1] > 0
        persona_id, balance = richest[0]
        page.goto(f"{base}/admin/personas/persona/{persona_id}/change/")
        expect(page.get_by_text("Loyalty points").first).to_be_visible()
        shown = rf"^({int(balance)}|{int(balance):,})$"
        expect(page.get_by_text(re.compile(shown)).first).to_be_visible()
        expect(page.get_by_text(re.compile(r"Sale \S+ at .+ = .+ points")).first).to_be_visible()
        screenshot(page, "make-run-persona-loyalty")
        history_after_first_run = _query(database, HISTORY_BY_PEOPLE)
        assert history_after_first_run[0][0] > 0

    # When `make run` runs a second time on the same data
    with make_run(clone, port, log):
        _wait_for(
            lambda: log.read_text(errors="replace").count("Starting development server") >= 2,
            90,
            "the second start",
            log,
        )
    # Then seeding the existing demo re-connected nothing and wrote no card history
    assert _query(database, HISTORY_BY_PEOPLE) == history_after_first_run


FIRST_RUNS_FINISHED = (
    "SELECT COUNT(DISTINCT integration_id || '/' || stream) FROM integrations_syncrun "
    "WHERE status = 'ok'"
)
STORES_WITHOUT_SYNCED_FAVORITES = """
    SELECT s.name FROM stores_retailstore s WHERE NOT EXISTS (
        SELECT 1 FROM personas_persona p JOIN personas_personaidentity i ON i.persona_id = p.id
        WHERE p.favorite_store_id = s.id AND i.source IN ('cova', 'posabit', 'clover'))
"""
OUTSIDE_MARKET = (
    "SELECT SUM(json_extract(details, '$.outside_market')) FROM integrations_syncrun "
    "WHERE stream = 'customers'"
)

# Card history that a person or the seed writes (syncs may record status changes).
HISTORY_BY_PEOPLE = (
    "SELECT COUNT(*), SUM(action = 'connected') FROM integrations_integrationevent "
    "WHERE action <> 'status_changed'"
)
