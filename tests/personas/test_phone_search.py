"""Phone search as staff type it: the full number in any format, or its last 4 or 7 digits."""

from __future__ import annotations

import pytest
from django.db import connection

from aiq.personas.models import Persona
from aiq.personas.search import search_personas
from tests.factories import PersonaFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/personas/persona/"


@pytest.fixture
def shoppers(company_a, company_b):
    return {
        "target": PersonaFactory(company=company_a, first_name="Target", phone="+12065550134"),
        "same_last4": PersonaFactory(company=company_a, first_name="Twin", phone="+14255550134"),
        "other": PersonaFactory(company=company_a, first_name="Other", phone="+12065550135"),
        "elsewhere": PersonaFactory(
            company=company_b, first_name="Elsewhere", phone="+12065550134"
        ),
    }


def _names(client, term: str) -> set[str]:
    response = client.get(LIST, {"q": term})
    assert response.status_code == 200
    return {p.first_name for p in response.context["cl"].result_list}


def test_last_four_digits_find_every_shopper_ending_so(owner_a, shoppers):
    # Given two shoppers whose phones end in 0134 and one ending in 0135
    # When staff type the last four
    found = _names(owner_a, "0134")

    # Then both 0134 shoppers of this company are found, nobody else
    assert found == {"Target", "Twin"}


@pytest.mark.parametrize("typed", ["5550134", "555-0134", "555 0134"])
def test_last_seven_digits_find_the_shopper(owner_a, shoppers, typed):
    # Given shoppers with the same last four but different exchanges or area codes
    # When staff type the local number
    found = _names(owner_a, typed)

    # Then the 206 and 425 numbers both end in 555-0134
    assert found == {"Target", "Twin"}


def test_the_full_number_still_matches_exactly(owner_a, shoppers):
    # Given two shoppers sharing the last seven digits in different area codes
    # When staff type the whole number
    found = _names(owner_a, "(206) 555-0134")

    # Then only the exact number is found
    assert found == {"Target"}


def test_other_lengths_are_not_last_digits():
    from aiq.personas.search import last_digits

    assert last_digits("0134") == "0134"
    assert last_digits("555-0134") == "5550134"
    assert last_digits("134") is None
    assert last_digits("50134") is None
    assert last_digits("12ab") is None
    assert last_digits("٠١٣٤") is None  # Arabic-Indic digits are not what phones store


def _many_shoppers_analyzed(company) -> None:
    """Enough rows, with fresh statistics, that the planner's choice is the one it makes in
    production (on a nearly empty table any index, or none, costs the same; the choice then
    depends on what earlier tests left in the statistics)."""
    Persona.objects.bulk_create(
        Persona(company=company, first_name="Shopper", phone=f"+1206{n:07d}") for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE personas_persona")


def test_a_four_digit_search_uses_the_last_four_index(company_a):
    # Given PostgreSQL (SQLite's planner is not what production runs)
    if connection.vendor != "postgresql":
        pytest.skip("the index plan is checked on PostgreSQL")
    _many_shoppers_analyzed(company_a)
    queryset = search_personas(Persona.objects.filter(company=company_a), "0134", "US")

    # When the planner may not fall back to reading the whole table
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()

    # Then it reads the last-four index
    assert "persona_company_phone_last4" in plan


def test_a_seven_digit_search_uses_the_last_seven_index(company_a):
    if connection.vendor != "postgresql":
        pytest.skip("the index plan is checked on PostgreSQL")
    _many_shoppers_analyzed(company_a)
    queryset = search_personas(Persona.objects.filter(company=company_a), "5550134", "US")

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()

    assert "persona_company_phone_last7" in plan
