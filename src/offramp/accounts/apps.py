from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "offramp.accounts"
    verbose_name = "Users and access"
