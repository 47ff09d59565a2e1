"""Settings > Loyalty: the program page and its discounts (each package registers its own)."""

from loyalty.api import admin as api_admin  # noqa: F401
from loyalty.api.redemption import admin as redemption_admin  # noqa: F401
from loyalty.discounts import admin as discounts_admin  # noqa: F401
from loyalty.program import admin as program_admin  # noqa: F401
