from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "offramp.web"
    verbose_name = "Pages"
