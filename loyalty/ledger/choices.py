"""Entry kinds, in the words a dispensary manager reads on the persona card."""

from __future__ import annotations

from django.db import models


class EntryKind(models.TextChoices):
    EARN = "earn", "Earned on a sale"
    VISIT_BONUS = "visit_bonus", "Visit bonus"
    IMPORT = "import", "Imported from the POS"
    MIRROR = "mirror", "Mirrored from the POS"
    ADJUST = "adjust", "Manual adjustment"
    REDEEM = "redeem", "Redeemed"
    HOLD = "hold", "Held for a redemption"
    RELEASE = "release", "Hold released"
    EXPIRE = "expire", "Expired"
    REVERSAL = "reversal", "Reversal"
    MERGE_IN = "merge_in", "Moved in by a merge"
    MERGE_OUT = "merge_out", "Moved out by a merge"


# Kinds that award() may write; each opens a lot.
AWARD_KINDS = frozenset(
    {EntryKind.EARN, EntryKind.VISIT_BONUS, EntryKind.IMPORT, EntryKind.MIRROR, EntryKind.ADJUST}
)
# Kinds that debit() may write; holds, expiries and merges have their own services.
DEBIT_KINDS = frozenset({EntryKind.REDEEM, EntryKind.ADJUST, EntryKind.MIRROR})
# Awards whose number must be explained in words (issue 10: "explainable points").
EXPLAINED_KINDS = frozenset({EntryKind.EARN, EntryKind.VISIT_BONUS})
# What counts as the shopper's own activity (legacy expiry counts days without one).
ACTIVITY_KINDS = frozenset(
    {
        EntryKind.EARN,
        EntryKind.VISIT_BONUS,
        EntryKind.IMPORT,
        EntryKind.MIRROR,
        EntryKind.ADJUST,
        EntryKind.REDEEM,
        EntryKind.HOLD,
        EntryKind.REVERSAL,
    }
)
# Entries that settle a hold; a hold is settled once (a unique constraint says so).
SETTLEMENT_KINDS = (EntryKind.RELEASE, EntryKind.REDEEM)
