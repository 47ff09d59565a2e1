"""Every constraint and index the models declare exists in the migrated database.

Django's schema editor can drop more than a migration says: turning off ``db_index`` on a
foreign key (loyalty 0009) dropped every single-column index on the column, a partial
unique index included, while the models went on declaring it (loyalty 0013 put it back).
``makemigrations --check`` compares models with migrations, never with the database."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection

pytestmark = pytest.mark.django_db


def test_every_declared_constraint_and_index_is_in_the_database():
    missing = []
    with connection.cursor() as cursor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            present = connection.introspection.get_constraints(cursor, model._meta.db_table)
            declared = [*model._meta.constraints, *model._meta.indexes]
            missing += [
                f"{model._meta.label}: {item.name}" for item in declared if item.name not in present
            ]
    assert missing == []
