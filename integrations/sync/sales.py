"""The sales stream: POS sales and refunds, with lines, tenders, store and persona."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from aiq.messaging import hooks as messaging_hooks
from aiq.personas.favorites import recompute_favorite_stores
from integrations.choices import PosKeySource
from integrations.models import Credential, PosKey
from integrations.providers.errors import MalformedRecord
from integrations.providers.values import Sale as PosSale
from integrations.sync import bulk, quarantine
from integrations.sync.bulk import Lines, Row
from integrations.sync.counts import Counts, Prepared
from integrations.sync.hashing import text_hash
from integrations.sync.lease import Window
from integrations.sync.policy import SyncPolicy
from loyalty import hooks as loyalty_hooks
from stores.models import StoreMapping

# DecimalField(max_digits=12, decimal_places=2): anything this big is a broken record.
MONEY_LIMIT = Decimal("1e10")


def record_time(sale: PosSale) -> datetime:
    return sale.updated_at or sale.occurred_at


def sale_row(sale: PosSale, skip_payment_method: bool) -> tuple[Row, Lines]:
    """The sale as a row in ``bulk.SALE_FIELDS`` order (its content hash last) and its
    lines as rows in ``bulk.LINE_FIELDS`` order. Raises ``ValueError`` for values no
    column can hold. Hot: runs once per sale, hence the plain loops."""
    external_id, key = sale.external_id, sale.location_key
    if not external_id or len(external_id) > 128 or len(key) > 128:
        raise ValueError("sale id or location key missing or longer than 128 characters")
    amounts = (sale.subtotal, sale.tax, sale.discount, sale.total)
    for amount in amounts:
        if abs(amount) >= MONEY_LIMIT:
            raise ValueError("an amount is too large to be a sale")
    if skip_payment_method or not sale.payments:
        payments, method = "[]", ""
    else:
        payments = json.dumps(
            [{"method": p.method, "amount": str(p.amount)} for p in sale.payments]
        )
        method = max(sale.payments, key=lambda p: abs(p.amount)).method[:60]
    lines = []
    hashed = []
    for position, line in enumerate(sale.lines):
        numbers = (line.quantity, line.unit_price, line.discount, line.total)
        for number in numbers:
            if abs(number) >= MONEY_LIMIT:
                raise ValueError("a line amount is too large to be a sale")
        brand = (line.brand or "")[:128]
        row = (
            position,
            (line.external_id or "")[:128],
            (line.product_external_id or "")[:128],
            (line.sku or "")[:128],
            (line.name or "")[:255],
            (line.category or "")[:128],
            *numbers,
            brand,
        )
        lines.append(row)
        # A line without a brand hashes as it did before lines had one: stored sales of a
        # POS whose lines carry no brand are not all rewritten by the next read.
        hashed.append(row if brand else row[:-1])
    core = (
        external_id,
        (sale.customer_external_id or "")[:128],
        key,
        sale.occurred_at,
        *amounts,
        (sale.currency or "USD")[:3],
        sale.fulfillment,
        method,
        payments,
        sale.is_refund,
        (sale.receipt_number or "")[:64],
    )
    return (*core, text_hash(core, hashed)), tuple(lines)


class SalesWriter:
    """Writes one batch of sales at a time for one credential; favorites at the end."""

    stream = "sales"
    batch_size = 2000

    def __init__(self, credential: Credential, policy: SyncPolicy, now: datetime) -> None:
        self.credential = credential
        self.company_id = credential.company_id
        self.policy = policy
        self.now = now
        self.stores = dict(
            StoreMapping.objects.filter(
                company_id=self.company_id, provider=policy.provider
            ).values_list("key", "store_id")
        )
        self.keys_recorded: set[str] = set()
        self.touched_personas: set[int] = set()
        self.open_quarantine = quarantine.open_external_ids(credential, self.stream)
        wanted = policy.location_keys
        self.wanted_locations = None if wanted is None else set(wanted)

    def prepare(self, batch: Sequence[PosSale | MalformedRecord], window: Window) -> Prepared:
        """Rows for the readable sales of one batch; no database access."""
        prepared = Prepared(records={})
        rows: dict[str, tuple[Row, Lines]] = prepared.records
        for sale in batch:
            if isinstance(sale, MalformedRecord):
                prepared.malformed.append(sale)
                continue
            prepared.good_ids.append(sale.external_id)
            moment = record_time(sale)
            if moment == window.slice_end:
                prepared.boundary_ids.append(sale.external_id)
            if window.already_committed(moment, sale.external_id):
                continue
            if self.wanted_locations is not None and sale.location_key not in self.wanted_locations:
                prepared.counts.skipped += 1
                prepared.counts.details["other_location"] += 1
                continue
            try:
                rows[sale.external_id] = sale_row(sale, self.policy.skip_payment_method)
            except ValueError as error:
                prepared.malformed.append(
                    MalformedRecord(
                        str(error),
                        raw=sale.to_json(),
                        kind="sale",
                        external_id=sale.external_id[:128],
                    )
                )
        return prepared

    def write(self, prepared: Prepared) -> Counts:
        """Quarantine the malformed, upsert the rest by (source, external id)."""
        counts = prepared.counts
        counts.quarantined = quarantine.quarantine(
            self.credential, self.stream, prepared.malformed, self.now
        )
        rows = prepared.records
        if self.open_quarantine and rows:
            resolved = self.open_quarantine.intersection(rows)
            if resolved:
                quarantine.resolve(self.credential, self.stream, resolved, self.now)
                self.open_quarantine -= resolved
        if not rows:
            return counts
        written = bulk.write_sales(
            self.company_id, self.policy.provider, rows, self.stores, self.now
        )
        counts.created, counts.updated = written.created, written.updated
        counts.unchanged = written.unchanged
        self.touched_personas |= written.persona_ids
        self._record_keys(written.pos_keys)
        # In the batch's transaction: a sale and the points it earns land together.
        loyalty_hooks.sales_written(self.company_id, written.sale_ids, self.now)
        return counts

    def _record_keys(self, keys: set[str]) -> None:
        """Every POS key that brought data gets a PosKey row with ``has_data`` (the
        unmapped-stores notification reads them); once per key per run."""
        fresh = keys - self.keys_recorded
        if not fresh:
            return
        PosKey.objects.bulk_create(
            [
                PosKey(
                    company_id=self.company_id,
                    integration_id=self.credential.integration_id,
                    credential=self.credential,
                    key=key,
                    source=PosKeySource.SYNC,
                    has_data=True,
                )
                for key in sorted(fresh)
            ],
            update_conflicts=True,
            unique_fields=["integration", "key"],
            # The credential whose data shows the key: a key of a removed credential that
            # another one still reaches is current again (Store Mappings offer it).
            update_fields=["has_data", "credential", "last_seen_at"],
        )
        self.keys_recorded |= fresh

    def finish(self) -> Counts:
        """Recompute the favorite store of every persona this run gave a sale."""
        counts = Counts()
        if self.touched_personas:
            counts.details["favorite_stores_changed"] = recompute_favorite_stores(
                self.touched_personas, self.now, company_id=self.company_id
            )
            loyalty_hooks.personas_synced(self.company_id, self.touched_personas, self.now)
            # The card's "Send SMS double opt-ins to Personas who purchased after".
            messaging_hooks.sales_synced(self.company_id, self.touched_personas)
        return counts
