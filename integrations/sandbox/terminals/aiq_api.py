"""Our loyalty API as a POS's AIQ integration calls it (pos-apis.md section 4)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urljoin

import requests

TIMEOUT_SECONDS = 10


class AiqApiError(Exception):
    """The API refused a call: its status and AIQ's ``code``."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status, self.body = status, body
        super().__init__(f"{status} {body.get('code')}: {body.get('message')}")


class AiqApi:
    """A session on ``origin`` with the account's API key, as the POS's settings hold it."""

    def __init__(self, origin: str, uid: str, api_key: str) -> None:
        self.origin, self.uid = origin.rstrip("/"), uid
        self.session = requests.Session()
        self.session.headers.update({"X-APIKEY": api_key, "User-Agent": "pos-terminal-sim/1.0"})

    def wallet(self, phone: str) -> dict[str, Any]:
        """``GET /api/v2/wallet/:phone``: points and the discounts redeemable now."""
        return self._send("GET", f"/api/v2/wallet/{quote(phone, safe='')}")

    def redeem(self, redemption_url: str, transaction_id: str) -> dict[str, Any]:
        """``PUT`` the template's ``redemptionURL`` with the POS transaction id appended."""
        return self._send("PUT", f"{redemption_url.rstrip('/')}/{quote(transaction_id, safe='')}")

    def sign_up(self, contact: dict[str, Any]) -> dict[str, Any]:
        """``POST /api/v2/loyalty``: create or update a loyalty contact."""
        return self._send("POST", "/api/v2/loyalty", contact)

    def _send(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.session.request(
            method, urljoin(f"{self.origin}/", path), json=body, timeout=TIMEOUT_SECONDS
        )
        answer = response.json()
        if response.status_code != 200 or not answer.get("success"):
            raise AiqApiError(response.status_code, answer)
        return answer["data"]
