"""Merging two personas found to be one shopper, and undoing it.

A merge keeps the older persona (the survivor), moves every row that points at the other
one (identities, sales, earlier merges, and any future relation) over to it, fills or
replaces the survivor's fields by the rules below, and deletes the other persona. The
``PersonaMerge`` row keeps what undo needs, so undo restores both personas exactly, moves
the same rows back, and recomputes nothing.

Which value wins, per field (``field_winners`` records it for the persona card):

- phone and email: the newer profile's (last updated), when both have one; AIQ markets
  to the newest phone and email only;
- SMS and email consent: an opt-out always wins, then opted in, pending, unknown;
- loyalty membership: the earliest enrollment (with its route);
- custom brand traits: combined, the survivor's value winning a conflict;
- everything else (names, date of birth, address, favorite store): the survivor's,
  filled from the other profile where the survivor has none.

Loyalty points follow the ledger's own rules (``loyalty.ledger.merges``): open lots are
carried to the survivor and carried back on undo, never recomputed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from aiq.personas import summaries
from aiq.personas.choices import Consent
from aiq.personas.models import Persona, PersonaIdentity, PersonaMerge
from aiq.personas.models.persona import SUMMARY_FIELDS
from loyalty.ledger.merges import merge_ledgers, unmerge_ledgers

NEWEST_WINS = (("phone", "phone_raw"), ("email",))
CONSENT_RANK = {Consent.UNKNOWN: 0, Consent.PENDING: 1, Consent.OPTED_IN: 2, Consent.OPTED_OUT: 3}
# The purchase summary is recomputed from the sales after a merge or undo, never chosen.
NOT_COMPARED = {"id", "company", "created_at", "updated_at", *SUMMARY_FIELDS}


class MergeError(Exception):
    """A merge or an undo that cannot be done; the message says why, in plain words."""


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _fields() -> list[models.Field]:
    return [f for f in Persona._meta.concrete_fields if f.name not in NOT_COMPARED]


def _blank(value: Any) -> bool:
    return value in ("", None, {}, [])


def _display(field: models.Field, value: Any) -> str:
    if _blank(value):
        return "(blank)"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)


def _decide(survivor: Persona, merged: Persona) -> dict[str, tuple[Any, str, str]]:
    """attname -> (value, "survivor"|"merged", reason) for every field that differs."""
    newer_is_merged = (
        merged.updated_at and survivor.updated_at and (merged.updated_at > survivor.updated_at)
    )
    decisions: dict[str, tuple[Any, str, str]] = {}
    grouped = {name for group in NEWEST_WINS for name in group}
    for group in NEWEST_WINS:
        key = group[0]
        mine, theirs = getattr(survivor, key), getattr(merged, key)
        if mine == theirs or _blank(theirs):
            continue
        if _blank(mine):
            winner, reason = "merged", "only the merged profile had one"
        elif newer_is_merged:
            winner, reason = "merged", "newer profile: AIQ markets to the newest one"
        else:
            winner, reason = "survivor", "newer profile: AIQ markets to the newest one"
        source = merged if winner == "merged" else survivor
        for name in group:
            decisions[name] = (getattr(source, name), winner, reason)
    for field in _fields():
        name, attname = field.name, field.attname
        if name in grouped:
            continue
        mine, theirs = getattr(survivor, attname), getattr(merged, attname)
        if mine == theirs:
            continue
        if name in ("sms_consent", "email_consent"):
            if CONSENT_RANK.get(theirs, 0) > CONSENT_RANK.get(mine, 0):
                reason = (
                    "an opt-out always wins"
                    if theirs == Consent.OPTED_OUT
                    else "the stronger consent is kept"
                )
                decisions[attname] = (theirs, "merged", reason)
            else:
                decisions[attname] = (mine, "survivor", "the stronger consent is kept")
        elif name == "loyalty_enrolled_at":
            if theirs is not None and (mine is None or theirs < mine):
                decisions[attname] = (theirs, "merged", "the earliest membership is kept")
                decisions["loyalty_enrollment_route"] = (
                    merged.loyalty_enrollment_route,
                    "merged",
                    "goes with the earliest membership",
                )
            else:
                decisions[attname] = (mine, "survivor", "the earliest membership is kept")
        elif name == "loyalty_enrollment_route":
            decisions.setdefault(attname, (mine, "survivor", "goes with the earliest membership"))
        elif name == "brand_traits":
            combined = {**(theirs or {}), **(mine or {})}
            decisions[attname] = (
                combined,
                "survivor" if combined == mine else "merged",
                "traits combined; the surviving profile's value wins a conflict",
            )
        elif _blank(mine):
            decisions[attname] = (theirs, "merged", "the surviving profile had none")
        else:
            decisions[attname] = (mine, "survivor", "kept from the surviving (older) profile")
    return decisions


def _relations() -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key pointing at Persona.

    One-to-one rows (the loyalty account) cannot simply be pointed at the survivor, who
    may have one of its own: their app merges them (``merge_ledgers``).
    """
    return [
        (rel.related_model, rel.field.name)
        for rel in Persona._meta.related_objects
        if rel.one_to_many and not rel.many_to_many
    ]


def merge_personas(
    survivor: Persona,
    merged: Persona,
    *,
    matched_on: str,
    reason: str = "",
    now: datetime | None = None,
) -> PersonaMerge:
    """Fold ``merged`` into ``survivor`` and record how; call inside a transaction."""
    if survivor.pk == merged.pk or survivor.company_id != merged.company_id:
        raise MergeError("Only two different personas of one company can be merged.")
    now = now or timezone.now()
    decisions = _decide(survivor, merged)
    field_by_attname = {f.attname: f for f in _fields()}
    snapshot: dict[str, Any] = {
        "persona": {
            f.attname: _jsonable(getattr(merged, f.attname)) for f in Persona._meta.concrete_fields
        },
        "identities": [
            {key: _jsonable(value) for key, value in row.items()}
            for row in PersonaIdentity.objects.filter(persona=merged).values(
                "id", "source", "external_id", "first_seen_at", "last_seen_at"
            )
        ],
        "moved": {},
        "survivor_before": {},
        "survivor_after": {},
    }
    for model, name in _relations():
        rows = model._default_manager.filter(**{name: merged})
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            rows.update(**{name: survivor})
            snapshot["moved"][model._meta.label_lower] = [name, ids]
    winners = {}
    changed = []
    for attname, (value, winner, why) in decisions.items():
        field = field_by_attname[attname]
        before = getattr(survivor, attname)
        winners[field.name] = {
            "label": str(field.verbose_name),
            "value": _display(field, value),
            "other": _display(
                field, getattr(merged if winner == "survivor" else survivor, attname)
            ),
            "winner": winner,
            "reason": why,
        }
        if before != value:
            snapshot["survivor_before"][attname] = _jsonable(before)
            snapshot["survivor_after"][attname] = _jsonable(value)
            setattr(survivor, attname, value)
            changed.append(attname)
    label = str(merged)
    if changed:
        survivor.updated_at = now
        survivor.save(update_fields=[*changed, "updated_at"])
    merge = PersonaMerge.objects.create(
        company_id=survivor.company_id,
        survivor=survivor,
        merged_persona_id=merged.pk,
        merged_persona_label=label[:300],
        matched_on=matched_on,
        reason=reason[:300],
        snapshot=snapshot,
        field_winners=winners,
    )
    # The ledger moves its own rows (lots carried, never recomputed) and detaches the
    # merged persona's loyalty account, which would otherwise protect the persona row.
    merge_ledgers(survivor, merged, merge, now=now)
    Persona.objects.filter(pk=merged.pk).delete()
    summaries.refresh([survivor.pk])  # the merged persona's sales are the survivor's now
    return merge


def _restore(field: models.Field, value: Any) -> Any:
    return None if value is None else field.to_python(value)


@transaction.atomic
def undo_merge(merge: PersonaMerge, actor: Any = None) -> Persona:
    """Bring the merged persona back as it was, with the rows the merge moved.

    A survivor field is restored only if it still holds the merge's value: a later
    change by staff or a sync is not thrown away. Returns the restored persona.
    """
    merge = PersonaMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise MergeError("This merge was already undone.")
    if Persona.objects.filter(pk=merge.merged_persona_id).exists():
        raise MergeError("The merged persona exists again; nothing to undo.")
    survivor = Persona.objects.select_for_update().get(pk=merge.survivor_id)
    fields = {f.attname: f for f in Persona._meta.concrete_fields}
    values = {
        attname: _restore(fields[attname], value)
        for attname, value in merge.snapshot["persona"].items()
        if attname in fields
    }
    restored = Persona(**values)
    restored.save(force_insert=True)
    # auto_now/auto_now_add stamped "now" on insert; put the original times back.
    Persona.objects.filter(pk=restored.pk).update(
        created_at=values["created_at"], updated_at=values["updated_at"]
    )
    labels = {model._meta.label_lower: model for model, _name in _relations()}
    for label, (name, ids) in merge.snapshot.get("moved", {}).items():
        model = labels.get(label)
        if model is not None:
            model._default_manager.filter(pk__in=ids, **{name: survivor}).update(**{name: restored})
    reverted = []
    for attname, before in merge.snapshot.get("survivor_before", {}).items():
        after = _restore(fields[attname], merge.snapshot["survivor_after"][attname])
        if getattr(survivor, attname) == after:
            setattr(survivor, attname, _restore(fields[attname], before))
            reverted.append(attname)
    if reverted:
        survivor.save(update_fields=[*reverted, "updated_at"])
    unmerge_ledgers(merge)
    summaries.refresh([survivor.pk, restored.pk])  # the sales went back
    merge.undone_at = timezone.now()
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["undone_at", "undone_by"])
    restored.refresh_from_db()
    return restored
