"""Paths as the request log keeps them: phone numbers and emails masked."""

from __future__ import annotations

from urllib.parse import unquote

from aiq.personas.normalize import looks_like_phone

MASK = "***"


def mask_path(path: str) -> str:
    segments = path.split("/")
    masked = [MASK if _is_pii(unquote(segment)) else segment for segment in segments]
    return "/".join(masked)[:300]


def _is_pii(segment: str) -> bool:
    return "@" in segment or looks_like_phone(segment)
