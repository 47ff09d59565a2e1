from django.apps import AppConfig


class QueueConfig(AppConfig):
    name = "stores.queue"
    # "queue" is the stdlib's module name, never this package's import path; as a label it
    # only names tables, permissions and admin URLs (queue_checkin, /admin/queue/).
    label = "queue"
    verbose_name = "Waiting-room queue"
