from django.db import migrations


def lock_published(apps, schema_editor):
    """Every tertial already published locks its entries, as it did when the rule read publications."""
    Publication = apps.get_model("followup", "Publication")
    PublishedTertial = apps.get_model("promises", "PublishedTertial")
    pairs = set(Publication.objects.values_list("promise_id", "tertial"))
    PublishedTertial.objects.bulk_create(
        [PublishedTertial(promise_id=promise_id, tertial=tertial) for promise_id, tertial in sorted(pairs)],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0001_initial"),
        ("promises", "0006_published_tertial"),
    ]

    operations = [migrations.RunPython(lock_published, migrations.RunPython.noop)]
