"""Persisted sandbox records, and listings that merge them over generated records.

A listing is the generated records selected by an index range (or by a scan when a
filter cannot be computed from the index), followed by the persisted records that match
and are not already in that selection. An override of a generated record replaces its
content in place; a record deleted through the API is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from integrations.sandbox.models import SandboxRecord
from integrations.sandbox.options import SandboxAccount

Payload = dict[str, Any]
DELETED = "_sandbox_deleted"


def load(account: SandboxAccount, kind: str) -> list[SandboxRecord]:
    """Every persisted record of one kind for an account, oldest first."""
    return list(
        SandboxRecord.objects.filter(
            provider=account.provider, account=account.key, kind=kind
        ).order_by("created_at", "pk")
    )


def find(account: SandboxAccount, kind: str, external_id: str) -> SandboxRecord | None:
    return SandboxRecord.objects.filter(
        provider=account.provider, account=account.key, kind=kind, external_id=external_id
    ).first()


def save(
    account: SandboxAccount,
    kind: str,
    external_id: str,
    payload: Payload,
    generated_index: int | None = None,
) -> SandboxRecord:
    """Create or replace the persisted record with this external id."""
    with transaction.atomic():
        record, _created = SandboxRecord.objects.update_or_create(
            provider=account.provider,
            account=account.key,
            kind=kind,
            external_id=external_id,
            defaults={"payload": payload, "generated_index": generated_index},
        )
    return record


def is_deleted(payload: Payload | None) -> bool:
    return bool(payload and payload.get(DELETED))


@dataclass
class Listing:
    """An ordered, pageable view of generated plus persisted records."""

    generated: Sequence[int]
    render: Callable[[int], Payload]
    overrides: dict[int, Payload] = field(default_factory=dict)
    tail: list[Payload] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.generated) + len(self.tail)

    def page(self, offset: int, limit: int) -> list[tuple[int | None, Payload]]:
        """Records at positions [offset, offset + limit): (generated index or None, payload)."""
        offset = max(0, offset)
        end = offset + max(0, limit)
        generated_count = len(self.generated)
        result: list[tuple[int | None, Payload]] = []
        for position in range(offset, min(end, generated_count)):
            index = self.generated[position]
            override = self.overrides.get(index)
            result.append((index, override if override is not None else self.render(index)))
        if end > generated_count:
            start = max(0, offset - generated_count)
            result.extend((None, payload) for payload in self.tail[start : end - generated_count])
        return result

    def all(self) -> list[tuple[int | None, Payload]]:
        return self.page(0, len(self))


def listing(
    account: SandboxAccount,
    kind: str,
    render: Callable[[int], Payload],
    indices: Sequence[int],
    *,
    predicate: Callable[[Payload], bool] | None = None,
    scan: bool = False,
) -> Listing:
    """Generated ``indices`` (filtered by ``predicate`` when ``scan``) plus persisted ones.

    Without ``scan`` the index selection is taken as already filtered (e.g. a time range
    computed arithmetically), and ``predicate`` only decides which persisted records that
    fall outside the selection join the tail.
    """
    rows = load(account, kind)
    overrides = {
        row.generated_index: row.payload for row in rows if row.generated_index is not None
    }
    deleted = {index for index, payload in overrides.items() if is_deleted(payload)}
    if (scan and predicate is not None) or deleted:

        def keep(index: int) -> bool:
            if index in deleted:
                return False
            if not scan or predicate is None:
                return True
            override = overrides.get(index)
            return predicate(override if override is not None else render(index))

        indices = [index for index in indices if keep(index)]
    members = set(indices) if isinstance(indices, list) else indices
    tail = [
        row.payload
        for row in rows
        if not is_deleted(row.payload)
        and (row.generated_index is None or row.generated_index not in members)
        and (predicate is None or predicate(row.payload))
    ]
    return Listing(generated=indices, render=render, overrides=overrides, tail=tail)
