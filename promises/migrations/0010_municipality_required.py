"""Promises and areas now name their municipality by reference only (see 0009).

A migration of its own: on PostgreSQL, altering a table in the transaction that just updated
its rows with a deferred foreign key fails ("pending trigger events").
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0009_municipality"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="area", name="area_unique_name"),
        migrations.RemoveConstraint(model_name="area", name="area_unique_slug"),
        migrations.RemoveConstraint(model_name="area", name="area_one_whole_municipality"),
        migrations.RemoveConstraint(model_name="promise", name="promise_one_per_municipality_year"),
        migrations.RemoveField(model_name="area", name="municipality"),
        migrations.RemoveField(model_name="promise", name="municipality"),
        migrations.RemoveField(model_name="historicalpromise", name="municipality"),
        migrations.RenameField(model_name="area", old_name="municipality_ref", new_name="municipality"),
        migrations.RenameField(model_name="promise", old_name="municipality_ref", new_name="municipality"),
        migrations.RenameField(model_name="historicalpromise", old_name="municipality_ref", new_name="municipality"),
        migrations.AlterField(
            model_name="area",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="areas",
                to="promises.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterField(
            model_name="promise",
            name="municipality",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="promises",
                to="promises.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterField(
            model_name="historicalpromise",
            name="municipality",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="promises.municipality",
                verbose_name="municipality",
            ),
        ),
        migrations.AlterModelOptions(
            name="area",
            options={
                "ordering": ["municipality__name", "is_whole_municipality", "name"],
                "verbose_name": "area",
                "verbose_name_plural": "areas",
            },
        ),
        migrations.AlterModelOptions(
            name="promise",
            options={
                "ordering": ["-year", "municipality__name"],
                "verbose_name": "citizen promise",
                "verbose_name_plural": "citizen promises",
            },
        ),
        migrations.AddConstraint(
            model_name="area",
            constraint=models.UniqueConstraint(fields=("municipality", "name"), name="area_unique_name"),
        ),
        migrations.AddConstraint(
            model_name="area",
            constraint=models.UniqueConstraint(fields=("municipality", "slug"), name="area_unique_slug"),
        ),
        migrations.AddConstraint(
            model_name="area",
            constraint=models.UniqueConstraint(
                condition=models.Q(("is_whole_municipality", True)),
                fields=("municipality",),
                name="area_one_whole_municipality",
            ),
        ),
        migrations.AddConstraint(
            model_name="promise",
            constraint=models.UniqueConstraint(
                fields=("municipality", "year"), name="promise_one_per_municipality_year"
            ),
        ),
    ]
