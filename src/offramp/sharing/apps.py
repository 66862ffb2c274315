from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "offramp.sharing"
    verbose_name = "Lawful sharing"
