from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "offramp.reports"
    verbose_name = "Local Profile and what works"
