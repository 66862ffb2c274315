"""When a meeting was held: panel members' access to its cases runs out a set time after it.

Meetings held before this field existed are dated from the day they met (the start of that day),
so their members' access ends no later than it would have had the time been recorded.
"""

import datetime

from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone


def date_held_meetings(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    PanelMeeting = apps.get_model("cases", "PanelMeeting")
    zone = timezone.get_current_timezone()
    for meeting in PanelMeeting.objects.filter(status="held", held_at__isnull=True):
        meeting.held_at = datetime.datetime.combine(meeting.meets_on, datetime.time.min, zone)
        meeting.save(update_fields=["held_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="panelmeeting",
            name="held_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(date_held_meetings, migrations.RunPython.noop),
    ]
