from django.apps import AppConfig


class AudiencesConfig(AppConfig):
    name = "aiq.audiences"
    label = "audiences"
    verbose_name = "Marketing"
