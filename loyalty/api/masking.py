"""Paths as the request log keeps them: phone numbers and emails masked."""

from __future__ import annotations

from urllib.parse import unquote

from aiq.personas.normalize import looks_like_phone

MASK = "***"


def mask_path(path: str, *, keep: str = "") -> str:
    """``path`` with each segment that looks like a phone or an email masked. ``keep``:
    a segment known not to be PII (the key's account UID, whose hex digits can look like
    a phone number) is kept as it is."""
    segments = path.split("/")
    masked = [
        MASK if segment != keep and _is_pii(unquote(segment)) else segment for segment in segments
    ]
    return "/".join(masked)[:300]


def _is_pii(segment: str) -> bool:
    return "@" in segment or looks_like_phone(segment)
