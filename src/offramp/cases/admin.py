from django.contrib import admin

from offramp.audit.admin import AuditedModelAdmin

from .models import Panel


@admin.register(Panel)
class PanelAdmin(AuditedModelAdmin):
    """Administrators set up the standing panels and which agencies sit on each; membership
    decides which agencies' panel members may see the cases on its agendas."""

    list_display = ["name", "active"]
    filter_horizontal = ["member_agencies"]
