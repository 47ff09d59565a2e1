"""One 401 is not a verdict: ask once more before calling the credential bad.

A POS answers 401 for a token that expired a moment ago, a token rotated while a request
was in flight, or a key its load balancer has not seen yet, as well as for a wrong key.
Marking the credential failing on the first 401 stops every sync until a person connects
again, for what was usually nothing. Providers with a token exchange (Cova) get a new
token and retry; the static-key providers (POSaBIT's Basic pair, Clover's merchant API
token: nothing to exchange) send the same request again after a short wait. Only a
second 401 in a row raises ``AuthenticationFailed`` to the caller, which is permanent.

A 401 means the POS refused the request before acting on it, so sending a POST again
cannot create a duplicate.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from integrations.providers.errors import AuthenticationFailed

logger = logging.getLogger("aiq.http")

T = TypeVar("T")

# Seconds between the refused request and its one retry: long enough for a token issued a
# moment ago to reach every server of the POS, short enough for someone waiting on Connect.
UNAUTHORIZED_RETRY_WAIT = 1.0


def retry_once_on_401(send: Callable[[], T], sleep: Callable[[float], None]) -> T:
    """``send()``; on a 401, wait ``UNAUTHORIZED_RETRY_WAIT`` and ``send()`` once more."""
    try:
        return send()
    except AuthenticationFailed as error:
        if error.status != 401:
            raise  # no request was refused (e.g. an empty credential field)
        logger.warning(
            "%s %s answered 401; asking once more in %.1fs",
            error.method,
            error.path,
            UNAUTHORIZED_RETRY_WAIT,
        )
    sleep(UNAUTHORIZED_RETRY_WAIT)
    return send()
