"""What a card's settings mean for one sync of one credential, read once per run.

- Relevant market: the card's ``relevant_markets`` restrict which shoppers are synced on
  their own (Cova: "sync shoppers from only the specified market(s)"). "Sync to relevant
  market" restricts to the credential's market: its ``relevant_market`` field (POSaBIT),
  else the card's markets, else the states of the credential's POS locations. A shopper
  belongs when the state or province of their address is one of the markets; a shopper
  with no state does not belong. Their sales still land, without a persona.
- Restrict imports by location ID: only those locations' sales are requested.
- Use AIQ's last backup (freeze): nothing is requested from the POS; data stays.
- Skip importing payment method: sales are stored without tenders or payment method.
- Sync personas / contacts: from ``sync_personas_enabled_at`` on, POS-side changes to
  name, email, phone and date of birth overwrite the persona's (not retroactively).
- Pricing groups become the custom brand trait ``<Label>PricingGroup`` (``CovaPricingGroup``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from integrations.models import Credential, PosKey
from integrations.providers import PROVIDERS
from stores.regions import CA_PROVINCES, US_STATES

# Full names a POS may send instead of the code (US states, Canadian provinces): the same
# regions, by the same names, as staff choose from on stores and cards.
REGION_CODES = {name.lower(): code for code, name in {**US_STATES, **CA_PROVINCES}.items()}


def region_code(value: str | None) -> str:
    """``"Washington"``, ``"wa"`` and ``" WA "`` all give ``"WA"``; "" when blank."""
    text = " ".join((value or "").split())
    if not text:
        return ""
    return REGION_CODES.get(text.lower(), text.upper())


@dataclass(frozen=True, slots=True)
class SyncPolicy:
    """The card settings of one credential's sync, resolved."""

    provider: str
    frozen: bool
    markets: frozenset[str] | None  # None: every shopper is synced
    location_keys: tuple[str, ...] | None  # None: every location
    skip_payment_method: bool
    contact_updates_since: datetime | None
    pricing_group_trait: str
    phone_region: str

    def in_market(self, state: str | None) -> bool:
        return self.markets is None or region_code(state) in self.markets


def _markets(credential: Credential) -> frozenset[str] | None:
    integration = credential.integration
    card_markets = {region_code(m) for m in integration.relevant_markets or []} - {""}
    if integration.sync_to_relevant_market:
        own = region_code(credential.public_fields.get("relevant_market"))
        if own:
            return frozenset({own})
        if card_markets:
            return frozenset(card_markets)
        located = PosKey.objects.filter(integration=integration, credential=credential)
        states = {region_code(state) for state in located.values_list("state", flat=True)}
        return frozenset(states - {""})
    return frozenset(card_markets) if card_markets else None


def policy_for(credential: Credential) -> SyncPolicy:
    """Read the card settings that shape this credential's sync."""
    integration = credential.integration
    locations = tuple(str(key).strip() for key in integration.restrict_location_ids or [])
    locations = tuple(key for key in locations if key)
    return SyncPolicy(
        provider=integration.provider,
        frozen=integration.use_last_backup,
        markets=_markets(credential),
        location_keys=locations or None,
        skip_payment_method=integration.skip_payment_method,
        contact_updates_since=(
            # A card switched on before the enabled-at stamp existed counts from its last save.
            (integration.sync_personas_enabled_at or integration.updated_at)
            if integration.sync_personas
            else None
        ),
        pricing_group_trait=f"{PROVIDERS[integration.provider].label}PricingGroup",
        phone_region=integration.company.phone_region,
    )
