"""One menu sync of one store: full DetailedProductData the first time, then UpdatedAsOf.

The lease keeps two runs apart; each page lands in one transaction (bulk upsert plus
quarantine); the cursor (this run's start) is saved in the same transaction as the last
page, so a run that dies midway is simply repeated from the old cursor.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from aiq.http import HttpClient
from ecommerce.choices import MenuSyncMode, MenuSyncStatus, MenuSyncTrigger, VerificationState
from ecommerce.cova_client import provider_for
from ecommerce.menu import assumptions, lease
from ecommerce.menu.mapping import product_from
from ecommerce.menu.writer import Failure, quarantine, write_products
from ecommerce.models import CovaEcommerceSettings, MenuSyncRun
from integrations.providers.errors import ProviderError

logger = logging.getLogger("aiq.ecommerce")

TRANSIENT_RETRY_DELAY = timedelta(minutes=2)


class _Page:
    """Maps one page and lands it (products, quarantine, run counts) in one transaction."""

    def __init__(self, settings: CovaEcommerceSettings, run: MenuSyncRun) -> None:
        self.settings = settings
        self.run = run
        self.mappings = {
            mapping.cova_classification.strip().lower(): mapping.menu_category
            for mapping in settings.category_mappings.all()
        }
        self.unsupported: Counter[str] = Counter()

    def land(self, page: list[Any]) -> None:
        good = []
        failures = []
        for raw in page:
            try:
                item = product_from(raw, self.settings.location_id)
            except ValueError as error:
                raw_id = raw.get(assumptions.PRODUCT_ID_KEY) if isinstance(raw, Mapping) else None
                failures.append(
                    Failure(str(raw_id).lower() if isinstance(raw_id, str) else "", str(error), raw)
                )
                continue
            good.append(item)
            self.unsupported.update(item.unsupported_labs)
        now = timezone.now()
        written = write_products(self.settings, good, self.mappings, now)
        set_aside = quarantine(self.settings, failures, now)
        MenuSyncRun.objects.filter(pk=self.run.pk).update(
            fetched=F("fetched") + len(page),
            written=F("written") + written,
            quarantined=F("quarantined") + set_aside,
        )


def _finish(run: MenuSyncRun, status: str, error: str = "") -> MenuSyncRun:
    run.refresh_from_db()
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    return run


def run_menu_sync(
    settings_id: int,
    trigger: str = MenuSyncTrigger.SCHEDULE,
    *,
    full: bool = False,
    sandbox_origin: str | None = None,
    http: HttpClient | None = None,
) -> MenuSyncRun | None:
    """Sync one store's menu; None when its settings are gone, disabled or unverified."""
    settings = CovaEcommerceSettings.objects.filter(pk=settings_id).first()
    if settings is None or not settings.enabled:
        return None
    if settings.verification_state != VerificationState.VERIFIED:
        return None
    started = timezone.now()
    incremental = settings.cursor_updated_as_of is not None and not full
    mode = MenuSyncMode.INCREMENTAL if incremental else MenuSyncMode.FULL
    token = lease.acquire(settings.pk)
    if token is None:
        return MenuSyncRun.objects.create(
            company_id=settings.company_id,
            settings=settings,
            mode=mode,
            trigger=trigger,
            status=MenuSyncStatus.SKIPPED,
            started_at=started,
            finished_at=started,
        )
    try:
        return _run(settings, mode, trigger, started, sandbox_origin, http)
    finally:
        lease.release(settings.pk, token)


def _run(
    settings: CovaEcommerceSettings,
    mode: str,
    trigger: str,
    started: Any,
    sandbox_origin: str | None,
    http: HttpClient | None,
) -> MenuSyncRun:
    since = (
        settings.cursor_updated_as_of - assumptions.LOOKBACK
        if mode == MenuSyncMode.INCREMENTAL and settings.cursor_updated_as_of
        else None
    )
    run = MenuSyncRun.objects.create(
        company_id=settings.company_id,
        settings=settings,
        mode=mode,
        trigger=trigger,
        started_at=started,
        updated_as_of=since,
    )
    lander = _Page(settings, run)
    try:
        client = provider_for(settings, sandbox_origin, http).client
        path = (
            client.path(
                assumptions.UPDATED_AS_OF_PATH, moment=since.strftime(assumptions.MOMENT_FORMAT)
            )
            if since is not None
            else client.path(assumptions.FULL_PATH)
        )
        location = settings.location_id
        body = {"LocationId": int(location) if location.isdigit() else location}
        body.update(assumptions.REQUEST_FLAGS)
        pending: list[Any] | None = None
        for page in client.body_pages(path, body, assumptions.PAGE_SIZE):
            if pending is not None:
                with transaction.atomic():
                    lander.land(pending)
            pending = page
        with transaction.atomic():
            lander.land(pending or [])
            _save_cursor(settings, started, lander.unsupported, full=since is None)
    except ProviderError as error:
        logger.info("menu sync of settings %s failed: %s (%s)", settings.pk, error.code, error)
        if error.stops_credential:
            CovaEcommerceSettings.objects.filter(pk=settings.pk).update(
                verification_state=VerificationState.FAILED, verification_error=error.user_message
            )
        elif not error.permanent:
            # Cova had a bad moment (5xx, timeout, 429 beyond the client's own retries):
            # try again soon rather than leave the menu stale for ten minutes.
            CovaEcommerceSettings.objects.filter(pk=settings.pk).update(
                next_sync_at=timezone.now() + TRANSIENT_RETRY_DELAY
            )
            return _finish(run, MenuSyncStatus.RETRYING, error.user_message)
        return _finish(run, MenuSyncStatus.FAILED, error.user_message)
    run.refresh_from_db()
    return _finish(run, MenuSyncStatus.PARTIAL if run.quarantined else MenuSyncStatus.OK)


def _save_cursor(
    settings: CovaEcommerceSettings, started: Any, unsupported: Counter[str], *, full: bool
) -> None:
    # A full sync saw every product: its list replaces the old one. An incremental one saw
    # only the changed products: their names join the list.
    names = dict(unsupported) if full else {**(settings.unsupported_lab_names or {}), **unsupported}
    CovaEcommerceSettings.objects.filter(pk=settings.pk).update(
        cursor_updated_as_of=started, unsupported_lab_names=names
    )
