from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "offramp.demo"
    verbose_name = "Synthetic demo area"
