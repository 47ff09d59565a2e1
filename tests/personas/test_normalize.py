from __future__ import annotations

import pytest

from aiq.personas.normalize import looks_like_phone, normalize_email, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "(206) 201-7788",
        "206-201-7788",
        "+1 206 201 7788",
        "2062017788",
        "206.201.7788",
        "1-206-201-7788",
    ],
)
def test_phone_in_any_format_becomes_e164(raw):
    assert normalize_phone(raw, "US") == "+12062017788"


@pytest.mark.parametrize("raw", ["555-12", "12345", "n/a", "", None, "000-000-0000"])
def test_invalid_phone_is_blank_and_never_raises(raw):
    assert normalize_phone(raw, "US") == ""


def test_canadian_region_reads_local_numbers():
    assert normalize_phone("416 555 0199", "CA") in ("+14165550199", "")
    assert normalize_phone("(604) 681-2000", "CA") == "+16046812000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (" Jane.Doe@Example.COM ", "jane.doe@example.com"),
        ("not-an-email", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_email_normalised(raw, expected):
    assert normalize_email(raw) == expected


def test_phone_detection():
    assert looks_like_phone("(206) 201-7788")
    assert not looks_like_phone("Jane 2")
    assert not looks_like_phone("jane@example.com")
