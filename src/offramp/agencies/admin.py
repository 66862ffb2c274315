from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from offramp.audit.admin import AuditedModelAdmin

from .models import Agency

REFUSAL = (
    "An agency that people, referrals, users or other records are attached to cannot be "
    "deleted: untick Active to retire it instead."
)


@admin.register(Agency)
class AgencyAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """Only an agency nothing refers to may go: deleting one would otherwise cascade into
        panels and agreements or be blocked by its people, named on the page (issue 12)."""
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        attached = [
            f"{count} {name}"
            for name, count in model_count.items()
            if name != self.opts.verbose_name_plural
        ]
        if protected or attached:
            protected = [REFUSAL, *protected, *attached]
        return deleted, model_count, perms_needed, protected
