from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "aiq.accounts"
    label = "accounts"
    verbose_name = "Company account"
