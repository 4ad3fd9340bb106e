"""One mixed year of police and municipal activity, entered three ways: imported through the
import page, sent through the API in batches, and typed into the staff form one entry at a
time. The dashboard's figures come out identical: one set of rules, three doors."""

import json
import random
import uuid
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from medborgarlofte import exports
from promises.importing import COLUMNS
from promises.models import Activity, ImportBatch
from promises.services import api_token_create
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022


def mixed_year(world: World, *, seed: int = YEAR) -> list[dict]:
    """Entries of a year, as the organisations report them: foot patrols, traffic controls
    and drug offences by the police, lägesbilder by the municipality, measures by both."""
    rng = random.Random(seed)
    rows = []
    day = date(YEAR, 1, 3)
    while day.year == YEAR:
        police = [
            {"activity_type": world.patrol, "area": world.raslatt, "quantity": rng.randint(1, 4)},
            # Patrols where no target counts them: stored, counted nowhere, shown as "outside".
            {"activity_type": world.patrol, "area": world.oxnehaga, "quantity": rng.randint(1, 3)},
            {
                "activity_type": world.traffic,
                "area": rng.choice([world.raslatt, world.oxnehaga]),
                "duration_minutes": rng.randint(20, 90),
            },
            {"activity_type": world.drugs, "area": world.raslatt, "first_time_user": rng.random() < 0.3},
            {"activity_type": world.measure, "area": world.oxnehaga, "description": "Belysning vid torget"},
        ]
        municipal = [
            {"activity_type": world.report, "area": rng.choice([world.raslatt, world.oxnehaga])},
            {"activity_type": world.measure, "area": world.whole, "description": "Klottersanering"},
        ]
        rows.append({"organisation": "police", "date": day, **rng.choice(police)})
        if rng.random() < 0.6:
            rows.append({"organisation": "municipality", "date": day, **rng.choice(municipal)})
        day += timedelta(days=rng.randint(4, 9))
    return rows


def _user(world: World, row: dict):
    return world.officer if row["organisation"] == "police" else world.clerk


def _through_the_import(client, world: World, rows: list[dict]) -> None:
    for user in (world.officer, world.clerk):
        lines = [
            [
                row["date"].isoformat(),
                row["activity_type"].name,
                row["area"].name,
                row.get("quantity", 1),
                {True: "ja", False: "nej"}.get(row.get("first_time_user"), ""),
                row.get("duration_minutes", ""),
                row.get("description", ""),
                "",
            ]
            for row in rows
            if _user(world, row) == user
        ]
        client.force_login(user)
        upload = SimpleUploadedFile("export.csv", exports.csv_bytes(COLUMNS, lines))
        response = client.post(reverse("activity_import"), {"file": upload})
        assert response.context["preview"].errors == []
        client.post(reverse("activity_import_confirm"), response.context["confirm_form"].initial)


def _through_the_api(client, world: World, rows: list[dict]) -> None:
    keys = {
        "police": api_token_create(organisation=world.police, name="RAR")[1],
        "municipality": api_token_create(organisation=world.municipality, name="Kommunens system")[1],
    }
    for organisation, key in keys.items():
        entries = [
            {
                "activity_type": row["activity_type"].code,
                "area": row["area"].name,
                "date": row["date"].isoformat(),
                **{f: row[f] for f in ("quantity", "first_time_user", "duration_minutes", "description") if f in row},
            }
            for row in rows
            if row["organisation"] == organisation
        ]
        for start in range(0, len(entries), 25):
            response = client.post(
                "/api/v1/activities/",
                data=json.dumps(entries[start : start + 25]),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Api-Key {key}",
                HTTP_IDEMPOTENCY_KEY=f"{organisation}-{start}",
            )
            assert response.status_code == 201, response.json()


def _through_the_form(client, world: World, rows: list[dict]) -> None:
    for row in rows:
        client.force_login(_user(world, row))
        data = {
            "area": row["area"].pk,
            "date": row["date"].isoformat(),
            "quantity": row.get("quantity", 1),
            "submission_key": str(uuid.uuid4()),
        }
        if "first_time_user" in row:
            data["first_time_user"] = "ja" if row["first_time_user"] else "nej"
        for field in ("duration_minutes", "description"):
            if field in row:
                data[field] = row[field]
        response = client.post(reverse("activity_log", args=[row["activity_type"].code]), data)
        assert response.status_code == 302, response.context["form"].errors


def _dashboard_figures(client, world: World) -> list[bytes]:
    """The dashboard of every tertial, as its export (the table's figures, statuses, forecasts)."""
    cache.clear()
    client.force_login(world.manager)
    url = reverse("followup:dashboard")
    return [
        client.get(url, {"promise": world.promise.pk, "tertial": tertial, "_export": "csv"}).content
        for tertial in (1, 2, 3)
    ]


def test_a_year_gives_the_same_figures_through_the_import_the_api_and_the_form(client, settings, tmp_path):
    settings.IMPORT_DIR = tmp_path
    world = World(year=YEAR)
    rows = mixed_year(world)
    assert {row["organisation"] for row in rows} == {"police", "municipality"}
    figures = {}
    for door, enter in (("import", _through_the_import), ("api", _through_the_api), ("form", _through_the_form)):
        Activity.objects.all().delete()
        ImportBatch.objects.all().delete()
        enter(client, world, rows)
        assert Activity.objects.count() == len(rows), door
        figures[door] = _dashboard_figures(client, world)
    assert figures["api"] == figures["import"]
    assert figures["form"] == figures["import"]

    # And they are the year's: the patrol target's full-year outcome is every patrol logged
    # on Råslätt; those on Öxnehaga, which no target counts, are stored and shown beside it.
    def patrols_in(area):
        return sum(
            row.get("quantity", 1) for row in rows if row["activity_type"] == world.patrol and row["area"] == area
        )

    assert patrols_in(world.oxnehaga) > 0
    lines = figures["form"][2].decode("utf-8-sig").splitlines()
    patrol_line = next(line.split(";") for line in lines if line.split(";")[1] == world.patrol_target.title)
    assert patrol_line[4] == str(patrols_in(world.raslatt))
    page = client.get(reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=3").content.decode()
    assert f"Dessutom {patrols_in(world.oxnehaga)} i Öxnehaga, som inget mål räknar" in page
