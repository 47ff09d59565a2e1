"""Content hashes: a record whose hash is unchanged since the last sync is not written."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import Any

from integrations.providers.values import to_jsonable


def content_hash(value: Any) -> str:
    """A 32-character hex digest of ``value``'s repr (tuples of plain values, Decimals,
    datetimes: their reprs are stable across runs and processes)."""
    return hashlib.blake2b(repr(value).encode(), digest_size=16).hexdigest()


def text_hash(core: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """The digest of a record and its child rows from their ``str()`` forms: faster than
    ``content_hash`` for the hot sales path (Decimals and datetimes print stably)."""
    text = (
        "\x1f".join(map(str, core))
        + "\x1d"
        + "\x1d".join("\x1e".join(map(str, row)) for row in rows)
    )
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def payload_hash(payload: Any) -> str:
    """The digest of a JSON-able payload, independent of key order."""
    text = json.dumps(to_jsonable(payload), sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
