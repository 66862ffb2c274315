from django.apps import AppConfig
from django.db.models.signals import post_migrate


class InterventionsConfig(AppConfig):
    name = "offramp.interventions"
    verbose_name = "Intervention catalogue"

    def ready(self) -> None:
        from .services import install_national_catalogue

        post_migrate.connect(
            install_national_catalogue, sender=self, dispatch_uid="install_national_catalogue"
        )
