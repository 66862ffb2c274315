from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "offramp.retention"
    verbose_name = "Retention and disposal"
