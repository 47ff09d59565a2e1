"""The time zones a store may choose: North America's first, by the names staff use
("Pacific Time"), then a short list of the world's main zones; not the 600 raw names."""

from __future__ import annotations

import zoneinfo

NORTH_AMERICA: list[tuple[str, str]] = [
    ("America/Los_Angeles", "Pacific Time (Los Angeles)"),
    ("America/Vancouver", "Pacific Time (Vancouver)"),
    ("America/Denver", "Mountain Time (Denver)"),
    ("America/Edmonton", "Mountain Time (Edmonton)"),
    ("America/Phoenix", "Mountain Time, no daylight saving (Phoenix)"),
    ("America/Chicago", "Central Time (Chicago)"),
    ("America/Winnipeg", "Central Time (Winnipeg)"),
    ("America/Regina", "Central Time, no daylight saving (Regina)"),
    ("America/New_York", "Eastern Time (New York)"),
    ("America/Detroit", "Eastern Time (Detroit)"),
    ("America/Toronto", "Eastern Time (Toronto)"),
    ("America/Halifax", "Atlantic Time (Halifax)"),
    ("America/Puerto_Rico", "Atlantic Time, no daylight saving (Puerto Rico)"),
    ("America/St_Johns", "Newfoundland Time (St. John's)"),
    ("America/Anchorage", "Alaska Time (Anchorage)"),
    ("Pacific/Honolulu", "Hawaii Time (Honolulu)"),
    ("America/Whitehorse", "Yukon Time (Whitehorse)"),
    ("Pacific/Guam", "Chamorro Time (Guam)"),
]

ELSEWHERE: list[tuple[str, str]] = [
    (name, name.replace("_", " "))
    for name in (
        "UTC",
        "America/Mexico_City",
        "America/Tijuana",
        "America/Bogota",
        "America/Sao_Paulo",
        "America/Argentina/Buenos_Aires",
        "America/Montevideo",
        "Europe/London",
        "Europe/Dublin",
        "Europe/Lisbon",
        "Europe/Madrid",
        "Europe/Paris",
        "Europe/Amsterdam",
        "Europe/Berlin",
        "Europe/Zurich",
        "Europe/Rome",
        "Europe/Prague",
        "Europe/Warsaw",
        "Europe/Athens",
        "Europe/Helsinki",
        "Africa/Johannesburg",
        "Asia/Jerusalem",
        "Asia/Dubai",
        "Asia/Kolkata",
        "Asia/Bangkok",
        "Asia/Singapore",
        "Asia/Manila",
        "Asia/Tokyo",
        "Asia/Seoul",
        "Australia/Perth",
        "Australia/Sydney",
        "Pacific/Auckland",
    )
]

TIME_ZONE_LABELS: dict[str, str] = dict(NORTH_AMERICA + ELSEWHERE)

NORTH_AMERICA_GROUP = "United States and Canada"
ELSEWHERE_GROUP = "Elsewhere"


def time_zone_choices(current: str = "") -> list[tuple[str, object]]:
    """Grouped choices for a dropdown; a zone the store already has stays offered."""
    elsewhere = list(ELSEWHERE)
    offered = {name for name, _label in NORTH_AMERICA + ELSEWHERE}
    if current and current not in offered and current in zoneinfo.available_timezones():
        elsewhere.append((current, current.replace("_", " ")))
    return [
        ("", "---------"),
        (NORTH_AMERICA_GROUP, NORTH_AMERICA),
        (ELSEWHERE_GROUP, elsewhere),
    ]


def shopper_time_zone(favorite_store: object | None, company_id: int) -> zoneinfo.ZoneInfo:
    """A shopper's store clock: their favorite store's zone, else the company's first
    store's, else the server's (quiet hours, the consent history on the persona card)."""
    from django.utils import timezone

    from stores.models import RetailStore

    store = favorite_store
    if store is None:
        store = RetailStore.objects.filter(company_id=company_id).order_by("pk").first()
    try:
        name = getattr(store, "time_zone", "")
        return zoneinfo.ZoneInfo(name) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()
