"""How many points one sale earns, and why, in a manager's words.

The earning step calls ``compute_points`` once per sale. Arithmetic is Decimal throughout
(never float), so "fractional" rounding keeps hundredths of a point exactly and the
explanation shows the very numbers that were used:

    Sale 1043 at Capitol Hill: $52.30 - $5.20 tax = $47.10 x 1 pt/$ = 47.10, rounded down
    = 47; +10 first visit today = 57 points
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from loyalty.program.choices import Rounding
from loyalty.program.models import LoyaltyProgram

ZERO = Decimal("0")
WHOLE = Decimal("1")
HUNDREDTH = Decimal("0.01")

# How each rounding mode turns the exact product into points, and how it is said.
_ROUNDING: dict[str, tuple[Decimal, str, str]] = {
    Rounding.DOWN: (WHOLE, ROUND_FLOOR, "rounded down"),
    Rounding.UP: (WHOLE, ROUND_CEILING, "rounded up"),
    Rounding.NEAREST: (WHOLE, ROUND_HALF_UP, "rounded to the nearest point"),
    # Anything below a hundredth of a point is dropped, never rounded up.
    Rounding.FRACTIONAL: (HUNDREDTH, ROUND_DOWN, "kept to hundredths"),
}
_ORDINALS = ("first", "second", "third", "fourth", "fifth")


@dataclass(frozen=True, slots=True)
class SaleForPoints:
    """What the earning step knows about one sale."""

    sale_number: str
    store_name: str
    total: Decimal  # what the shopper paid, tax included
    tax: Decimal
    sale_date: date  # the store's local date
    visits_already_today: int = 0  # earlier sales today that counted as visits
    is_blocklisted: bool = False
    # "Loyalty points imported on" of the card the sale came from: accrual starts the
    # next day for that source, whatever the program's start date says.
    points_imported_on: date | None = None


@dataclass(frozen=True, slots=True)
class PointsResult:
    points: Decimal
    spend_points: Decimal
    visit_points: Decimal
    # Whether the sale used one of the day's visits (the caller counts them).
    counts_as_visit: bool
    explanation: str


def accrual_start(program: LoyaltyProgram, points_imported_on: date | None = None) -> date | None:
    """The first day a sale earns points: the day after the card's import date when it has
    one, else the program's "Customers can earn points starting on"."""
    if points_imported_on is not None:
        return points_imported_on + timedelta(days=1)
    return program.accrual_start_date


def excludes_tax(program: LoyaltyProgram, sale_date: date) -> bool:
    """Tax dollars earn nothing from the chosen date on (never before: not retroactive)."""
    start = program.no_tax_accrual_from
    return start is not None and sale_date >= start


def compute_points(program: LoyaltyProgram, sale: SaleForPoints) -> PointsResult:
    """The points ``sale`` earns under ``program``, and the sentence explaining them."""
    head = f"Sale {sale.sale_number} at {sale.store_name}"
    start = accrual_start(program, sale.points_imported_on)
    if not program.enabled:
        return _nothing(f"{head}: no points, loyalty points are turned off")
    if sale.is_blocklisted:
        return _nothing(f"{head}: no points, the shopper's phone is on the points blocklist")
    if start is not None and sale.sale_date < start:
        return _nothing(
            f"{head} on {say_date(sale.sale_date)}: no points, customers earn points "
            f"starting on {say_date(start)}"
        )
    if sale.total <= ZERO:
        return _nothing(f"{head}: {say_money(sale.total)} earns no points")

    if excludes_tax(program, sale.sale_date):
        spend = max(sale.total - sale.tax, ZERO)
        amount = f"{say_money(sale.total)} - {say_money(sale.tax)} tax = {say_money(spend)}"
    else:
        spend = sale.total
        amount = say_money(spend)
    rate = program.points_per_dollar
    exact = spend * rate
    step, mode, said = _ROUNDING[program.rounding]
    spend_points = exact.quantize(step, rounding=mode)
    text = f"{head}: {amount} x {say_points(rate)} pt/$ = {say_exact(exact)}"
    if spend_points != exact:
        text += f", {said} = {say_points(spend_points)}"

    visit_points = ZERO
    if program.points_per_visit > ZERO:
        cap = program.max_visits_per_day
        if sale.visits_already_today < cap:
            visit_points = program.points_per_visit
            text += f"; +{say_points(visit_points)} {_ordinal(sale.visits_already_today)} today"
        else:
            text += (
                f"; no visit points: {sale.visits_already_today} visits today already "
                f"(at most {cap} a day)"
            )
    points = spend_points + visit_points
    if visit_points:
        text += f" = {say_points(points)} points"
    return PointsResult(points, spend_points, visit_points, True, text)


def _nothing(explanation: str) -> PointsResult:
    return PointsResult(ZERO, ZERO, ZERO, False, explanation)


def _ordinal(visits_before: int) -> str:
    if visits_before < len(_ORDINALS):
        return f"{_ORDINALS[visits_before]} visit"
    return f"visit {visits_before + 1}"


def say_money(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    # Most sales: already in cents and under $1,000, so plain ``str`` says it exactly
    # (earning says a few amounts per sale; formatting with grouping costs five times more).
    if amount.as_tuple().exponent == -2 and amount < _THOUSAND:
        return f"{sign}${amount}"
    return f"{sign}${amount:,.2f}"


_THOUSAND = Decimal("1000")


def say_points(points: Decimal) -> str:
    """47 for 47.00, 2.35 for 2.350: no trailing zeros, never an exponent."""
    text = str(points)
    if "E" in text:  # str() writes exponents for some values; "f" never does
        text = f"{points:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def say_exact(value: Decimal) -> str:
    """The exact product with at least two decimals, as money reads: 47.10, 2.355."""
    text = say_points(value)
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"


def say_date(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"
