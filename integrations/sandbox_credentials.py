"""Credentials that the POS sandboxes accept, used by the demo account and by
`manage.py pos --sandbox` when no credential field is given.

The sandboxes read with any credential, but write (create or update a customer) only with
one they issued: ``issue_sandbox_credentials`` adds the ``issued=`` mark, signed with this
deployment's secret key, to the credential's secret (`manage.py sandbox_credentials` prints
issued demo credentials to type into a card).

The sandbox derives its data from these values, so the same credentials always see the
same shoppers and sales. Add `fault=<name>` to any value to switch a fault on.

The demo's stores are in Washington and Oregon, and so are these accounts (the `market=`
option, first in a secret field: the card shows neither it nor the secret): Cova's three
locations are in Seattle, Spokane Valley and Portland, the POSaBIT venue in Seattle and
the Clover merchant in Portland; their shoppers live in WA and OR, and a few of them shop
at all three (integrations/sandbox/people.py), so the demo's syncs match and merge them.
"""

from __future__ import annotations

from integrations.sandbox.options import issue_mark, strip_options

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


# The Cova IntegratorId the sandbox's order intake accepts (COVA_INTEGRATOR_ID in
# production, where Cova's API support issues it): any other is "not valid", as at Cova.
COVA_SANDBOX_INTEGRATOR_ID = "5a1e0c2b-7d3f-4e6a-9b8c-0aa1c0de0014"


def with_sandbox_platform_values(provider: str, values: dict[str, str]) -> dict[str, str]:
    """A sandbox credential's values plus what AIQ itself holds for that POS."""
    return {**SANDBOX_PLATFORM_VALUES.get(provider, {}), **values}


# Per provider: the fields naming the sandbox account (as each sandbox's auth reads them)
# and the secret field that carries the ``issued=`` mark.
_IDENTITY_FIELDS: dict[str, tuple[str, ...]] = {
    "cova": ("client_id", "username"),
    "posabit": ("key",),
    "clover": ("merchant_id", "api_token"),
}
_MARKED_FIELD = {"cova": "password", "posabit": "key", "clover": "api_token"}


def issue_sandbox_credentials(provider: str, values: dict[str, str]) -> dict[str, str]:
    """``values`` with this sandbox's ``issued=`` mark: the sandbox then accepts writes too.

    The mark signs the account's identity (Clover: merchant and token together), so it
    cannot be moved to another account; any mark already present is replaced.
    """
    identity = "|".join(strip_options(values.get(name, "")) for name in _IDENTITY_FIELDS[provider])
    field = _MARKED_FIELD[provider]
    unmarked = ",".join(
        part for part in values.get(field, "").split(",") if not part.startswith("issued=")
    )
    # In front, so the secret's last characters (its hint on the card) stay the typed ones.
    return {**values, field: f"issued={issue_mark(provider, identity)},{unmarked}"}
