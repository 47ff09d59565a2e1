"""The one place that writes ledger rows: an entry, its allocations, its lot, the balance.

New values are computed in Python from rows read under the account lock and written as
values, not as ``F()`` arithmetic: the lock already serialises writers, and SQLite keeps
decimals as binary floats, where ``0.3 - 0.2 - 0.1`` in SQL would leave a lot at -2.8e-17
and trip its CHECK.

Services decide *what* to write (which lots, how much) under the account lock and hand it
to ``post``, which writes it all and keeps the invariants: the entry's points equal the
points of the lot it opens minus what it allocates, each lot's ``remaining`` moves by
exactly its allocations, and the account's balance moves by exactly the entry's points.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple, NoReturn, ParamSpec, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from aiq.raw_rows import RowShape, hot_cursor
from loyalty.ledger import copy_text, one_statement
from loyalty.ledger.accounts import LockedAccount
from loyalty.ledger.amounts import ZERO
from loyalty.ledger.choices import ACTIVITY_KINDS
from loyalty.ledger.errors import IdempotencyKeyReused, InsufficientPoints, LedgerError
from loyalty.ledger.models import Allocation, LedgerEntry, Lot, LoyaltyAccount

P = ParamSpec("P")
R = TypeVar("R")

# Debit order: soonest expiry first, never-expiring last, then oldest, then by id
# (``fifo_lots`` says the same in SQL; tests/ops/test_raw_rows.py compares them).
FIFO = (F("expires_at").asc(nulls_last=True), "earned_at", "id")


class Cause(NamedTuple):
    """Who or what caused an entry, and in whose words. Immutable; a tuple because
    earning makes one per sale (a frozen dataclass sets each field through
    ``object.__setattr__``: more than twice the cost)."""

    occurred_at: datetime
    sale: Any = None
    staff_user: Any = None
    api_key_label: str = ""
    task: str = ""
    reason: str = ""
    explanation: str = ""


def make_cause(
    occurred_at: datetime | None = None,
    *,
    sale: Any = None,
    staff_user: Any = None,
    api_key_label: str = "",
    task: str = "",
    reason: str = "",
    explanation: str = "",
) -> Cause:
    return Cause(
        occurred_at=occurred_at or timezone.now(),
        sale=sale,
        staff_user=staff_user if getattr(staff_user, "pk", None) else None,
        api_key_label=api_key_label,
        task=task,
        reason=reason,
        explanation=explanation,
    )


@dataclass(frozen=True)
class NewLot:
    """The lot an award opens."""

    points: Decimal
    earned_at: datetime
    expires_at: datetime | None
    source_lot: Lot | None = None


class Replay(Exception):
    """The idempotency key was already used for this very request: return its entry."""

    def __init__(self, entry: LedgerEntry) -> None:
        self.entry = entry
        super().__init__(entry.pk)


def replayable(service: Callable[P, LedgerEntry]) -> Callable[P, LedgerEntry]:
    """Run ``service``; a replayed idempotency key returns the entry written the first time."""

    @functools.wraps(service)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> LedgerEntry:
        try:
            return service(*args, **kwargs)
        except Replay as replay:
            return replay.entry

    return wrapper


def check_replay(company_id: int, key: str | None, expected: dict[str, Any]) -> None:
    """Raise ``Replay`` when ``key`` was used for the same request, refuse a different one.

    This look-up is only the fast path of a retry: the unique constraint on
    (company, idempotency_key) decides, in ``post``, when two requests race.
    """
    if not key:
        return
    existing = LedgerEntry.objects.filter(company_id=company_id, idempotency_key=key).first()
    if existing is not None:
        _compare(existing, key, expected)
        raise Replay(existing)


def _compare(existing: LedgerEntry, key: str, expected: dict[str, Any]) -> None:
    differing = [
        name
        for name, value in expected.items()
        if value is not None and getattr(existing, name) != value
    ]
    if differing:
        raise IdempotencyKeyReused(
            f"The idempotency key {key!r} was already used for another request "
            f"({existing.get_kind_display()} {existing.points:+}, entry {existing.pk}); "
            f"this one differs in {', '.join(differing)}."
        )


def fifo_lots(account: LoyaltyAccount) -> list[Lot]:
    """The account's open lots in debit order (``FIFO``).

    Every debit reads them, a POS redemption included: written once as SQL and prepared
    per connection (``aiq/raw_rows.py``), since planning the ORM's query took three times
    as long as running it on the open-lots index."""
    query = _fifo_query()
    with hot_cursor() as cursor:
        cursor.execute(query.sql, [account.pk])
        return [query.shape.build(row) for row in cursor.fetchall()]  # type: ignore[misc]


def fifo_order_sql(alias: str) -> str:
    """``FIFO`` as an SQL ORDER BY list over the lots aliased ``alias``."""
    return f"{alias}.expires_at ASC NULLS LAST, {alias}.earned_at ASC, {alias}.id ASC"


class _FifoQuery:
    def __init__(self) -> None:
        self.shape = RowShape(Lot, "lot")
        self.sql = (
            f"SELECT {self.shape.sql} FROM {Lot._meta.db_table} lot"  # noqa: S608
            " WHERE lot.account_id = %s AND lot.remaining > 0"
            f" ORDER BY {fifo_order_sql('lot')}"
        )


@functools.cache
def _fifo_query() -> _FifoQuery:
    return _FifoQuery()


def take(lots: Iterable[Lot], amount: Decimal, *, balance: Decimal) -> list[tuple[Lot, Decimal]]:
    """Consume ``amount`` from ``lots`` in the order given; refuse when they fall short."""
    plan: list[tuple[Lot, Decimal]] = []
    left = amount
    for lot in lots:
        if left <= 0:
            break
        portion = min(lot.remaining, left)
        if portion > 0:
            plan.append((lot, portion))
            left -= portion
    if left > 0:
        raise InsufficientPoints(balance, amount)
    return plan


def post(
    account: LoyaltyAccount,
    kind: str,
    points: Decimal,
    cause: Cause,
    *,
    allocations: Sequence[tuple[Lot, Decimal]] = (),
    opens: NewLot | None = None,
    reverses: LedgerEntry | None = None,
    merge: Any = None,
    idempotency_key: str | None = None,
    expected: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Write one entry and everything it moves; the caller holds the account's lock."""
    allocated = sum((portion for _lot, portion in allocations), ZERO)
    if points != (opens.points if opens else ZERO) - allocated:
        raise LedgerError(f"Entry of {points} does not match its lots (allocated {allocated}).")
    entry = LedgerEntry(
        company_id=account.company_id,
        account=account,
        kind=kind,
        points=points,
        occurred_at=cause.occurred_at,
        sale=cause.sale,
        staff_user=cause.staff_user,
        api_key_label=cause.api_key_label,
        task=cause.task,
        reason=cause.reason,
        explanation=cause.explanation,
        reverses=reverses,
        merge=merge,
        idempotency_key=idempotency_key or None,
    )
    # New values, applied to the instances in memory only once they are written (a
    # refused entry leaves the caller's account and lots as they were).
    changes: dict[str, Any] = {"balance": account.balance + points, "updated_at": timezone.now()}
    if kind in ACTIVITY_KINDS and (
        account.last_activity_at is None or cause.occurred_at > account.last_activity_at
    ):
        changes["last_activity_at"] = cause.occurred_at
    moves = [
        one_statement.LotMove(lot.pk, portion, lot.remaining - portion)
        for lot, portion in allocations
    ]
    if connection.vendor == "postgresql":
        _write_in_one_statement(entry, account, moves, opens, changes, expected)
    else:
        _write_through_the_orm(entry, account, moves, opens, changes, expected)
    for (lot, _portion), move in zip(allocations, moves, strict=True):
        lot.remaining = move.remaining
    for name, value in changes.items():
        setattr(account, name, value)
    return entry


def _write_in_one_statement(
    entry: LedgerEntry,
    account: LoyaltyAccount,
    moves: Sequence[one_statement.LotMove],
    opens: NewLot | None,
    changes: dict[str, Any],
    expected: dict[str, Any] | None,
) -> None:
    entry.created_at = changes["updated_at"]
    opened = None
    if opens is not None:
        source = opens.source_lot.pk if opens.source_lot is not None else None
        opened = one_statement.OpenedLot(opens.points, opens.earned_at, opens.expires_at, source)
    pk = one_statement.write(
        entry, moves=moves, opens=opened, account=account, account_changes=changes
    )
    if pk is None:
        _refused(entry, expected)
    entry.pk = pk
    entry._state.adding = False
    entry._state.db = connection.alias


def _write_through_the_orm(
    entry: LedgerEntry,
    account: LoyaltyAccount,
    moves: Sequence[one_statement.LotMove],
    opens: NewLot | None,
    changes: dict[str, Any],
    expected: dict[str, Any] | None,
) -> None:
    if entry.idempotency_key:
        # The unique constraint arbitrates a race between two requests with one key.
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            _refused(entry, expected)
    else:
        entry.save()
    if moves:
        Allocation.objects.bulk_create(
            Allocation(entry=entry, lot_id=move.lot_id, points=move.portion) for move in moves
        )
        for move in moves:
            Lot.objects.filter(pk=move.lot_id).update(remaining=move.remaining)
    if opens is not None:
        Lot.objects.create(
            company_id=account.company_id,
            account=account,
            award=entry,
            points=opens.points,
            remaining=opens.points,
            earned_at=opens.earned_at,
            expires_at=opens.expires_at,
            source_lot=opens.source_lot,
        )
    LoyaltyAccount.objects.filter(pk=account.pk).update(**changes)


def _refused(entry: LedgerEntry, expected: dict[str, Any] | None) -> NoReturn:
    """A unique key refused ``entry``: the same request already written (``Replay``),
    another request on its idempotency key (``IdempotencyKeyReused``), or a second
    settlement of one entry (``IntegrityError``)."""
    key = entry.idempotency_key
    existing = (
        LedgerEntry.objects.filter(company_id=entry.company_id, idempotency_key=key).first()
        if key
        else None
    )
    if existing is None:
        raise IntegrityError(
            f"{entry.get_kind_display()} entry refused by a unique key: "
            f"entry {entry.reverses_id} is already settled."
        )
    _compare(existing, key, expected or {})
    raise Replay(existing)


def move_on_hold(account: LoyaltyAccount, delta: Decimal) -> None:
    """Change the points the account shows on hold (the CHECK refuses a negative total)."""
    if delta:
        account.on_hold += delta
        LoyaltyAccount.objects.filter(pk=account.pk).update(
            on_hold=account.on_hold, updated_at=timezone.now()
        )


class BulkAward(NamedTuple):
    """One award of a batch: an entry that opens its own lot (see ``post_awards``).
    Immutable; a tuple because earning makes one per sale (see ``Cause``)."""

    account: LoyaltyAccount | LockedAccount  # its pk and company_id are what is read
    kind: str
    points: Decimal
    cause: Cause
    expires_at: datetime | None
    idempotency_key: str | None = None


def post_awards(awards: Sequence[BulkAward]) -> list[int]:
    """Write many awards at once: their entries, one lot each, and every balance it moves.

    The set-based twin of ``post`` for the sync path (earning on a batch of sales). The
    caller holds the lock of every account involved (``lock_accounts``) and has checked
    the idempotency keys under it; the unique constraint still refuses a duplicate key,
    failing the whole batch rather than earning twice. Each award opens a lot of exactly
    its points, so every invariant of ``post`` holds by construction: entry = lot, and
    each balance moves by the sum of its entries.
    """
    if not awards:
        return []
    now = timezone.now()
    for award in awards:
        if award.points <= 0:
            raise LedgerError(f"An award of {award.points} points opens no lot.")
        if award.expires_at is not None and award.expires_at <= award.cause.occurred_at:
            raise LedgerError("Points cannot expire before they are earned.")
    if connection.vendor == "postgresql":
        entry_ids, moments = _copy_awards(awards, now)
        _update_balances(awards, moments, now)
    else:
        entry_ids = _create_awards(awards, now)
        _move_balances(awards, now)
    return entry_ids


def _entry_values(award: BulkAward) -> dict[str, Any]:
    cause = award.cause
    return {
        "company_id": award.account.company_id,
        "account_id": award.account.pk,
        "kind": award.kind,
        "points": award.points,
        "occurred_at": cause.occurred_at,
        # A sale id will do: the sync path has ids, not Sale instances.
        "sale_id": getattr(cause.sale, "pk", cause.sale),
        "staff_user_id": getattr(cause.staff_user, "pk", None),
        "api_key_label": cause.api_key_label,
        "task": cause.task,
        "reason": cause.reason,
        "explanation": cause.explanation,
        "idempotency_key": award.idempotency_key or None,
    }


def _create_awards(awards: Sequence[BulkAward], now: datetime) -> list[int]:
    entries = [LedgerEntry(created_at=now, **_entry_values(award)) for award in awards]
    LedgerEntry.objects.bulk_create(entries)
    Lot.objects.bulk_create(
        Lot(
            company_id=award.account.company_id,
            account_id=award.account.pk,
            award_id=entry.pk,
            points=award.points,
            remaining=award.points,
            earned_at=award.cause.occurred_at,
            expires_at=award.expires_at,
        )
        for award, entry in zip(awards, entries, strict=True)
    )
    return [entry.pk for entry in entries]


ENTRY_COLUMNS = one_statement.ENTRY_COLUMNS
LOT_COLUMNS = ("id", "company_id", "account_id", "award_id", "points", "remaining", "earned_at")


def _copy_awards(awards: Sequence[BulkAward], now: datetime) -> tuple[list[int], list[str]]:
    """PostgreSQL: ids drawn from the tables' sequences, then COPY of entries and lots.
    Building model instances costs more than the database's whole insert; COPY enforces
    the same constraints (the unique idempotency key, the lot CHECKs, the foreign keys).
    Returns the entry ids and each award's ``occurred_at`` as written (the balances'
    UPDATE says the last activity with the same text: an aware datetime's ``isoformat``
    takes about 2 µs, once per account and batch saved).

    Each row is written as one f-string, in the columns' order (``ENTRY_COLUMNS``,
    ``LOT_COLUMNS``): a tuple of escaped columns joined afterwards cost more Python time
    than PostgreSQL spends storing the rows."""
    created = copy_text.moment(now)
    text, number, moment = copy_text.text, copy_text.number, copy_text.moment
    entries: list[str] = []
    lots: list[str] = []
    moments: list[str] = []
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg's own cursor, for COPY
        ids = _next_ids(cursor, LedgerEntry._meta.db_table, Lot._meta.db_table, len(awards))
        for (entry_id, lot_id), (account, kind, points, cause, expires_at, key) in zip(
            ids, awards, strict=True
        ):
            head = f"{account.company_id}\t{account.pk}"
            occurred = moment(cause.occurred_at)
            moments.append(occurred)
            # A sale id will do: the sync path has ids, not Sale instances.
            sale = getattr(cause.sale, "pk", cause.sale)
            staff_user = getattr(cause.staff_user, "pk", None)
            entries.append(
                f"{entry_id}\t{created}\t{head}\t{text(kind)}\t{points}\t{occurred}\t"
                f"{number(sale)}\t{number(staff_user)}\t{text(cause.api_key_label)}\t"
                f"{text(cause.task)}\t{text(cause.reason)}\t{text(cause.explanation)}\t"
                f"{text(key or None)}\n"
            )
            lots.append(
                f"{lot_id}\t{head}\t{entry_id}\t{points}\t{points}\t{occurred}\t"
                f"{moment(expires_at)}\n"
            )
        with cursor.copy(
            f"COPY {LedgerEntry._meta.db_table} (id, created_at, {', '.join(ENTRY_COLUMNS)}) "
            "FROM STDIN"
        ) as copy:
            copy.write("".join(entries))
        with cursor.copy(
            f"COPY {Lot._meta.db_table} ({', '.join(LOT_COLUMNS)}, expires_at) FROM STDIN"
        ) as copy:
            copy.write("".join(lots))
    return [entry_id for entry_id, _lot_id in ids], moments


def _next_ids(cursor: Any, entries: str, lots: str, count: int) -> list[tuple[int, int]]:
    """``count`` (entry id, lot id) pairs, both sequences in one round trip."""
    # The sequences looked up once (MATERIALIZED): pg_get_serial_sequence() in the
    # select list ran per row, 40 ms of a 2,000-award batch against 5 ms for the draws.
    cursor.execute(
        "WITH sequence AS MATERIALIZED ("
        "SELECT pg_get_serial_sequence(%s, 'id')::regclass AS entries, "
        "pg_get_serial_sequence(%s, 'id')::regclass AS lots) "
        "SELECT nextval(sequence.entries), nextval(sequence.lots) "
        "FROM sequence, generate_series(1, %s)",
        [entries, lots, count],
    )
    return cursor.fetchall()


def _update_balances(awards: Sequence[BulkAward], moments: list[str], now: datetime) -> None:
    """PostgreSQL: each account's balance (and last activity) in one UPDATE. The caller
    holds the locks, so adding in SQL is exact: numeric arithmetic is decimal there.
    ``moments``: each award's ``occurred_at`` as ``_copy_awards`` wrote it."""
    # Per account: points, its last activity and that moment's text.
    moves: dict[int, list[Any]] = {}
    activity_kinds = ACTIVITY_KINDS
    for (account, kind, points, cause, _expires_at, _key), said in zip(
        awards, moments, strict=True
    ):
        occurred_at = cause.occurred_at if kind in activity_kinds else None
        move = moves.get(account.pk)
        if move is None:
            moves[account.pk] = [ZERO + points, occurred_at, said]  # as _move_balances
            continue
        move[0] += points
        if occurred_at is not None and (move[1] is None or occurred_at > move[1]):
            move[1], move[2] = occurred_at, said
    # One UPDATE ... FROM unnest(): Django's bulk_update builds a CASE per row, which
    # costs more in Python than the whole batch's inserts. greatest() skips NULLs.
    ids = _array(map(str, moves))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE loyalty_loyaltyaccount AS account "
            "SET balance = account.balance + new.points, "
            "last_activity_at = greatest(account.last_activity_at, new.last_activity_at), "
            "updated_at = %s "
            "FROM unnest(%s::bigint[], %s::numeric[], %s::timestamptz[]) "
            "AS new (id, points, last_activity_at) WHERE account.id = new.id "
            # The ids again, as a condition on the accounts: the planner then reads
            # them by primary key rather than hashing the whole table.
            "AND account.id = ANY(%s::bigint[])",
            # Array literals written here: psycopg adapting each element of three
            # 2,000-element lists costs more than the UPDATE itself.
            [
                now,
                ids,
                _array(str(points) for points, _last, _said in moves.values()),
                _array(
                    f'"{said}"' if last is not None else "NULL"
                    for _points, last, said in moves.values()
                ),
                ids,
            ],
        )


def _move_balances(awards: Sequence[BulkAward], now: datetime) -> None:
    """Elsewhere (SQLite keeps decimals as binary floats): each account's new balance and
    last activity computed here from its row, written by ``bulk_update``."""
    moves: dict[int, list[Any]] = {}
    for award in awards:
        move = moves.setdefault(award.account.pk, [ZERO, None])
        move[0] += award.points
        occurred_at = award.cause.occurred_at
        if award.kind in ACTIVITY_KINDS and (move[1] is None or occurred_at > move[1]):
            move[1] = occurred_at
    accounts = list(LoyaltyAccount.objects.filter(pk__in=list(moves)))
    for account in accounts:
        points, last = moves[account.pk]
        account.balance += points
        if last is not None and (
            account.last_activity_at is None or last > account.last_activity_at
        ):
            account.last_activity_at = last
        account.updated_at = now
    LoyaltyAccount.objects.bulk_update(
        accounts, ["balance", "last_activity_at", "updated_at"], batch_size=500
    )


def _array(items: Iterable[str]) -> str:
    """A PostgreSQL array literal of already-quoted elements."""
    return "{" + ",".join(items) + "}"
