from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('intake', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='importedrelationship',
            name='source_agency',
            field=models.CharField(blank=True, help_text='The agency that recorded the tie (its id)', max_length=80),
        ),
    ]
