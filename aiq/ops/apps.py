from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "aiq.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from aiq.db import register_index_wrappers
        from aiq.ops import checks  # noqa: F401 - registers the system checks

        register_index_wrappers()
