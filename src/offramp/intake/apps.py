from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "offramp.intake"
    verbose_name = "Partner data intake"
