from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "offramp.agencies"
    verbose_name = "Agencies"
