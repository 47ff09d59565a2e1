"""The sandbox account a POS credential's values name: where a register rings up sales.

The same fields each sandbox's auth reads for the account's identity and options
(``integrations/sandbox/*/auth.py``), so a checkout lands in the data our sync reads with
that credential.
"""

from __future__ import annotations

from collections.abc import Mapping

from integrations.sandbox.options import SandboxAccount, account_for
from integrations.sandbox_credentials import with_sandbox_platform_values


def sandbox_account(provider: str, values: Mapping[str, str]) -> SandboxAccount:
    fields = with_sandbox_platform_values(provider, dict(values))
    if provider == "cova":
        identity = (fields["client_id"], fields["username"])
        options = (
            fields["client_id"],
            fields["client_secret"],
            fields["username"],
            fields["password"],
        )
        return account_for("cova", identity, options)
    if provider == "posabit":
        return account_for("posabit", (fields["key"],), (fields["integrator_token"], fields["key"]))
    if provider == "clover":
        identity = (fields["merchant_id"], fields["api_token"])
        return account_for("clover", identity, identity)
    raise ValueError(f"No sandbox register for {provider!r}")
