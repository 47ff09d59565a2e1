"""Redeem (PUT), hold (POST) and release (DELETE) a wallet discount, once per request key.

Each call runs in one transaction that first locks the shopper's account row, then reads
the ``Redemption`` of its request key (with the discount's uses and the open lots, in one
statement: ``reads.read_under_lock``): concurrent calls for one shopper queue on the lock,
so a retry finds what the first call committed and replays its answer, and fifty
redemptions on one balance are judged one after the other against the balance each left.
The unique (company, request key) constraint covers the one race the lock cannot: one
transaction id sent for two different shoppers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from aiq.personas.models import Persona
from loyalty.api import assumptions
from loyalty.api.keys import key_program
from loyalty.api.models import ApiKey
from loyalty.api.redemption import refusals
from loyalty.api.redemption.choices import RedemptionStatus
from loyalty.api.redemption.models import Redemption
from loyalty.api.redemption.pos import deducts_on_apply
from loyalty.api.redemption.reads import (
    UnderLock,
    lock_account_row,
    read_under_lock,
    redemption_of,
)
from loyalty.api.redemption.releasing import release_locked
from loyalty.api.redemption.writes import save_redemption_with_use
from loyalty.api.wallet import as_number
from loyalty.discounts.models import Discount, DiscountUse
from loyalty.discounts.services import Usage, discount_option
from loyalty.ledger import holds
from loyalty.ledger.accounts import lock_persona_account
from loyalty.ledger.amounts import positive_points
from loyalty.ledger.choices import EntryKind
from loyalty.ledger.debits import debit_account
from loyalty.ledger.errors import IdempotencyKeyReused, InsufficientPoints, LedgerError
from loyalty.ledger.models import LoyaltyAccount
from loyalty.ledger.postings import make_cause, replayable
from loyalty.program.models import LoyaltyProgram
from stores.models import RetailStore

OK = 200


@dataclass(frozen=True)
class Caller:
    """Who redeems: a POS through its API key, or staff at the queue's counter (no key:
    the budtender is named on the ledger instead)."""

    company_id: int
    store: RetailStore | None  # a store-scoped key's store, or the counter's
    label: str  # the ledger's "API key" column: the key's name, or the counter's
    api_key: ApiKey | None = None
    staff_user: Any = None

    @classmethod
    def api(cls, key: ApiKey) -> Caller:
        return cls(key.company_id, key.store, key.name, api_key=key)

    @classmethod
    def counter(cls, store: RetailStore, staff_user: Any) -> Caller:
        user = staff_user if getattr(staff_user, "pk", None) else None
        return cls(store.company_id, store, f"Queue counter at {store.name}"[:100], None, user)


@dataclass(frozen=True)
class RedemptionRequest:
    """One call on a redemption URL (its token already read), or the counter's."""

    caller: Caller
    persona: Persona
    discount: Discount
    at: datetime
    transaction_id: str = ""
    idempotency_key: str = ""
    # Staff redeeming for the shopper (the queue's counter): staff-only discounts allowed.
    staff: bool = False
    # Whether the company's POS deducts on apply, when the caller read it already (the
    # redemption URL reads it with the shopper); None: looked up when needed.
    deducts_on_apply: bool | None = None

    @property
    def request_key(self) -> str | None:
        # The transaction id names the order; the header only makes one call retryable.
        if self.transaction_id:
            return f"txn:{self.transaction_id}"
        if self.idempotency_key:
            return f"key:{self.idempotency_key}"
        return None

    def ledger_key(self, step: str) -> str | None:
        return f"redemption:{self.request_key}:{step}" if self.request_key else None

    @cached_property
    def program(self) -> LoyaltyProgram | None:
        """Read once per call: the rules check and the answer's numbers both need it."""
        if self.caller.api_key is not None:
            return key_program(self.caller.api_key)  # read with the key: no query
        return LoyaltyProgram.objects.filter(company_id=self.caller.company_id).first()


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any]


Step = Callable[[RedemptionRequest, LoyaltyAccount, UnderLock], Answer]


def redeem(request: RedemptionRequest) -> Answer:
    """PUT: debit the discount's points (or commit this transaction's hold)."""
    return _once(request, _redeem)


def hold(request: RedemptionRequest) -> Answer:
    """POST: set the points aside until the PUT commits them or DELETE releases them."""
    return _once(request, _hold)


def release(request: RedemptionRequest) -> Answer:
    """DELETE: give this transaction's held points back to exactly the lots they came from."""
    return _once(request, _release)


def _once(request: RedemptionRequest, step: Step) -> Answer:
    for _attempt in range(2):
        try:
            with transaction.atomic():
                account = _lock_account(request.persona)
                locked = read_under_lock(
                    request.caller.company_id,
                    request.request_key,
                    request.persona,
                    request.discount,
                    account,
                )
                if locked.redemption is not None:
                    _check_same(locked.redemption, request)
                return step(request, account, locked)
        except (IntegrityError, IdempotencyKeyReused):
            # Another shopper's call with the same key committed first (their account
            # lock is not ours): the ledger's or the redemption's unique key refused this
            # one, which is a different request on that key.
            existing = _committed(request)
            if existing is None:
                raise
            _check_same(existing, request)
        except LedgerError as refused:
            # E.g. a hold settled by another path between our read and the write: the
            # ledger wrote nothing; the POS gets its words, not a 500.
            raise refusals.RedemptionRefused(409, "points_conflict", str(refused)) from None
    raise RuntimeError("A redemption kept racing on its request key.")


def _lock_account(persona: Persona) -> LoyaltyAccount:
    # The usual case in one statement; a shopper's first redemption creates the account.
    return lock_account_row(persona) or lock_persona_account(persona)


def _committed(request: RedemptionRequest) -> Redemption | None:
    """The redemption another call committed on this request key (after a unique key
    refused ours)."""
    if request.request_key is None:
        return None
    return redemption_of(request.caller.company_id, request.request_key, lock=False)


def _check_same(existing: Redemption, request: RedemptionRequest) -> None:
    if (existing.persona_id, existing.discount_id) == (request.persona.pk, request.discount.pk):
        return
    if request.transaction_id:
        raise refusals.one_discount_per_order(request.transaction_id)
    raise refusals.idempotency_key_reused()


def _redeem(request: RedemptionRequest, account: LoyaltyAccount, locked: UnderLock) -> Answer:
    existing = locked.redemption
    if existing is not None and existing.response_body:
        return _replay(existing.response_status or OK, existing.response_body)
    if existing is not None and existing.status == RedemptionStatus.HELD:
        assert existing.hold_entry is not None
        existing.redeem_entry = holds.commit_hold(
            existing.hold_entry,
            occurred_at=request.at,
            api_key_label=request.caller.label,
            staff_user=request.caller.staff_user,
            idempotency_key=request.ledger_key("commit"),
        )
        return _finish_redeem(request, existing)
    # New, or a hold released (by DELETE or by time) before the checkout went through.
    redemption = existing or _new(request)
    _check_redeemable(request, account.balance, locked.uses)
    redemption.points = request.discount.points_cost
    # On the account locked above: the ledger's ``debit`` would find and lock it again.
    redemption.redeem_entry = _ledger(
        lambda: replayable(debit_account)(
            account,
            positive_points(redemption.points),
            EntryKind.REDEEM,
            make_cause(
                request.at,
                api_key_label=request.caller.label,
                staff_user=request.caller.staff_user,
            ),
            idempotency_key=request.ledger_key("redeem"),
            # This request's redemption row, read under the lock, has never redeemed:
            # the "redeem" key is unused (the row and the entry commit together).
            key_known_unused=True,
            open_lots=locked.open_lots,
        ),
        request.discount,
    )
    # ``post`` moved the locked account's balance in memory too: no need to read it back.
    return _finish_redeem(request, redemption, account)


def _finish_redeem(
    request: RedemptionRequest, redemption: Redemption, account: LoyaltyAccount | None = None
) -> Answer:
    use = DiscountUse(
        company_id=request.caller.company_id,
        discount=request.discount,
        persona=request.persona,
        used_at=request.at,
    )
    redemption.status = RedemptionStatus.REDEEMED
    if request.transaction_id and _deducts_on_apply(request):
        redemption.deducts_on_apply = True
        hours = settings.LOYALTY_RECONCILE_HOURS
        redemption.reconcile_by = request.at + timedelta(hours=hours)
    body = _envelope(request, "redeemed", redemption.points, account)
    redemption.response_status, redemption.response_body = OK, json.dumps(body)
    save_redemption_with_use(redemption, use)
    return Answer(OK, body)


def _deducts_on_apply(request: RedemptionRequest) -> bool:
    if request.deducts_on_apply is not None:
        return request.deducts_on_apply
    return deducts_on_apply(request.caller.company_id)


def _hold(request: RedemptionRequest, account: LoyaltyAccount, locked: UnderLock) -> Answer:
    existing = locked.redemption
    if request.request_key is None:
        raise _needs_transaction_id()
    if existing is not None:
        if existing.status == RedemptionStatus.HELD and existing.hold_response:
            return _replay(OK, existing.hold_response)
        if existing.status == RedemptionStatus.RELEASED:
            raise refusals.hold_released()
        raise refusals.already_redeemed()
    redemption = _new(request)
    _check_redeemable(request, account.balance, locked.uses)
    redemption.points = request.discount.points_cost
    redemption.hold_entry = _ledger(
        lambda: holds.hold(
            request.persona,
            redemption.points,
            occurred_at=request.at,
            api_key_label=request.caller.label,
            staff_user=request.caller.staff_user,
            idempotency_key=request.ledger_key("hold"),
        ),
        request.discount,
    )
    redemption.status = RedemptionStatus.HELD
    redemption.hold_expires_at = request.at + timedelta(minutes=settings.LOYALTY_HOLD_MINUTES)
    body = _envelope(request, "held", redemption.points)
    body["data"]["holdExpiresAt"] = redemption.hold_expires_at.isoformat()
    redemption.hold_response = json.dumps(body)
    redemption.save()
    return Answer(OK, body)


def _release(request: RedemptionRequest, account: LoyaltyAccount, locked: UnderLock) -> Answer:
    existing = locked.redemption
    if request.request_key is None:
        raise _needs_transaction_id()
    if existing is None:
        raise refusals.hold_not_found()
    if existing.status == RedemptionStatus.RELEASED and existing.release_response:
        return _replay(OK, existing.release_response)
    if existing.status == RedemptionStatus.HELD:
        release_locked(
            existing,
            occurred_at=request.at,
            reason="Released by the POS" if request.caller.api_key else "Released at the counter",
            api_key_label=request.caller.label,
            staff_user=request.caller.staff_user,
            idempotency_key=request.ledger_key("release"),
        )
    elif existing.status != RedemptionStatus.RELEASED:
        raise refusals.already_redeemed()
    # Released now, or by time before the POS asked: either way the points are back.
    body = _envelope(request, "released", existing.points)
    existing.release_response = json.dumps(body)
    existing.save()
    return Answer(OK, body)


def _replay(status: int, stored: str) -> Answer:
    # json.loads keeps the stored key order: the retry's bytes are the first answer's.
    return Answer(status, json.loads(stored))


def _new(request: RedemptionRequest) -> Redemption:
    return Redemption(
        company_id=request.caller.company_id,
        persona=request.persona,
        discount=request.discount,
        api_key=request.caller.api_key,
        transaction_id=request.transaction_id,
        request_key=request.request_key,
    )


def _check_redeemable(request: RedemptionRequest, balance: Decimal, uses: Usage | None) -> None:
    """The discounts service's rules for this shopper now; the points are judged apart
    (with the locked balance) so a short balance gets its own code. ``uses``: the
    shopper's uses of the discount, read under the lock (None: read by the rules)."""
    discount = request.discount
    if not discount.is_active:
        raise refusals.not_redeemable(discount, "it is turned off")
    # Every rule but the points: the balance is only ever compared with the cost. The
    # shopper's uses of it are read here, under the account lock, so two redemptions of
    # a single-use discount cannot both see it unused.
    option = discount_option(
        request.persona,
        discount,
        balance=max(balance, discount.points_cost),
        store=request.caller.store,
        at=request.at,
        staff=request.staff,
        program=request.program,
        uses=uses,
    )
    if option is None:
        raise refusals.not_redeemable(discount, "it is turned off")
    if option.reasons:
        raise refusals.not_redeemable(discount, option.reason)
    # A hold is not a use yet (its DiscountUse comes with the checkout), but a single-use
    # discount held for one cart cannot be held or redeemed for another meanwhile.
    if discount.single_use and _held_elsewhere(request):
        raise refusals.not_redeemable(discount, "it is on hold for another order")
    if balance < discount.points_cost:
        raise refusals.not_enough_points(balance, discount)


def _held_elsewhere(request: RedemptionRequest) -> bool:
    held = Redemption.objects.filter(
        persona=request.persona, discount=request.discount, status=RedemptionStatus.HELD
    )
    if request.request_key is not None:
        held = held.exclude(company_id=request.caller.company_id, request_key=request.request_key)
    return held.exists()


def _ledger(write: Callable[[], Any], discount: Discount) -> Any:
    try:
        return write()
    except InsufficientPoints as short:
        # Checked above under the same lock; the ledger's own refusal, just in case.
        raise refusals.not_enough_points(short.balance, discount) from None


def _envelope(
    request: RedemptionRequest,
    kind: str,
    points: Decimal,
    account: LoyaltyAccount | None = None,
) -> dict[str, Any]:
    data = assumptions.redemption_data(
        kind,
        request.discount,
        as_number(points),
        request.transaction_id,
        _numbers(request, account),
    )
    return {"success": True, "data": data}


def _numbers(request: RedemptionRequest, account: LoyaltyAccount | None) -> dict[str, Any]:
    """The shopper's available points and points on hold, as the wallet shows them:
    ``account`` when the caller holds it, locked and current; read otherwise."""
    if account is not None:
        balance, on_hold = account.balance, account.on_hold
    else:
        balance, on_hold = (
            LoyaltyAccount.objects.filter(persona=request.persona)
            .values_list("balance", "on_hold")
            .get()
        )
    program = request.program
    if program is not None and program.hide_points_in_wallet:
        return {"loyaltyPoints": 0, "pointsOnHold": 0}
    return {"loyaltyPoints": as_number(balance), "pointsOnHold": as_number(on_hold)}


def _needs_transaction_id() -> refusals.RedemptionRefused:
    return refusals.RedemptionRefused(
        400,
        "invalid_field",
        "transactionId: required to hold or release (or an Idempotency-Key header)",
    )
