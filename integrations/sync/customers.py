"""The customers stream: POS shoppers become personas with a source identity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from aiq.personas.ingest import IncomingShopper, ingest_shoppers
from aiq.personas.normalize import normalize_email, normalize_phone
from aiq.personas.purchases import link_unlinked_sales
from integrations.models import Credential
from integrations.providers.errors import MalformedRecord
from integrations.providers.values import Customer
from integrations.sync import quarantine
from integrations.sync.counts import Counts, Prepared
from integrations.sync.hashing import content_hash
from integrations.sync.lease import Window
from integrations.sync.policy import SyncPolicy, region_code
from loyalty import hooks as loyalty_hooks

_CUSTOMER_FIELDS = Customer.__slots__


def record_time(customer: Customer) -> datetime | None:
    return customer.updated_at or customer.created_at


def _text(value: str | None, limit: int) -> str:
    return " ".join((value or "").split())[:limit]


class CustomersWriter:
    """Writes one batch of customers at a time for one credential."""

    stream = "customers"
    batch_size = 500

    def __init__(self, credential: Credential, policy: SyncPolicy, now: datetime) -> None:
        self.credential = credential
        self.company = credential.integration.company
        self.policy = policy
        self.now = now
        self.open_quarantine = quarantine.open_external_ids(credential, self.stream)

    def shopper(self, customer: Customer) -> IncomingShopper:
        """Our view of a POS customer: PII normalised, pricing group as a brand trait."""
        phone_raw = _text(customer.phone, 40)
        traits: dict[str, str | None] = {}
        if self.policy.provider == "cova" or customer.pricing_group is not None:
            traits[self.policy.pricing_group_trait] = customer.pricing_group
        return IncomingShopper(
            external_id=customer.external_id,
            content_hash=content_hash(tuple(getattr(customer, f) for f in _CUSTOMER_FIELDS)),
            first_name=_text(customer.first_name, 100),
            last_name=_text(customer.last_name, 100),
            email=normalize_email(customer.email)[:254],
            phone=normalize_phone(phone_raw, self.policy.phone_region),
            phone_raw=phone_raw,
            birth_date=customer.birth_date,
            address_line1=_text(customer.line1, 200),
            address_line2=_text(customer.line2, 200),
            city=_text(customer.city, 100),
            state=region_code(customer.state)[:50],
            postal_code=_text(customer.postal_code, 20),
            country=_text(customer.country, 2).upper() if len(customer.country or "") == 2 else "",
            traits=traits,
            changed_at=customer.updated_at,
        )

    def prepare(self, batch: Sequence[Customer | MalformedRecord], window: Window) -> Prepared:
        """Normalised shoppers for the readable records of one batch; no database access."""
        prepared = Prepared(records=[])
        for customer in batch:
            if isinstance(customer, MalformedRecord):
                prepared.malformed.append(customer)
                continue
            prepared.good_ids.append(customer.external_id)
            moment = record_time(customer)
            if moment is not None and moment == window.slice_end:
                prepared.boundary_ids.append(customer.external_id)
            if window.already_committed(moment, customer.external_id):
                continue
            if not self.policy.in_market(customer.state):
                prepared.counts.skipped += 1
                prepared.counts.details["outside_market"] += 1
                continue
            prepared.records.append(self.shopper(customer))
        return prepared

    def write(self, prepared: Prepared) -> Counts:
        """Quarantine the malformed, attach the rest to personas."""
        counts = prepared.counts
        counts.quarantined = quarantine.quarantine(
            self.credential, self.stream, prepared.malformed, self.now
        )
        if self.open_quarantine:
            resolved = self.open_quarantine.intersection(prepared.good_ids)
            if resolved:
                quarantine.resolve(self.credential, self.stream, resolved, self.now)
                self.open_quarantine -= resolved
        shoppers = prepared.records
        if not shoppers:
            return counts
        result = ingest_shoppers(
            self.company,
            self.policy.provider,
            shoppers,
            now=self.now,
            contact_updates_since=self.policy.contact_updates_since,
            merge_label=f"Matched while syncing {self.credential.integration.label}",
        )
        counts.created, counts.updated, counts.unchanged = (
            result.created,
            result.updated,
            result.unchanged,
        )
        counts.skipped += result.skipped_no_pii
        counts.details.update(
            no_usable_pii=result.skipped_no_pii,
            personas_created=result.personas_created,
            personas_updated=result.personas_updated,
            merges=result.merges,
        )
        if result.new_external_ids:
            counts.details["sales_linked"] += link_unlinked_sales(
                self.company.pk, self.policy.provider, result.new_external_ids
            )
        if result.persona_ids:
            # New shoppers, changed ones and those whose earlier sales were just linked.
            loyalty_hooks.personas_synced(self.company.pk, result.persona_ids, self.now)
        return counts

    def finish(self) -> Counts:
        """Nothing to do once every batch is in."""
        return Counts()
