"""Twilio's request signature, checked against a vector computed outside this code."""

from __future__ import annotations

from aiq.messaging.providers.twilio.signature import is_valid_signature, twilio_signature

# Twilio's documented example (twilio.com/docs/usage/security), as quoted by
# gist.github.com/ryanwinchester/ab49855e9acb7352507b8fa92ffe69d0.
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+12349013030",
    "Digits": "1234",
    "From": "+12349013030",
    "To": "+18005551212",
}
TOKEN = "12345"
EXPECTED = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_the_signature_matches_twilios_documented_example():
    assert twilio_signature(TOKEN, URL, PARAMS) == EXPECTED


def test_a_changed_parameter_url_or_token_fails_validation():
    assert is_valid_signature(TOKEN, URL, PARAMS, EXPECTED)
    assert not is_valid_signature(TOKEN, URL, {**PARAMS, "Digits": "1235"}, EXPECTED)
    assert not is_valid_signature(TOKEN, URL + "&x=1", PARAMS, EXPECTED)
    assert not is_valid_signature("54321", URL, PARAMS, EXPECTED)
    assert not is_valid_signature(TOKEN, URL, PARAMS, "")
