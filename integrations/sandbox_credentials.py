"""Credentials that the POS sandboxes accept, used by the demo account and by
`manage.py pos --sandbox` when no credential field is given.

The sandbox derives its data from these values, so the same credentials always see the
same shoppers and sales. Add `fault=<name>` to any value to switch a fault on.

The demo's stores are in Washington and Oregon, and so are these accounts (the `market=`
option, first in a secret field: the card shows neither it nor the secret): Cova's three
locations are in Seattle, Spokane Valley and Portland, the POSaBIT venue in Seattle and
the Clover merchant in Portland; their shoppers live in WA and OR, and a few of them shop
at all three (integrations/sandbox/people.py), so the demo's syncs match and merge them.
"""

from __future__ import annotations

DEMO_SANDBOX_CREDENTIALS: dict[str, dict[str, str]] = {
    "cova": {
        "client_id": "EVERGREEN.AIQ",
        "client_secret": "sandbox-client-secret",
        "username": "AIQ.COVA.APIUser.EVERGREEN",
        "password": "market=WA,sandbox-password",
    },
    "posabit": {
        "store_name": "Capitol Hill",
        "key": "market=WA,sandbox-venue-capitol-hill",
    },
    "clover": {
        "merchant_id": "SANDBOXMERCH1",
        "api_token": "market=OR,sandbox-clover-token",
    },
}

# Values AIQ holds once per deployment rather than per credential (POSaBIT's integrator
# token, POSABIT_INTEGRATOR_TOKEN in production), as the sandbox accepts them: added to
# every sandbox credential's values when its client is built.
SANDBOX_PLATFORM_VALUES: dict[str, dict[str, str]] = {
    "posabit": {"integrator_token": "sandbox-integrator-token"},
}


def with_sandbox_platform_values(provider: str, values: dict[str, str]) -> dict[str, str]:
    """A sandbox credential's values plus what AIQ itself holds for that POS."""
    return {**SANDBOX_PLATFORM_VALUES.get(provider, {}), **values}
