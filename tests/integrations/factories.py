"""Factories for integration cards, credentials and POS keys."""

from __future__ import annotations

import factory

from integrations.choices import PosKeySource
from integrations.models import Credential, Integration, PosKey
from integrations.sandbox_credentials import DEMO_SANDBOX_CREDENTIALS, issue_sandbox_credentials
from stores.models import StoreMapping
from tests.factories import CompanyFactory


class IntegrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Integration

    company = factory.SubFactory(CompanyFactory)
    provider = "cova"


def sandbox_values(provider: str, option: str = "") -> dict[str, str]:
    """A sandbox credential as `manage.py sandbox_credentials` issues it (no integrator
    token: AIQ holds that), with ``option`` (e.g. ``fault=malformed``) in one field."""
    values = dict(DEMO_SANDBOX_CREDENTIALS[provider])
    if option:
        field = {"cova": "password", "posabit": "key", "clover": "api_token"}[provider]
        values[field] = f"{values[field]},{option}"
    return issue_sandbox_credentials(provider, values)


class CredentialFactory(factory.django.DjangoModelFactory):
    """A credential; ``values`` are its fields in clear (encrypted on save), the provider's
    sandbox credentials by default."""

    class Meta:
        model = Credential
        skip_postgeneration_save = True

    integration = factory.SubFactory(IntegrationFactory)
    company = factory.LazyAttribute(lambda o: o.integration.company)
    is_sandbox = True

    @factory.post_generation
    def values(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        obj.set_values(extracted or sandbox_values(obj.integration.provider))
        if create:
            obj.save()


class PosKeyFactory(factory.django.DjangoModelFactory):
    """A key a credential of the card reaches (``credential=None``: a retired key, whose
    credential was removed)."""

    class Meta:
        model = PosKey

    integration = factory.SubFactory(IntegrationFactory)
    company = factory.LazyAttribute(lambda o: o.integration.company)
    credential = factory.LazyAttribute(
        lambda o: o.integration.credentials.first() or CredentialFactory(integration=o.integration)
    )
    key = factory.Sequence(lambda n: f"{1000 + n}")
    name = factory.Sequence(lambda n: f"Location {n}")
    source = PosKeySource.POS


class StoreMappingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StoreMapping

    company = factory.LazyAttribute(lambda o: o.store.company)
    provider = "cova"
    key = factory.Sequence(lambda n: f"{1000 + n}")
