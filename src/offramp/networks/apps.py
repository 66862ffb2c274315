from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "offramp.networks"
    verbose_name = "Organised crime groups and networks"

    def ready(self) -> None:
        from offramp.exports.registry import register

        from .exports import NetworkExporter

        register(NetworkExporter())
