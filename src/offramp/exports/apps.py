from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "offramp.exports"
    verbose_name = "Exports and subject access"

    def ready(self) -> None:
        from .referral_list import ReferralListExporter
        from .registry import register
        from .subject_access import SubjectAccessExporter

        register(ReferralListExporter())
        register(SubjectAccessExporter())
