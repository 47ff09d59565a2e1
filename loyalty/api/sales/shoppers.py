"""Who bought: each visit's customer key, the id the sales writer links a persona by.

The writer links a sale to the persona of the identity (company, "api", customer key), as
a sync links through its POS's identities; this module makes sure that identity exists
when the visit names a known shopper (see loyalty/api/assumptions.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from aiq.accounts.models import Company
from aiq.personas.choices import POS_SOURCES
from aiq.personas.ingest import IncomingShopper, ingest_shoppers
from aiq.personas.models import PersonaIdentity
from aiq.personas.normalize import normalize_email, normalize_phone
from aiq.personas.purchases import link_unlinked_sales
from integrations.sync.hashing import content_hash
from loyalty.api import assumptions
from loyalty.api.sales.visits import Member, Visit

SOURCE = assumptions.SALES_SOURCE


def customer_keys(company: Company, visits: Sequence[Visit], now: datetime) -> list[str]:
    """Each visit's customer key ("" for an anonymous sale), in order, with its identity
    written: member objects first (they may create personas), then bare pos_users."""
    keys: list[str] = []
    shoppers: dict[str, IncomingShopper] = {}
    for visit in visits:
        shopper = _shopper(company, visit) if visit.member else None
        if shopper is not None:
            shoppers.setdefault(shopper.external_id, shopper)
            keys.append(shopper.external_id)
        else:
            keys.append(visit.pos_user)
    if shoppers:
        # Two calls naming one new shopper at once would each create them: calls that
        # bring member objects take turns per company (the lock ends with the call's
        # transaction, and is the first lock it takes: no cycle with the account locks).
        Company.objects.select_for_update().filter(pk=company.pk).first()
        result = ingest_shoppers(
            company,
            SOURCE,
            list(shoppers.values()),
            now=now,
            merge_label="Matched by a sale posted through the API",
        )
        # Earlier anonymous sales of a pos_user that now has its shopper.
        link_unlinked_sales(company.pk, SOURCE, result.new_external_ids)
    bare = {visit.pos_user for visit in visits if visit.pos_user} - shoppers.keys()
    if bare:
        _adopt_pos_identities(company, bare, now)
    return keys


def _shopper(company: Company, visit: Visit) -> IncomingShopper | None:
    """The member object as a source record; None when it has neither a valid phone nor
    an email (nobody to match or create: the visit's pos_user, if any, still links)."""
    member: Member = visit.member  # type: ignore[assignment]
    phone = normalize_phone(member.phone, company.phone_region) if member.phone else ""
    email = normalize_email(member.email)[:254]
    if not phone and not email:
        return None
    key = visit.pos_user or f"{assumptions.MEMBER_KEY_PREFIX}{phone or email}"
    return IncomingShopper(
        external_id=key[:128],
        content_hash=content_hash(
            (member.first_name, member.last_name, member.phone, member.email)
        ),
        first_name=" ".join(member.first_name.split())[:100],
        last_name=" ".join(member.last_name.split())[:100],
        email=email,
        phone=phone,
        phone_raw=member.phone[:40],
    )


def _adopt_pos_identities(company: Company, pos_users: set[str], now: datetime) -> int:
    """A pos_user with no "api" identity that is the id of exactly one persona in a synced
    POS gets an "api" identity for that persona; returns how many were written."""
    known = set(
        PersonaIdentity.objects.filter(
            company=company, source=SOURCE, external_id__in=pos_users
        ).values_list("external_id", flat=True)
    )
    personas: dict[str, set[int]] = defaultdict(set)
    for external_id, persona_id in PersonaIdentity.objects.filter(
        company=company, source__in=POS_SOURCES, external_id__in=pos_users - known
    ).values_list("external_id", "persona_id"):
        personas[external_id].add(persona_id)
    rows = [
        PersonaIdentity(
            company=company,
            persona_id=next(iter(ids)),
            source=SOURCE,
            external_id=external_id,
            first_seen_at=now,
            last_seen_at=now,
        )
        for external_id, ids in personas.items()
        # Two POS using one id for two shoppers: nobody is guessed.
        if len(ids) == 1
    ]
    PersonaIdentity.objects.bulk_create(rows, ignore_conflicts=True)
    if rows:
        link_unlinked_sales(company.pk, SOURCE, [row.external_id for row in rows])
    return len(rows)
