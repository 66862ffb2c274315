"""The framework in force for this deployment: national, plus the local extension if set."""

from django.conf import settings

from offramp.framework import Framework, get_framework


def current_framework() -> Framework:
    return get_framework(settings.OFFRAMP_FRAMEWORK_EXTENSION)
