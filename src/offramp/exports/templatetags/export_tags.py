"""Template filters for the links into exports from other apps' pages."""

from django import template

from offramp.access.permissions import Capability, has_capability

register = template.Library()


@register.filter
def can_export_records(user: object) -> bool:
    return has_capability(user, Capability.EXPORT_RECORDS)  # type: ignore[arg-type]


@register.filter
def can_request_subject_access(user: object) -> bool:
    return has_capability(user, Capability.SUBJECT_ACCESS)  # type: ignore[arg-type]
