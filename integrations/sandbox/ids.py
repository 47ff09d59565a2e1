"""Deterministic, reversible record ids in each provider's own style.

A generated record's id encodes its index (masked, so ids do not look sequential), which
lets a GET by id decode the index instead of searching. The kind of record is part of the
mask, so a customer id never decodes as a sale.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CROCKFORD_VALUE = {char: value for value, char in enumerate(CROCKFORD)}


def _digest(account_key: str, kind: str) -> bytes:
    return hashlib.sha256(f"{account_key}:{kind}".encode()).digest()


@lru_cache(maxsize=4096)
def _guid_parts(account_key: str, kind: str) -> tuple[str, int]:
    hexed = _digest(account_key, kind).hex()
    prefix = f"{hexed[0:8]}-{hexed[8:12]}-4{hexed[12:15]}-a{hexed[15:18]}-"
    return prefix, int(hexed[20:32], 16)


def guid(account_key: str, kind: str, index: int) -> str:
    """A version-4-looking GUID (Cova) for record ``index`` of ``kind``."""
    prefix, mask = _guid_parts(account_key, kind)
    return f"{prefix}{index ^ mask:012x}"


def guid_index(account_key: str, kind: str, value: str) -> int | None:
    """The index ``guid()`` encoded in ``value``, or None if it is not one of ours."""
    text = (value or "").strip().strip("{}'\"").lower()
    prefix, mask = _guid_parts(account_key, kind)
    if len(text) != 36 or not text.startswith(prefix):
        return None
    try:
        return int(text[-12:], 16) ^ mask
    except ValueError:
        return None


def _base32(number: int, width: int) -> str:
    return "".join(CROCKFORD[(number >> shift) & 31] for shift in range(5 * (width - 1), -1, -5))


@lru_cache(maxsize=4096)
def _clover_parts(account_key: str, kind: str) -> tuple[str, int]:
    digest = _digest(account_key, kind)
    return _base32(int.from_bytes(digest[:4], "big"), 5), int.from_bytes(digest[4:9], "big")


def clover_id(account_key: str, kind: str, index: int) -> str:
    """A 13-character Clover-style id (e.g. ``8KQ2ZP5X1W3TR``) for record ``index``."""
    prefix, mask = _clover_parts(account_key, kind)
    return prefix + _base32(index ^ mask, 8)


def clover_index(account_key: str, kind: str, value: str) -> int | None:
    """The index ``clover_id()`` encoded in ``value``, or None."""
    prefix, mask = _clover_parts(account_key, kind)
    if len(value or "") != 13 or not value.startswith(prefix):
        return None
    number = 0
    for char in value[5:]:
        if char not in _CROCKFORD_VALUE:
            return None
        number = (number << 5) | _CROCKFORD_VALUE[char]
    return number ^ mask


def int_base(account_key: str, kind: str) -> int:
    """Where an account's integer ids (POSaBIT) for ``kind`` start."""
    return 1_000_000 + int.from_bytes(_digest(account_key, kind)[:4], "big") % 1000 * 10**8


def int_id(account_key: str, kind: str, index: int) -> int:
    return int_base(account_key, kind) + index


def int_index(account_key: str, kind: str, value: int | str) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    index = number - int_base(account_key, kind)
    return index if 0 <= index < 10**8 else None


def small_int(account_key: str, kind: str, low: int, high: int) -> int:
    """A stable integer in [low, high) for this account, e.g. a Cova company id."""
    return low + int.from_bytes(_digest(account_key, kind)[:6], "big") % (high - low)
