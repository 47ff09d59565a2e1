"""The ledger's tables: one account per persona, append-only entries, lots, allocations.

Invariants (``verify_ledger`` recomputes each one):

- ``account.balance`` = sum of the account's entries' points = sum of its lots' remaining;
- ``lot.remaining`` = ``lot.points`` - sum of the lot's allocations;
- every entry's points = (points of the lot it opened, if any) - sum of its allocations;
- ``account.on_hold`` = the open holds it answers for (its own, and those of accounts
  merged into it).
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.db.models import Q

from aiq.accounts.models import TenantModel
from loyalty.ledger.choices import SETTLEMENT_KINDS, EntryKind
from loyalty.ledger.errors import AppendOnlyError

POINTS = {"max_digits": 14, "decimal_places": 2}

# Entries and lots are written by the hundred thousand (earning on a sync batch), and each
# foreign key costs a look-up and a row lock on the parent at commit. Their company and
# account are therefore checked by ONE composite key, (account, company) -> the account's
# (id, company), added in SQL by migration 0009 on PostgreSQL: stronger than the two keys
# it replaces (an entry cannot name one company and another company's account) and half
# the checks; it also spares the company row thousands of FOR KEY SHARE locks that
# concurrent syncs would otherwise pile on. The model fields keep no constraint of their
# own (``db_constraint=False``) and no index of their own where another index leads with
# the column.
COMPOSITE_KEY = {"db_constraint": False, "db_index": False}


def _company(**options: Any) -> models.ForeignKey:
    return models.ForeignKey(
        "accounts.Company", on_delete=models.CASCADE, related_name="+", **options
    )


class LoyaltyAccount(TenantModel):
    """A persona's points: the cached balance and the points held for pending redemptions.

    Created lazily by the first entry. When its persona is merged into another, the
    account stays (its history is never rewritten) but is detached: ``persona`` is empty
    and ``merged_into`` names the merge; undoing the merge attaches it again.
    """

    persona = models.OneToOneField(
        "personas.Persona",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="loyalty_account",
    )
    merged_into = models.OneToOneField(
        "personas.PersonaMerge",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_loyalty_account",
        help_text="The merge that folded this account's persona into another.",
    )
    balance = models.DecimalField(default=0, **POINTS)
    on_hold = models.DecimalField(
        "points on hold", default=0, help_text="Held for redemptions not yet final.", **POINTS
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "loyalty account"
        constraints = [
            # The target of the entries' and lots' (account, company) key.
            models.UniqueConstraint(fields=["id", "company"], name="loyalty_account_id_company"),
            # The last line of defence: whatever code path runs, no overdraft.
            models.CheckConstraint(
                condition=Q(balance__gte=0), name="loyalty_balance_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(on_hold__gte=0), name="loyalty_on_hold_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(persona__isnull=False, merged_into__isnull=True)
                | Q(persona__isnull=True, merged_into__isnull=False),
                name="loyalty_account_attached_or_merged",
            ),
        ]

    def __str__(self) -> str:
        owner = self.persona_id or f"merged {self.merged_into_id}"
        return f"Loyalty account {self.pk} (persona {owner}): {self.balance} points"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk updates and deletes are refused; the database triggers refuse raw SQL too."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are never updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnlyModel(models.Model):
    """A row written once: save() inserts only, delete() refuses."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError(
                f"{type(self).__name__} {self.pk} is history; write a correcting entry instead."
            )
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(f"{type(self).__name__} {self.pk} is history; it is never deleted.")


class LedgerEntry(AppendOnlyModel, TenantModel):
    """One change to an account's points, with what caused it. Never updated or deleted.

    ``points`` is signed: awards positive, debits negative. ``reverses`` links a reversal
    to the entry it reverses, a release to its hold, and a commit (a zero-point redeem)
    to the hold it makes final.
    """

    # Indexed by the (company, idempotency key) and (account, time) indexes they lead.
    company = _company(**COMPOSITE_KEY)
    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.PROTECT, related_name="entries", **COMPOSITE_KEY
    )
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    points = models.DecimalField(**POINTS)
    occurred_at = models.DateTimeField(help_text="When it happened in the business.")
    created_at = models.DateTimeField(auto_now_add=True)
    # What caused it: a sale, a staff member, an API key, a scheduled task.
    sale = models.ForeignKey(
        "personas.Sale", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The three below are empty on most entries: partial indexes (Meta) skip the NULLs
    # that a plain index would store for every earn entry.
    # PROTECT, not SET_NULL: nulling the column would be an UPDATE of history, which the
    # trigger refuses. Staff with ledger history are deactivated, never deleted.
    staff_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="staff member",
        db_index=False,
    )
    api_key_label = models.CharField("API key", max_length=100, blank=True)
    task = models.CharField(max_length=100, blank=True, help_text='E.g. "expire_points".')
    reason = models.CharField(max_length=300, blank=True)
    explanation = models.TextField(blank=True, help_text="How the number was computed.")
    reverses = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_index=False,
    )
    merge = models.ForeignKey(
        "personas.PersonaMerge",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        db_index=False,
    )
    # NULL, not "", when absent: the unique constraint must ignore entries without a key.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = "points entry"
        verbose_name_plural = "points entries"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "idempotency_key"], name="loyalty_entry_idempotency_key"
            ),
            # A hold is released or committed once, whatever races.
            models.UniqueConstraint(
                fields=["reverses"],
                condition=Q(kind__in=SETTLEMENT_KINDS),
                name="loyalty_hold_settled_once",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "occurred_at"], name="loyalty_entry_account_time"),
            *(
                models.Index(
                    fields=[column], condition=Q(**{f"{column}__isnull": False}), name=name
                )
                for column, name in (
                    ("staff_user", "loyalty_entry_staff_user"),
                    ("reverses", "loyalty_entry_reverses"),
                    ("merge", "loyalty_entry_merge"),
                )
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.points:+}"


class Lot(TenantModel):
    """Points opened by one award, with their own expiry; ``remaining`` is what is left.

    A lot carried over by a merge names the lot it came from (``source_lot``), so undoing
    the merge moves back exactly what remains of it.
    """

    # Every look-up of a persona's lots asks for the open ones (the FIFO index).
    company = _company(**COMPOSITE_KEY)
    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.PROTECT, related_name="lots", **COMPOSITE_KEY
    )
    # No database foreign key here, on purpose: its check at every earning batch's commit
    # (a lookup and a KEY SHARE lock on the entry just written, per lot) was a third of
    # the batch's database time. What it guarded is kept otherwise: entries are never
    # deleted (a trigger refuses it), the one writer (``postings``) opens a lot in the
    # transaction of its entry, and ``verify_ledger`` reports any lot whose award is not
    # an entry of the lot's own account, which the key alone never checked.
    award = models.OneToOneField(
        LedgerEntry, on_delete=models.PROTECT, related_name="lot", db_constraint=False
    )
    points = models.DecimalField(**POINTS)
    remaining = models.DecimalField(**POINTS)
    earned_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    source_lot = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="carried_to",
        db_index=False,  # empty but after a merge: the partial index below
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="loyalty_lot_points_positive"),
            models.CheckConstraint(
                condition=Q(remaining__gte=0, remaining__lte=models.F("points")),
                name="loyalty_lot_remaining_in_range",
            ),
        ]
        indexes = [
            # The FIFO debit order over open lots only (an ascending index already puts
            # NULLs last on PostgreSQL; SQLite cannot declare NULLS LAST in an index).
            models.Index(
                fields=["account", "expires_at", "earned_at", "id"],
                condition=Q(remaining__gt=0),
                name="loyalty_lot_open_fifo",
            ),
            models.Index(
                fields=["expires_at"], condition=Q(remaining__gt=0), name="loyalty_lot_open_expiry"
            ),
            models.Index(
                fields=["source_lot"],
                condition=Q(source_lot__isnull=False),
                name="loyalty_lot_source_lot",
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.pk}: {self.remaining} of {self.points}"


class Allocation(AppendOnlyModel):
    """How much of one lot one entry consumed (positive) or restored (negative)."""

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="allocations")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="allocations")
    points = models.DecimalField(**POINTS)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(points=0), name="loyalty_allocation_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.points:+} of lot {self.lot_id}"
