"""What a shopper agrees to at the check-in tablet, in one place."""

from __future__ import annotations

from stores.models import RetailStore

# Adult-use age by country; a store's market decides which one the tablet asks for.
LEGAL_AGE = {"CA": 19}
DEFAULT_LEGAL_AGE = 21


def legal_age(store: RetailStore) -> int:
    return LEGAL_AGE.get(store.country, DEFAULT_LEGAL_AGE)


def age_statement(store: RetailStore) -> str:
    return f"I am {legal_age(store)} or older."


def sms_consent_wording(store: RetailStore) -> str:
    """The text beside the SMS box; stored as the evidence on the consent event."""
    return (
        f"Yes, text me loyalty offers from {store.name}. Message frequency varies; message "
        "and data rates may apply. Reply STOP to opt out, HELP for help. Consent is not a "
        "condition of purchase."
    )
