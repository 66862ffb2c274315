"""Sign-in lockouts keep a keyed hash of the username typed instead of the text (issue 12):
existing rows are converted, so lockouts in force stay in force, and the clear text is dropped."""

from django.apps.registry import Apps
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from offramp.accounts.services import sign_in_username_digest


def hash_usernames(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    throttles = apps.get_model("accounts", "SignInThrottle")
    for throttle in throttles.objects.all():
        throttle.username_digest = sign_in_username_digest(throttle.username)
        throttle.save(update_fields=["username_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_and_agency_changes_take_a_second_administrator"),
    ]

    operations = [
        migrations.AddField(
            model_name="signinthrottle",
            name="username_digest",
            field=models.CharField(max_length=64, null=True),
        ),
        # Going back cannot recover what was typed: the rows are dropped, lifting lockouts.
        migrations.RunPython(hash_usernames, migrations.RunPython.noop),
        migrations.RemoveField(model_name="signinthrottle", name="username"),
        migrations.AlterField(
            model_name="signinthrottle",
            name="username_digest",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
