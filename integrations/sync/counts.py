"""What a batch holds once prepared, and what it did, added up over a run."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from integrations.providers.errors import MalformedRecord


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    skipped: int = 0
    details: Counter[str] = field(default_factory=Counter)

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.quarantined += other.quarantined
        self.skipped += other.skipped
        self.details.update(other.details)

    def as_fields(self) -> dict[str, object]:
        """The SyncRun columns these counts fill."""
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "skipped": self.skipped,
            "details": {key: value for key, value in sorted(self.details.items()) if value},
        }


@dataclass(slots=True)
class Prepared:
    """One batch made ready for the database without touching it (so it can be done in
    the fetching thread while the previous batch is written).

    ``records`` is what the writer will write (its own shape), ``malformed`` what is
    quarantined, ``good_ids`` the external ids of every readable record (to resolve
    their quarantined versions), ``boundary_ids`` those stamped exactly at the slice's
    end, ``counts`` what preparing already decided (records skipped).
    """

    records: Any
    malformed: list[MalformedRecord] = field(default_factory=list)
    good_ids: list[str] = field(default_factory=list)
    boundary_ids: list[str] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)
