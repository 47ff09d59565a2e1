from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "aiq.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from aiq.db import register_index_wrappers
        from aiq.ops import checks  # noqa: F401 - registers the system checks
        from aiq.raw_rows import choose_hot_timestamp_loader, prefer_generic_plans

        register_index_wrappers()
        connection_created.connect(prefer_generic_plans, dispatch_uid="prefer_generic_plans")
        connection_created.connect(
            choose_hot_timestamp_loader, dispatch_uid="choose_hot_timestamp_loader"
        )
