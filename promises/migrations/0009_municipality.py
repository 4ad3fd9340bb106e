"""Municipalities as data: Sweden's 290 from data/municipalities.csv (SCB), and promises and
areas (and the promises' history) pointing at one instead of naming it in free text.

Existing text is matched to a municipality by name (case-insensitive, "Jönköpings kommun" as
"Jönköping") or by code; a name that matches none stops the migration with the names to fix,
so nothing is lost or guessed.
"""

import csv
from pathlib import Path

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models

CSV = Path(__file__).resolve().parents[2] / "data" / "municipalities.csv"


def municipalities_from_csv() -> list[dict]:
    with CSV.open(encoding="utf-8") as file:
        return list(csv.DictReader(line for line in file if not line.startswith("#")))


def _key(text: str) -> str:
    text = " ".join(text.split()).casefold()
    for suffix in (" kommun", " stad"):
        text = text.removesuffix(suffix)
    return text


def load_municipalities(apps, schema_editor):
    Municipality = apps.get_model("promises", "Municipality")
    Municipality.objects.bulk_create(
        Municipality(code=row["code"], name=row["name"], slug=row["slug"], county=row["county"])
        for row in municipalities_from_csv()
    )


def link(apps, schema_editor):
    Municipality = apps.get_model("promises", "Municipality")
    known = {}
    for municipality in Municipality.objects.all():
        known[municipality.code] = municipality
        known[_key(municipality.name)] = municipality
        known[_key(municipality.name) + "s"] = municipality  # "Jönköpings (kommun)"
    unknown = set()
    for model_name in ("Area", "Promise", "HistoricalPromise"):
        model = apps.get_model("promises", model_name)
        for row in model.objects.all():
            municipality = known.get(row.municipality.strip()) or known.get(_key(row.municipality))
            if municipality is None:
                unknown.add(row.municipality)
                continue
            row.municipality_ref = municipality
            row.save(update_fields=["municipality_ref"])
    if unknown:
        raise RuntimeError(
            "These municipality names match none of Sweden's 290 (data/municipalities.csv): "
            + ", ".join(sorted(unknown))
            + ". Rename them to a municipality's name or code, then migrate again."
        )


def unlink(apps, schema_editor):
    for model_name in ("Area", "Promise", "HistoricalPromise"):
        model = apps.get_model("promises", model_name)
        for row in model.objects.select_related("municipality_ref"):
            row.municipality = row.municipality_ref.name if row.municipality_ref else ""
            row.save(update_fields=["municipality"])


class Migration(migrations.Migration):
    dependencies = [
        ("promises", "0008_promise_revision_uuid"),
    ]

    operations = [
        migrations.CreateModel(
            name="Municipality",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "code",
                    models.CharField(
                        max_length=4,
                        unique=True,
                        validators=[
                            django.core.validators.RegexValidator(
                                "^[0-9]{4}$", "A municipality code has four digits, e.g. 0680."
                            )
                        ],
                        verbose_name="municipality code",
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="name")),
                ("slug", models.SlugField(max_length=100, unique=True, verbose_name="slug")),
                ("county", models.CharField(max_length=100, verbose_name="county")),
            ],
            options={"verbose_name": "municipality", "verbose_name_plural": "municipalities", "ordering": ["name"]},
        ),
        migrations.RunPython(load_municipalities, migrations.RunPython.noop),
        migrations.AddField(
            model_name="area",
            name="municipality_ref",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="promises.municipality"
            ),
        ),
        migrations.AddField(
            model_name="promise",
            name="municipality_ref",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="promises.municipality"
            ),
        ),
        migrations.AddField(
            model_name="historicalpromise",
            name="municipality_ref",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="promises.municipality",
            ),
        ),
        migrations.RunPython(link, unlink),
    ]
