from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "offramp.api"
    verbose_name = "API"
