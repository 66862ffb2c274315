from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "offramp.screening"
    verbose_name = "Screening partner data for candidates"
