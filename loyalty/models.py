from __future__ import annotations

from loyalty.discounts.models import Discount, DiscountUse  # noqa: F401
from loyalty.program.models import BlockedPhone, LoyaltyProgram, LoyaltyProgramEvent  # noqa: F401
