"""The words of the texts we send on our own: the double opt-in and keyword answers."""

from __future__ import annotations


def opt_in_request(company: str) -> str:
    return (
        f"Reply YES to join {company} texts: deals and loyalty news. Up to 4 msgs/mo. "
        "Msg & data rates may apply. Reply STOP to opt out, HELP for help."
    )


def opt_in_confirmation(company: str) -> str:
    return (
        f"You're in! You'll now get {company} texts. Msg & data rates may apply. "
        "Reply STOP to opt out, HELP for help."
    )


def opt_out_confirmation(company: str) -> str:
    return f"You're unsubscribed from {company} texts and will get no more. Reply YES to rejoin."


def help_answer(company: str) -> str:
    return (
        f"{company} texts: deals and loyalty news. Reply STOP to opt out, YES to join. "
        "Msg & data rates may apply."
    )
