from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from aiq.accounts.choices import Role
from aiq.accounts.models import Company, Membership
from aiq.personas.choices import Source
from aiq.personas.models import Persona, PersonaIdentity
from stores.models import RetailStore

PASSWORD = "test-pass-2026"


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Dispensary {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    company = factory.SubFactory(CompanyFactory)
    role = Role.OWNER


class RetailStoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RetailStore

    company = factory.SubFactory(CompanyFactory)
    name = factory.Sequence(lambda n: f"Store {n}")
    city = "Seattle"
    state = "WA"
    time_zone = "America/Los_Angeles"


class PersonaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Persona

    company = factory.SubFactory(CompanyFactory)
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = factory.Sequence(lambda n: f"Last{n}")
    email = factory.Sequence(lambda n: f"shopper{n}@example.com")
    phone = factory.Sequence(lambda n: f"+1206201{n:04d}")
    phone_raw = factory.LazyAttribute(lambda o: o.phone)


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonaIdentity

    persona = factory.SubFactory(PersonaFactory)
    company = factory.LazyAttribute(lambda o: o.persona.company)
    source = Source.COVA
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    first_seen_at = factory.LazyFunction(timezone.now)
    last_seen_at = factory.LazyFunction(timezone.now)
