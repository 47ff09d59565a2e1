"""What a shopper's text means: the carrier keywords (CTIA) and the double opt-in reply.

The whole text, trimmed and in any case, must be the keyword: "stop" opts out, "please
stop by" does not. A YES, Y, START or UNSTOP is the shopper's own explicit opt-in.
"""

from __future__ import annotations

from aiq.messaging.choices import InboundAction

OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
OPT_IN_WORDS = frozenset({"YES", "Y", "START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO"})


def action_of(body: str) -> str:
    word = " ".join(body.split()).strip(" .!").upper()
    if word in OPT_OUT_WORDS:
        return InboundAction.OPT_OUT
    if word in OPT_IN_WORDS:
        return InboundAction.OPT_IN
    if word in HELP_WORDS:
        return InboundAction.HELP
    return InboundAction.NONE


def is_double_opt_in_reply(body: str) -> bool:
    """YES or Y: the answer the opt-in request asks for (START/UNSTOP are keywords)."""
    return " ".join(body.split()).strip(" .!").upper() in {"YES", "Y"}
