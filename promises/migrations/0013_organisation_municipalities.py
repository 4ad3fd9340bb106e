"""Organisations serve municipalities (staff log only there).

Existing organisations serve the municipalities of the promises they are party to. One that is
party to none (the 2022 promise's housing company) serves the only municipality that has a
promise, in an installation that has one; with several, an administrator chooses in the admin.
"""

from django.db import migrations, models


def serve_what_they_signed(apps, schema_editor):
    Organisation = apps.get_model("promises", "Organisation")
    Promise = apps.get_model("promises", "Promise")
    with_promise = set(Promise.objects.values_list("municipality_id", flat=True))
    for organisation in Organisation.objects.all():
        served = set(Promise.objects.filter(parties=organisation).values_list("municipality_id", flat=True))
        if not served and len(with_promise) == 1:
            served = with_promise
        organisation.municipalities.set(served)


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0012_area_activitytype_aliases"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="municipalities",
            field=models.ManyToManyField(
                blank=True, related_name="organisations", to="promises.municipality", verbose_name="municipalities served"
            ),
        ),
        migrations.RunPython(serve_what_they_signed, migrations.RunPython.noop),
    ]
