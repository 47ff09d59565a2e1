"""Finding and locking loyalty accounts.

Every writer locks the account rows it touches (``SELECT ... FOR UPDATE``) for the whole
transaction, two accounts always in ascending id order so two writers never wait on each
other in a circle. The lock is what makes "read the lots, decide, write" safe: a second
writer waits, then reads what the first one committed.
"""

from __future__ import annotations

from collections.abc import Collection
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from aiq.personas.models import Persona
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.choices import SETTLEMENT_KINDS, EntryKind
from loyalty.ledger.ids import ids_in
from loyalty.ledger.models import LedgerEntry, LoyaltyAccount


def account_of(persona: Persona | int, company_id: int | None = None) -> LoyaltyAccount:
    """The persona's account, created (with a zero balance) the first time it is needed."""
    persona_id = persona if isinstance(persona, int) else persona.pk
    if company_id is None:
        company_id = (
            persona.company_id
            if isinstance(persona, Persona)
            else Persona.objects.values_list("company_id", flat=True).get(pk=persona_id)
        )
    account, _created = LoyaltyAccount.objects.get_or_create(
        persona_id=persona_id, defaults={"company_id": company_id}
    )
    return account


def lock(*accounts: LoyaltyAccount) -> list[LoyaltyAccount]:
    """Lock the accounts in ascending id order; return them fresh, in the order given."""
    locked = {
        pk: LoyaltyAccount.objects.select_for_update().get(pk=pk)
        for pk in sorted({account.pk for account in accounts})
    }
    return [locked[account.pk] for account in accounts]


def lock_persona_account(persona: Persona) -> LoyaltyAccount:
    """The persona's account, created if needed, locked until the transaction ends."""
    return lock(account_of(persona))[0]


def holder_of(account: LoyaltyAccount) -> LoyaltyAccount:
    """The account that answers for ``account``'s points today.

    An attached account answers for itself. A merged account's points live with the
    merge's survivor; a later merge of that survivor moves the merge row on to the new
    survivor, so one hop always lands on a live persona.
    """
    if account.persona_id is not None:
        return account
    merge = account.merged_into
    assert merge is not None  # the attached-or-merged CHECK guarantees it
    return account_of(merge.survivor_id, merge.company_id)


def open_holds_total(accounts: list[int]) -> Decimal:
    """Points held by the still-open holds written on these accounts."""
    total = (
        LedgerEntry.objects.filter(account_id__in=accounts, kind=EntryKind.HOLD)
        .exclude(reversed_by__kind__in=SETTLEMENT_KINDS)
        .aggregate(total=Sum("points"))["total"]
    )
    return -(total or ZERO)


def accounts_answered_for(account: LoyaltyAccount) -> list[int]:
    """``account`` and the merged accounts whose points it holds (their holds included)."""
    merged = LoyaltyAccount.objects.filter(
        persona__isnull=True, merged_into__survivor_id=account.persona_id
    ).values_list("pk", flat=True)
    return [account.pk, *merged]


class LockedAccount(NamedTuple):
    """An account locked by ``lock_accounts``: its keys, not a model instance (a sync
    batch locks thousands; writers move balances in SQL, see ``post_awards``)."""

    pk: int
    company_id: int
    persona_id: int


def lock_accounts(company_id: int, persona_ids: Collection[int]) -> dict[int, LockedAccount]:
    """The accounts of these personas, created when missing, locked in ascending id order;
    by persona id. The existing ones are locked in one statement (the usual case: no
    batch waits on another in a circle); the missing ones are created, then locked."""
    if not persona_ids:
        return {}
    locked = _lock_of(persona_ids)
    missing = set(persona_ids) - locked.keys()
    if missing:
        _create_accounts(company_id, sorted(missing))
        locked.update(_lock_of(missing))
    return locked


def _create_accounts(company_id: int, persona_ids: list[int]) -> None:
    """Zero-balance accounts for these personas; one that a racing first award created
    is left alone (its writer's lock is then waited for)."""
    if connection.vendor != "postgresql":
        LoyaltyAccount.objects.bulk_create(
            [LoyaltyAccount(company_id=company_id, persona_id=pk) for pk in persona_ids],
            ignore_conflicts=True,
        )
        return
    # One INSERT ... SELECT of an id array: ``bulk_create`` builds and prepares a model
    # per account, which costs more than the insert for a sync batch of new members.
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO loyalty_loyaltyaccount "
            "(company_id, persona_id, balance, on_hold, created_at, updated_at) "
            "SELECT %s, persona_id, 0, 0, %s, %s "
            "FROM unnest(%s::bigint[]) AS persona_id ORDER BY persona_id "
            "ON CONFLICT DO NOTHING",
            [company_id, now, now, "{" + ",".join(map(str, persona_ids)) + "}"],
        )


def _lock_of(persona_ids: Collection[int]) -> dict[int, LockedAccount]:
    return {
        persona_id: LockedAccount(pk, company_id, persona_id)
        for pk, company_id, persona_id in LoyaltyAccount.objects.select_for_update()
        .filter(ids_in("persona_id", persona_ids))
        .order_by("pk")
        .values_list("pk", "company_id", "persona_id")
    }
