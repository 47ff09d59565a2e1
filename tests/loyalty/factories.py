from __future__ import annotations

from decimal import Decimal

import factory

from loyalty.discounts.choices import DiscountKind
from loyalty.discounts.models import Discount, DiscountUse
from loyalty.program.models import LoyaltyProgram
from tests.factories import CompanyFactory, PersonaFactory


class LoyaltyProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LoyaltyProgram

    company = factory.SubFactory(CompanyFactory)
    enabled = True
    points_per_dollar = Decimal("1")


class DiscountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Discount

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"${n + 5} off")
    kind = DiscountKind.FLAT
    value = Decimal("10")
    points_cost = Decimal("100")


class DiscountUseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DiscountUse

    discount = factory.SubFactory(DiscountFactory)
    company = factory.LazyAttribute(lambda o: o.discount.company)
    persona = factory.SubFactory(PersonaFactory, company=factory.SelfAttribute("..company"))
    used_at = factory.Faker("date_time_this_year", tzinfo=__import__("datetime").timezone.utc)
