"""The loyalty app's models live in packages; importing them here registers them."""

from __future__ import annotations

from loyalty.api.models import ApiKey, ApiRequestLog
from loyalty.api.redemption.models import Redemption
from loyalty.discounts.models import Discount, DiscountUse
from loyalty.enrollment.models import Enrollment
from loyalty.ledger.models import Allocation, LedgerEntry, Lot, LoyaltyAccount
from loyalty.pos_balances.models import PosBalanceImport
from loyalty.program.models import BlockedPhone, LoyaltyProgram, LoyaltyProgramEvent

__all__ = [
    "Allocation",
    "ApiKey",
    "ApiRequestLog",
    "BlockedPhone",
    "Discount",
    "DiscountUse",
    "Enrollment",
    "LedgerEntry",
    "Lot",
    "LoyaltyAccount",
    "LoyaltyProgram",
    "LoyaltyProgramEvent",
    "PosBalanceImport",
    "Redemption",
]
