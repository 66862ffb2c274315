from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "offramp.cases"
    verbose_name = "Cases, panels and support plans"
