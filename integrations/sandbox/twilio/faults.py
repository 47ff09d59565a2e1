"""Faults by the destination number's last four digits, like Twilio's magic test numbers.

| To ends in | the sandbox |
| --- | --- |
| 0001 | refuses it: 400, error 21211 (not a valid phone number) |
| 0003 | refuses it: 400, error 21610 (the recipient unsubscribed at the carrier) |
| 0009 | takes it, then reports it undelivered (error 30003, unreachable handset) |
| 0500 | answers 500 (a transient Twilio outage); nothing is recorded |
| anything else | takes it, reports sent, then delivered |
"""

from __future__ import annotations

REFUSED = {
    "0001": (21211, "The 'To' number {to} is not a valid phone number."),
    "0003": (21610, "Attempt to send to unsubscribed recipient"),
}
UNDELIVERED = {"0009": "30003"}
SERVER_ERROR = "0500"


def ending(number: str) -> str:
    return number[-4:]
