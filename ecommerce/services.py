"""Saving a store's COVA ecommerce settings and asking for a menu sync.

Called from the admin (and the demo seed); views stay thin.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from ecommerce.choices import MenuSyncTrigger, VerificationState
from ecommerce.models import CovaEcommerceSettings

# A change to one of these points the sync at other data: start over with a full sync.
WHERE_FIELDS = ("company_id_at_cova", "location_id", "username", "client_id", "is_sandbox")


def record_verification(settings: CovaEcommerceSettings, problem: str) -> None:
    """Put Save's verdict on the (unsaved) settings."""
    if problem:
        settings.verification_state = VerificationState.FAILED
        settings.verification_error = problem
    else:
        settings.verification_state = VerificationState.VERIFIED
        settings.verification_error = ""
        settings.verified_at = timezone.now()


def prepare_for_save(settings: CovaEcommerceSettings, changed: list[str]) -> None:
    """Reset the schedule and cursor where a change calls for it (before saving)."""
    if any(name in changed for name in WHERE_FIELDS):
        settings.cursor_updated_as_of = None
    if settings.enabled and ("enabled" in changed or any(n in changed for n in WHERE_FIELDS)):
        # Due now: the dispatcher queued below (or beat within a minute) starts it.
        settings.next_sync_at = None


def queue_first_sync_if_due(settings: CovaEcommerceSettings) -> None:
    """After commit, let the dispatcher claim a store that is due (e.g. just enabled)."""
    if settings.enabled and settings.verification_state == VerificationState.VERIFIED:
        from ecommerce.tasks import dispatch_menu_syncs

        transaction.on_commit(dispatch_menu_syncs.delay)


def queue_manual_sync(settings_ids: list[int]) -> int:
    """The Sync button: queue a run for each enabled, verified store; how many queued."""
    from ecommerce.tasks import sync_menu

    ready = list(
        CovaEcommerceSettings.objects.filter(
            pk__in=settings_ids, enabled=True, verification_state=VerificationState.VERIFIED
        ).values_list("pk", flat=True)
    )
    for pk in ready:
        transaction.on_commit(lambda pk=pk: sync_menu.delay(pk, MenuSyncTrigger.MANUAL))
    return len(ready)
