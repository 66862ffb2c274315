from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "offramp.audit"
    verbose_name = "Timeline and audit"
