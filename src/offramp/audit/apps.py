from typing import Any

from django.apps import AppConfig
from django.core.signals import request_finished, request_started


def _request_started(sender: object, environ: dict[str, Any] | None = None, **kwargs: Any) -> None:
    from .services import channel_for_path, set_channel

    scope = kwargs.get("scope") or {}
    path = (environ or {}).get("PATH_INFO") or scope.get("path") or ""
    set_channel(channel_for_path(str(path)))


def _request_finished(sender: object, **kwargs: Any) -> None:
    from .models import AuditChannel
    from .services import set_channel

    set_channel(AuditChannel.CLI)


class AuditConfig(AppConfig):
    name = "offramp.audit"
    verbose_name = "Timeline and audit"

    def ready(self) -> None:
        # Which channel (pages or API) an audit entry came through, without a middleware.
        request_started.connect(_request_started, dispatch_uid="offramp.audit.channel")
        request_finished.connect(_request_finished, dispatch_uid="offramp.audit.channel_end")
