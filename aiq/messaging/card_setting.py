"""What the card form says before saving "Send SMS double opt-ins to Personas who
purchased after": how many shoppers the date would text now, or what removing it does."""

from __future__ import annotations

from datetime import date

from django.template.defaultfilters import pluralize
from django.utils.formats import date_format

from aiq.messaging.double_opt_in import preview_count
from integrations.models import Integration


def sms_date_warning(card: Integration, new_date: date | None) -> str:
    if new_date is None:
        return (
            "Removing this date stops new double opt-in requests. Shoppers who already "
            "joined stay opted in and no loyalty member is lost."
        )
    count = preview_count(card, new_date)
    return (
        f"This will text a double opt-in request to {count:,} shopper{pluralize(count)} who "
        f"purchased at {card.label} on or after {date_format(new_date)} (once each; never "
        "to one who opted out; only between 8:00 and 21:00 store time)."
    )
