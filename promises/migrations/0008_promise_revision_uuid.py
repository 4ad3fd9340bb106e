# A promise's revision becomes a random UUID: a value that never comes back, so a cache key
# made from it cannot be reused for other figures (not even after a restore).

import uuid

from django.db import migrations, models


def _new_revisions(apps, schema_editor):
    Promise = apps.get_model("promises", "Promise")
    for pk in Promise.objects.values_list("pk", flat=True):
        Promise.objects.filter(pk=pk).update(revision=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0007_figures_from_activities_covering_index"),
    ]

    operations = [
        # An integer cannot be cast to a UUID: replace the column, one new value per promise.
        migrations.RemoveField(model_name="promise", name="revision"),
        migrations.AddField(model_name="promise", name="revision", field=models.UUIDField(null=True, editable=False)),
        migrations.RunPython(_new_revisions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="promise", name="revision", field=models.UUIDField(default=uuid.uuid4, editable=False)
        ),
    ]
