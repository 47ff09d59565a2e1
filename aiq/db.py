"""Small database helpers shared by the apps."""

from __future__ import annotations

from django.contrib.postgres.indexes import OpClass


class PatternOpClass(OpClass):
    """An index operator class on PostgreSQL that other databases simply leave out.

    Used for text_pattern_ops, so prefix searches are indexed on PostgreSQL while the
    embedded SQLite run still migrates.
    """

    def as_sqlite(self, compiler, connection, **extra_context):  # type: ignore[no-untyped-def]
        return compiler.compile(self.source_expressions[0])


def register_index_wrappers() -> None:
    """Let PatternOpClass wrap index expressions the way OpClass does.

    django.contrib.postgres registers OpClass by exact type in its ready(); a subclass has
    to be added to that list too, after it.
    """
    from django.db.models import OrderBy
    from django.db.models.functions import Collate
    from django.db.models.indexes import IndexExpression

    IndexExpression.register_wrappers(OrderBy, OpClass, Collate, PatternOpClass)
