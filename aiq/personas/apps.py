from django.apps import AppConfig


class PersonasConfig(AppConfig):
    name = "aiq.personas"
    label = "personas"
    verbose_name = "Personas"

    def ready(self) -> None:
        from django.db.models import CharField
        from django.db.models.functions import Lower

        # Enables `name__lower__startswith`, which matches the lower() indexes.
        CharField.register_lookup(Lower)
