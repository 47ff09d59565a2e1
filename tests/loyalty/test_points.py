"""How many points a sale earns, and the sentence that says why: exact Decimal arithmetic,
each rounding mode, taxes from a date on, visits with a daily cap, the blocklist and the
accrual start date. The program is an unsaved model: no database needed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from loyalty.program.choices import Rounding
from loyalty.program.models import LoyaltyProgram
from loyalty.program.points import SaleForPoints, accrual_start, compute_points, say_money

D = Decimal
SALE_DAY = date(2026, 5, 4)


def _program(**values) -> LoyaltyProgram:
    defaults = {"enabled": True, "points_per_dollar": D("1"), "rounding": Rounding.DOWN}
    return LoyaltyProgram(**{**defaults, **values})


def _sale(total: str = "52.30", tax: str = "5.20", **values) -> SaleForPoints:
    defaults = {
        "sale_number": "1043",
        "store_name": "Capitol Hill",
        "total": D(total),
        "tax": D(tax),
        "sale_date": SALE_DAY,
    }
    return SaleForPoints(**{**defaults, **values})


def test_the_owners_example_reads_as_the_owner_wrote_it():
    # given 1 pt/$, no points on tax since May 1, 10 points for the first visit of the day
    program = _program(no_tax_accrual_from=date(2026, 5, 1), points_per_visit=D("10"))

    # when a $52.30 sale with $5.20 tax is the shopper's first today
    result = compute_points(program, _sale())

    # then
    assert result.explanation == (
        "Sale 1043 at Capitol Hill: $52.30 - $5.20 tax = $47.10 x 1 pt/$ = 47.10, "
        "rounded down = 47; +10 first visit today = 57 points"
    )
    assert result.points == D("57")
    assert (result.spend_points, result.visit_points) == (D("47"), D("10"))
    assert result.counts_as_visit is True


@pytest.mark.parametrize(
    ("rounding", "points", "said"),
    [
        (Rounding.DOWN, "47", "rounded down = 47"),
        (Rounding.UP, "48", "rounded up = 48"),
        (Rounding.NEAREST, "47", "rounded to the nearest point = 47"),
        (Rounding.FRACTIONAL, "47.10", None),
    ],
)
def test_each_rounding_mode_on_47_10(rounding, points, said):
    program = _program(rounding=rounding)

    result = compute_points(program, _sale(total="47.10", tax="0"))

    assert result.points == D(points)
    if said:
        assert result.explanation.endswith(said)
    else:
        # 47.10 is already in hundredths: nothing to round, nothing said about it
        assert result.explanation == "Sale 1043 at Capitol Hill: $47.10 x 1 pt/$ = 47.10"


@pytest.mark.parametrize(
    ("total", "rounding", "points"),
    [
        ("47.50", Rounding.NEAREST, "48"),  # a half goes up
        ("47.49", Rounding.NEAREST, "47"),
        ("47.01", Rounding.UP, "48"),
        ("47.99", Rounding.DOWN, "47"),
        ("47.00", Rounding.UP, "47"),  # whole already: up changes nothing
    ],
)
def test_rounding_edges(total, rounding, points):
    result = compute_points(_program(rounding=rounding), _sale(total=total, tax="0"))

    assert result.points == D(points)


def test_fractional_keeps_hundredths_exactly_and_drops_the_rest():
    # given 5 points per $100 (0.05 per $1), fractional
    program = _program(points_per_dollar=D("0.05"), rounding=Rounding.FRACTIONAL)

    # when $47.10 is spent: 2.355 points exactly
    result = compute_points(program, _sale(total="47.10", tax="0"))

    # then hundredths are kept, the thousandth dropped, and the value is an exact Decimal
    assert result.points == D("2.35")
    assert str(result.points) == "2.35"
    assert result.explanation == (
        "Sale 1043 at Capitol Hill: $47.10 x 0.05 pt/$ = 2.355, kept to hundredths = 2.35"
    )


def test_fractional_sums_without_float_drift():
    # 0.1 + 0.2 is not 0.3 in floats; ten sales of $0.10 at 1 pt/$ must give exactly 1.00
    program = _program(rounding=Rounding.FRACTIONAL)

    total = sum(
        (compute_points(program, _sale(total="0.10", tax="0")).points for _ in range(10)), D(0)
    )

    assert total == D("1.00")


@pytest.mark.parametrize("total", ["52.30", "0.99", "1234.56", "10.01"])
def test_points_per_100_and_per_1_are_the_same_rate(total):
    # given the rate typed per $100 (250 per $100) and per $1 (2.5 per $1)
    per_hundred = _program(points_per_dollar=D("250") / D("100"), rounding=Rounding.FRACTIONAL)
    per_dollar = _program(points_per_dollar=D("2.5"), rounding=Rounding.FRACTIONAL)

    # then every sale earns the same
    sale = _sale(total=total, tax="0")
    assert compute_points(per_hundred, sale).points == compute_points(per_dollar, sale).points


def test_tax_earns_points_before_the_no_tax_date():
    # given no points on tax from May 5
    program = _program(no_tax_accrual_from=date(2026, 5, 5))

    # when the sale was on May 4
    result = compute_points(program, _sale(sale_date=date(2026, 5, 4)))

    # then the whole $52.30 earns (not retroactive)
    assert result.points == D("52")
    assert "tax" not in result.explanation


def test_tax_is_excluded_on_and_after_the_no_tax_date():
    program = _program(no_tax_accrual_from=date(2026, 5, 5))

    on_the_day = compute_points(program, _sale(sale_date=date(2026, 5, 5)))
    after = compute_points(program, _sale(sale_date=date(2026, 6, 1)))

    assert on_the_day.points == after.points == D("47")
    assert "$52.30 - $5.20 tax = $47.10" in on_the_day.explanation


def test_without_a_no_tax_date_tax_dollars_earn():
    result = compute_points(_program(), _sale())

    assert result.points == D("52")


def test_visit_points_stop_at_the_daily_cap():
    # given 10 points a visit, at most 2 visits a day
    program = _program(points_per_visit=D("10"), max_visits_per_day=2)

    second = compute_points(program, _sale(total="5.00", tax="0", visits_already_today=1))
    third = compute_points(program, _sale(total="5.00", tax="0", visits_already_today=2))

    assert (second.points, second.visit_points) == (D("15"), D("10"))
    assert second.explanation.endswith("; +10 second visit today = 15 points")
    assert (third.points, third.visit_points) == (D("5"), D("0"))
    assert third.explanation.endswith("; no visit points: 2 visits today already (at most 2 a day)")
    assert third.counts_as_visit is True


def test_no_visit_text_when_visits_earn_nothing():
    result = compute_points(_program(), _sale(total="5.00", tax="0"))

    assert result.explanation == "Sale 1043 at Capitol Hill: $5.00 x 1 pt/$ = 5.00"
    assert result.visit_points == D("0")


def test_a_blocklisted_phone_earns_nothing():
    program = _program(points_per_visit=D("10"))

    result = compute_points(program, _sale(is_blocklisted=True))

    assert result.points == D("0")
    assert result.visit_points == D("0")
    assert result.counts_as_visit is False
    assert result.explanation == (
        "Sale 1043 at Capitol Hill: no points, the shopper's phone is on the points blocklist"
    )


def test_sales_before_the_accrual_start_date_earn_nothing():
    program = _program(accrual_start_date=date(2026, 5, 5), points_per_visit=D("10"))

    before = compute_points(program, _sale(sale_date=date(2026, 5, 4)))
    on_the_day = compute_points(program, _sale(sale_date=date(2026, 5, 5)))

    assert before.points == D("0")
    assert before.explanation == (
        "Sale 1043 at Capitol Hill on May 4, 2026: no points, customers earn points "
        "starting on May 5, 2026"
    )
    assert on_the_day.points == D("62")


def test_the_cards_points_imported_on_date_overrides_the_start_for_its_source():
    # given the program starts on May 10, and the card imported Cova's points up to May 1
    program = _program(accrual_start_date=date(2026, 5, 10))

    # then that source's shoppers earn from May 2 (the next day), not from May 10
    assert accrual_start(program, date(2026, 5, 1)) == date(2026, 5, 2)
    may_1 = compute_points(
        program, _sale(sale_date=date(2026, 5, 1), points_imported_on=date(2026, 5, 1))
    )
    may_2 = compute_points(
        program, _sale(sale_date=date(2026, 5, 2), points_imported_on=date(2026, 5, 1))
    )
    assert may_1.points == D("0")
    assert may_2.points == D("52")
    # and a sale from another source still waits for May 10
    assert compute_points(program, _sale(sale_date=date(2026, 5, 2))).points == D("0")


def test_a_program_turned_off_awards_nothing():
    result = compute_points(_program(enabled=False, points_per_visit=D("10")), _sale())

    assert result.points == D("0")
    assert (
        result.explanation == "Sale 1043 at Capitol Hill: no points, loyalty points are turned off"
    )


def test_refunds_earn_nothing_and_take_no_visit():
    program = _program(points_per_visit=D("10"))

    result = compute_points(program, _sale(total="-20.00", tax="-2.00"))

    assert result.points == D("0")
    assert result.counts_as_visit is False
    assert result.explanation == "Sale 1043 at Capitol Hill: -$20.00 earns no points"


def test_tax_larger_than_the_total_earns_no_spend_points():
    program = _program(no_tax_accrual_from=date(2026, 1, 1))

    result = compute_points(program, _sale(total="3.00", tax="5.00"))

    assert result.spend_points == D("0")


@pytest.mark.parametrize(
    ("rate", "total", "said"),
    [
        # a rate as the database reads it (four decimals): said without its zeros, and
        # the product said in cents as if the rate had none
        ("1.0000", "47.10", "x 1 pt/$ = 47.10, rounded down = 47"),
        ("10.0000", "47.10", "x 10 pt/$ = 471.00"),
        ("0.0500", "47.10", "x 0.05 pt/$ = 2.355, rounded down = 2"),
        ("2.5000", "0.99", "x 2.5 pt/$ = 2.475, rounded down = 2"),
        ("100", "12.34", "x 100 pt/$ = 1234.00"),
    ],
)
def test_the_rate_and_product_are_said_without_trailing_zeros(rate, total, said):
    result = compute_points(_program(points_per_dollar=D(rate)), _sale(total=total, tax="0"))

    assert result.explanation == f"Sale 1043 at Capitol Hill: ${total} {said}"


def test_visits_past_the_fifth_are_said_by_number():
    # given 10 points a visit, at most 7 a day
    program = _program(points_per_visit=D("10.00"), max_visits_per_day=7)

    fifth = compute_points(program, _sale(total="5.00", tax="0", visits_already_today=4))
    seventh = compute_points(program, _sale(total="5.00", tax="0", visits_already_today=6))
    eighth = compute_points(program, _sale(total="5.00", tax="0", visits_already_today=7))

    assert fifth.explanation.endswith("; +10 fifth visit today = 15 points")
    assert seventh.explanation.endswith("; +10 visit 7 today = 15 points")
    assert eighth.explanation.endswith(
        "; no visit points: 7 visits today already (at most 7 a day)"
    )
    assert (seventh.points, eighth.points) == (D("15"), D("5"))


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        ("47.10", "$47.10"),
        ("0.05", "$0.05"),
        ("999.99", "$999.99"),
        ("1000.00", "$1,000.00"),
        ("1234.5", "$1,234.50"),
        ("5", "$5.00"),
        ("47.1", "$47.10"),
        ("2.355", "$2.36"),
        ("-0.05", "-$0.05"),
        ("-1000.00", "-$1,000.00"),
        ("-0.00", "$0.00"),
        ("1E+3", "$1,000.00"),
    ],
)
def test_say_money(amount, said):
    assert say_money(D(amount)) == said
