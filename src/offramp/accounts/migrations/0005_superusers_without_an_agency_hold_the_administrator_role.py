"""Administration is now for the administrator role only (ADR 0011). Superusers made by
`createsuperuser` before it had the default role and no agency, so no capability outside
administration: giving them the administrator role keeps their access and changes nothing else.
Staff with an agency and another role are left alone; they lose administration until a second
administrator approves the administrator role for them."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def command_line_superusers_are_administrators(
    apps: Apps, schema_editor: BaseDatabaseSchemaEditor
) -> None:
    users = apps.get_model("accounts", "User")
    users.objects.filter(is_superuser=True, agency__isnull=True).update(
        role="administrator", is_staff=True
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_sign_in_lockouts_keyed_by_a_username_hash")]

    operations = [
        migrations.RunPython(command_line_superusers_are_administrators, migrations.RunPython.noop)
    ]
