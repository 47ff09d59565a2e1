"""The wallet's redemption token is Django's signed value, made faster: the same text as
``signing.dumps`` in the same second, read back by ``signing.loads``."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import signing
from django.test import override_settings

from loyalty.api import redemption_tokens
from loyalty.api.redemption_tokens import SALT, read_redemption_token, redemption_token

NOW = 1_796_000_000.0


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch):
    monkeypatch.setattr(redemption_tokens.time, "time", lambda: NOW)
    monkeypatch.setattr(signing.time, "time", lambda: NOW)


@pytest.mark.parametrize("persona_id, discount_id", [(1, 2), (987_654_321, 17), (42, 10**12)])
def test_the_token_is_what_django_signs(persona_id, discount_id):
    expected = signing.dumps([persona_id, discount_id], salt=SALT, compress=False)
    assert redemption_token(persona_id, discount_id) == expected
    assert read_redemption_token(expected, discount_id) == persona_id


def test_another_secret_signs_differently_and_a_rotated_one_still_reads():
    before = redemption_token(5, 9)
    with override_settings(SECRET_KEY="a-new-secret-" + "x" * 40, SECRET_KEY_FALLBACKS=[]):
        after = redemption_token(5, 9)
        assert after != before
        assert after == signing.dumps([5, 9], salt=SALT)
        assert read_redemption_token(before, 9) is None  # the old secret is gone
    with override_settings(
        SECRET_KEY="a-new-secret-" + "x" * 40, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]
    ):
        assert read_redemption_token(before, 9) == 5  # ...unless kept as a fallback


def test_a_token_for_another_discount_or_tampered_reads_nothing():
    token = redemption_token(5, 9)
    assert read_redemption_token(token, 10) is None
    assert read_redemption_token(token[:-1] + ("A" if token[-1] != "A" else "B"), 9) is None
