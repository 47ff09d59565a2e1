"""What earning reads once per batch: the program, the blocklist, the cards' import dates
and the stores (name and time zone, for the explanation and the store's local day)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q

from integrations.models import Integration
from loyalty.program.choices import ExpirationMode
from loyalty.program.models import BlockedPhone, LoyaltyProgram
from loyalty.program.points import PointsRule
from stores.models import RetailStore


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass
class EarningContext:
    program: LoyaltyProgram
    blocked_phones: frozenset[str]
    # "Loyalty points imported on" per source (the card of that POS).
    imported_on: dict[str, date]
    stores: dict[int, tuple[str, str]] = field(default_factory=dict)
    # Sources whose card mirrors the POS's points ("Mirror integration loyalty point
    # values?"): the POS keeps that loyalty, so its sales earn nothing here (the next
    # mirror would overwrite whatever they earned).
    mirrored: frozenset[str] = frozenset()

    def store_name(self, store_id: int | None, pos_key: str) -> str:
        if store_id in self.stores:
            return self.stores[store_id][0]
        return f"POS location {pos_key}"

    def __post_init__(self) -> None:
        # Each store's ZoneInfo looked up once, not once per sale.
        self._zones = {pk: zone(time_zone) for pk, (_name, time_zone) in self.stores.items()}
        self.store_names: dict[int | None, str] = {
            pk: name for pk, (name, _time_zone) in self.stores.items()
        }
        # The program's settings read and said once for the batch's every sale.
        self.rule = PointsRule(self.program)
        self._default_zone = zone(settings.TIME_ZONE)
        # FIFO: each award expires N days after it was earned; otherwise lots never do
        # (legacy expiry takes the whole balance after N idle days, not lot by lot).
        program = self.program
        self._lifetime = (
            timedelta(days=program.expiration_days)
            if program.expiration_mode == ExpirationMode.FIFO and program.expiration_days
            else None
        )

    def local_date(self, when: datetime, store_id: int | None) -> date:
        """The store's local day (the company's default time zone for an unmapped sale)."""
        return when.astimezone(self._zones.get(store_id, self._default_zone)).date()

    def expires_at(self, earned_at: datetime) -> datetime | None:
        """When an award earned at ``earned_at`` expires (None: never)."""
        lifetime = self._lifetime
        return None if lifetime is None else earned_at + lifetime


def load_context(company_id: int) -> EarningContext | None:
    """The company's earning context, or None when it has no loyalty program turned on
    (turning loyalty off stops earning; it never takes points back)."""
    program = LoyaltyProgram.objects.filter(company_id=company_id, enabled=True).first()
    if program is None:
        return None
    blocked = frozenset(
        BlockedPhone.objects.filter(program=program).values_list("phone", flat=True)
    )
    # The cards' import dates and mirror settings in one query (earning reads the
    # context once per sync batch).
    imported_on: dict[str, date] = {}
    mirrored: set[str] = set()
    for provider, imported, mirror in Integration.objects.filter(
        Q(loyalty_points_imported_on__isnull=False) | Q(mirror_loyalty_points=True),
        company_id=company_id,
    ).values_list("provider", "loyalty_points_imported_on", "mirror_loyalty_points"):
        if imported is not None:
            imported_on[provider] = imported
        if mirror:
            mirrored.add(provider)
    stores = {
        pk: (name, time_zone)
        for pk, name, time_zone in RetailStore.objects.filter(company_id=company_id).values_list(
            "pk", "name", "time_zone"
        )
    }
    return EarningContext(program, blocked, imported_on, stores, frozenset(mirrored))
