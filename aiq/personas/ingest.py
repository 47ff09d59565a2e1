"""Attaching shopper records from a source (a POS customer list) to personas, in batches.

One call handles one batch with a fixed number of queries, whatever its size:

1. A record whose source identity exists with the same content hash is unchanged: nothing
   is written. A record with no usable PII (a valid phone or an email) creates no persona.
2. The rest are matched inside the company by phone (E.164), then by email, then by first
   + last name + date of birth where the company enables it (``Company.
   match_personas_on_name_and_birth_date``). Name alone never matches.
3. Records are grouped with the personas they match (union-find). Two groups whose phones
   differ are never joined: a different phone is a different shopper, whatever the email
   says. A group with one existing persona attaches to it; a group with several existing
   personas merges them into the oldest (``merging.merge_personas``, undoable); a group
   with none creates one persona.
4. A matched persona gets the record's values where it has none. Contact fields (name,
   email, phone, date of birth) are overwritten only for records already linked to it,
   when the caller passes ``contact_updates_since`` (the card's "sync personas") and the
   record changed after that moment. A blank value in the source never erases one.
5. The source identity is upserted (one row per source record) with the record's hash.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q

from aiq.accounts.models import Company
from aiq.personas.choices import MatchedOn
from aiq.personas.merging import merge_personas
from aiq.personas.models import Persona, PersonaIdentity

CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "phone_raw", "birth_date")
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "state", "postal_code", "country")
FILLABLE_FIELDS = (*CONTACT_FIELDS, *ADDRESS_FIELDS)


@dataclass(frozen=True, slots=True)
class IncomingShopper:
    """One source record about a shopper, with its PII already normalised."""

    external_id: str
    content_hash: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""  # normalised; "" when missing or invalid
    phone: str = ""  # E.164; "" when missing or invalid
    phone_raw: str = ""
    birth_date: date | None = None
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""
    traits: dict[str, str | None] = field(default_factory=dict)  # None removes the trait
    changed_at: datetime | None = None  # when the source last changed the record

    @property
    def has_usable_pii(self) -> bool:
        return bool(self.phone or self.email)

    @property
    def name_key(self) -> tuple[str, str, date] | None:
        if self.first_name and self.last_name and self.birth_date:
            return (self.first_name.lower(), self.last_name.lower(), self.birth_date)
        return None


@dataclass(slots=True)
class IngestResult:
    created: int = 0  # new source identities
    updated: int = 0  # identities whose record changed
    unchanged: int = 0
    skipped_no_pii: int = 0
    personas_created: int = 0
    personas_updated: int = 0
    merges: int = 0
    new_external_ids: list[str] = field(default_factory=list)
    persona_ids: set[int] = field(default_factory=set)


class _Groups:
    """Union-find over persona keys that refuses to join two groups with different phones.

    Keys are existing persona ids (int) or a record's own key (str) until it is placed.
    """

    def __init__(self) -> None:
        self.parent: dict[object, object] = {}
        self.phone: dict[object, str] = {}
        self.joined_by: dict[object, str] = {}

    def add(self, key: object, phone: str) -> None:
        if key not in self.parent:
            self.parent[key] = key
            self.phone[key] = phone

    def find(self, key: object) -> object:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: object, b: object, matched_on: str) -> bool:
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return True
        phone_a, phone_b = self.phone[root_a], self.phone[root_b]
        if phone_a and phone_b and phone_a != phone_b:
            return False
        self.parent[root_b] = root_a
        self.phone[root_a] = phone_a or phone_b
        self.joined_by.setdefault(b, matched_on)
        return True

    def members(self) -> dict[object, list[object]]:
        groups: dict[object, list[object]] = defaultdict(list)
        for key in self.parent:
            groups[self.find(key)].append(key)
        return groups


def _candidates(
    company: Company, shoppers: Sequence[IncomingShopper], by_name: bool
) -> list[Persona]:
    """Every persona of the company sharing a phone, an email (or name + birth date) with
    the batch: one query per identifier kind, each on its index."""
    phones = {s.phone for s in shoppers if s.phone}
    emails = {s.email for s in shoppers if s.email}
    found: dict[int, Persona] = {}
    base = Persona.objects.filter(company=company)
    if phones:
        found.update((p.pk, p) for p in base.filter(phone__in=phones))
    if emails:
        found.update((p.pk, p) for p in base.filter(email__lower__in=emails))
    if by_name:
        keys = {s.name_key for s in shoppers if s.name_key}
        if keys:
            condition = Q()
            for first, last, born in keys:
                condition |= Q(first_name__lower=first, last_name__lower=last, birth_date=born)
            found.update((p.pk, p) for p in base.filter(condition))
    return sorted(found.values(), key=lambda p: p.pk)


def _index(personas: Iterable[Persona], by_name: bool) -> dict[str, dict[object, list[int]]]:
    index: dict[str, dict[object, list[int]]] = {
        MatchedOn.PHONE: defaultdict(list),
        MatchedOn.EMAIL: defaultdict(list),
        MatchedOn.NAME_BIRTH_DATE: defaultdict(list),
    }
    for persona in personas:
        if persona.phone:
            index[MatchedOn.PHONE][persona.phone].append(persona.pk)
        if persona.email:
            index[MatchedOn.EMAIL][persona.email.lower()].append(persona.pk)
        if by_name and persona.first_name and persona.last_name and persona.birth_date:
            key = (persona.first_name.lower(), persona.last_name.lower(), persona.birth_date)
            index[MatchedOn.NAME_BIRTH_DATE][key].append(persona.pk)
    return index


def _apply(persona: Persona, shopper: IncomingShopper, *, overwrite_contact: bool) -> set[str]:
    """Copy the shopper's values onto the persona; return the names of fields changed."""
    changed: set[str] = set()
    for name in FILLABLE_FIELDS:
        value = getattr(shopper, name)
        if value in ("", None):
            continue  # a blank in the source never erases
        current = getattr(persona, name)
        replaceable = current in ("", None) or (overwrite_contact and name in CONTACT_FIELDS)
        if replaceable and current != value:
            setattr(persona, name, value)
            changed.add(name)
    if shopper.phone and "phone" in changed and not shopper.phone_raw:
        persona.phone_raw = shopper.phone
        changed.add("phone_raw")
    traits = dict(persona.brand_traits or {})
    for key, value in shopper.traits.items():
        if value is None:
            traits.pop(key, None)
        else:
            traits[key] = value
    if traits != (persona.brand_traits or {}):
        persona.brand_traits = traits
        changed.add("brand_traits")
    return changed


def _new_persona(company: Company, shoppers: Sequence[IncomingShopper]) -> Persona:
    persona = Persona(company=company, brand_traits={})
    for shopper in shoppers:
        _apply(persona, shopper, overwrite_contact=False)
    return persona


def ingest_shoppers(
    company: Company,
    source: str,
    shoppers: Sequence[IncomingShopper],
    *,
    now: datetime,
    contact_updates_since: datetime | None = None,
    merge_label: str = "",
) -> IngestResult:
    """Attach one batch of source records to personas (see the module docstring).

    Call inside a transaction: merges, new personas and identities land together.
    """
    result = IngestResult()
    by_name = company.match_personas_on_name_and_birth_date
    identities = {
        identity.external_id: identity
        for identity in PersonaIdentity.objects.filter(
            company=company, source=source, external_id__in=[s.external_id for s in shoppers]
        ).only("pk", "external_id", "persona_id", "content_hash", "first_seen_at")
    }
    todo: list[IncomingShopper] = []
    seen: set[str] = set()
    for shopper in shoppers:
        if shopper.external_id in seen:
            continue  # the same record twice in one batch (lookback overlap)
        seen.add(shopper.external_id)
        identity = identities.get(shopper.external_id)
        if identity is not None and identity.content_hash == shopper.content_hash:
            result.unchanged += 1
        elif identity is None and not shopper.has_usable_pii:
            result.skipped_no_pii += 1
        else:
            todo.append(shopper)
    if not todo:
        return result

    personas = {p.pk: p for p in _candidates(company, todo, by_name)}
    linked_ids = {identities[s.external_id].persona_id for s in todo if s.external_id in identities}
    missing = linked_ids - personas.keys()
    if missing:
        personas.update((p.pk, p) for p in Persona.objects.filter(pk__in=missing))
    index = _index(personas.values(), by_name)

    groups = _Groups()
    for pk, persona in personas.items():
        groups.add(pk, persona.phone)
    anchors: dict[str, object] = {}
    for shopper in todo:
        identity = identities.get(shopper.external_id)
        if identity is not None:
            # The record's own identity is its anchor even if its phone changed since.
            anchor: object = identity.persona_id
        else:
            anchor = f"record:{shopper.external_id}"
            groups.add(anchor, shopper.phone)
        anchors[shopper.external_id] = anchor
        for matched_on, key in (
            (MatchedOn.PHONE, shopper.phone),
            (MatchedOn.EMAIL, shopper.email),
            (MatchedOn.NAME_BIRTH_DATE, shopper.name_key if by_name else None),
        ):
            if not key:
                continue
            for pk in index[matched_on].get(key, ()):
                groups.union(anchor, pk, matched_on)
            # Later records of the batch match this one as they would a saved persona.
            index[matched_on][key].append(anchor)  # type: ignore[arg-type]

    # Resolve each group: existing personas merge into the oldest; otherwise a new one.
    target_of_root: dict[object, Persona] = {}
    to_create: dict[object, list[IncomingShopper]] = defaultdict(list)
    shoppers_by_anchor: dict[object, list[IncomingShopper]] = defaultdict(list)
    for shopper in todo:
        shoppers_by_anchor[anchors[shopper.external_id]].append(shopper)
    for root, members in groups.members().items():
        existing = sorted(k for k in members if isinstance(k, int))
        if existing:
            survivor = personas[existing[0]]
            for other in existing[1:]:
                merged = personas.pop(other)
                merge_personas(
                    survivor,
                    merged,
                    matched_on=groups.joined_by.get(other, MatchedOn.PHONE),
                    reason=merge_label,
                    now=now,
                )
                result.merges += 1
            target_of_root[root] = survivor
        else:
            for key in members:
                to_create[root].extend(shoppers_by_anchor.get(key, ()))
    new_personas = {root: _new_persona(company, records) for root, records in to_create.items()}
    for persona in new_personas.values():
        persona.created_at = persona.updated_at = now
    Persona.objects.bulk_create(list(new_personas.values()))
    target_of_root.update(new_personas)
    result.personas_created = len(new_personas)

    created_ids = {persona.pk for persona in new_personas.values()}
    changed_personas: dict[int, set[str]] = defaultdict(set)
    rows: list[PersonaIdentity] = []
    for shopper in todo:
        persona = target_of_root[groups.find(anchors[shopper.external_id])]
        identity = identities.get(shopper.external_id)
        if persona.pk not in created_ids:
            overwrite = (
                identity is not None
                and contact_updates_since is not None
                and (shopper.changed_at is None or shopper.changed_at >= contact_updates_since)
            )
            changed = _apply(persona, shopper, overwrite_contact=overwrite)
            if changed:
                changed_personas[persona.pk] |= changed
        if identity is None:
            result.created += 1
            result.new_external_ids.append(shopper.external_id)
        else:
            result.updated += 1
        result.persona_ids.add(persona.pk)
        rows.append(
            PersonaIdentity(
                company=company,
                persona_id=persona.pk,
                source=source,
                external_id=shopper.external_id,
                first_seen_at=identity.first_seen_at if identity else now,
                last_seen_at=now,
                content_hash=shopper.content_hash,
            )
        )
    if changed_personas:
        fields = sorted(set().union(*changed_personas.values()) | {"updated_at"})
        updated = [personas[pk] for pk in changed_personas]
        for persona in updated:
            persona.updated_at = now
        Persona.objects.bulk_update(updated, fields)
        result.personas_updated = len(updated)
    PersonaIdentity.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["company", "source", "external_id"],
        update_fields=["persona", "last_seen_at", "content_hash"],
    )
    return result
