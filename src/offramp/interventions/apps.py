from django.apps import AppConfig


class InterventionsConfig(AppConfig):
    name = "offramp.interventions"
    verbose_name = "Intervention catalogue"
