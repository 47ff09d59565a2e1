"""Quiet hours: texts go out between 8:00 and 21:00 on the store's clock. A text due
outside them waits until 8:00 (the same morning, or the next one after 21:00)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time, timedelta

from aiq.personas.models import Persona
from stores.time_zones import shopper_time_zone

SENDING_STARTS = time(8, 0)
SENDING_ENDS = time(21, 0)


def store_time_zone(persona: Persona | None, company_id: int) -> zoneinfo.ZoneInfo:
    """The shopper's store clock (company-wide when no shopper is given)."""
    favorite = persona.favorite_store if persona is not None and persona.favorite_store_id else None
    return shopper_time_zone(favorite, company_id)


def next_sending_moment(moment: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    """``moment`` itself inside sending hours, else the next 8:00 on the store's clock."""
    local = moment.astimezone(zone)
    if SENDING_STARTS <= local.time() < SENDING_ENDS:
        return moment
    day = local.date() if local.time() < SENDING_STARTS else local.date() + timedelta(days=1)
    return datetime.combine(day, SENDING_STARTS, tzinfo=zone)


def start_of_local_day(moment: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    return datetime.combine(moment.astimezone(zone).date(), time.min, tzinfo=zone)
