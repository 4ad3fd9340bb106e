"""A realistic national dataset: N promises over several years, their targets, and activities
spread over types, areas and weeks the way the targets use them, each with the history row the
model keeps for it (so the database's size is a live installation's). Activities go in by
PostgreSQL's COPY: about 4× faster than bulk_create here, which matters at 10 M (docs/scaling.md).
The benchmark's own data, written around the services on purpose: they check each entry's rules,
which is what the benchmark measures, not what it loads."""

import io
import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import connection, transaction

from promises import roles
from promises.loader import promise_load_file
from promises.models import Activity, Area, Municipality, Organisation, Promise, Target, User
from promises.revisions import promise_changed
from promises.services import promise_copy

SEED = Path(__file__).resolve().parent.parent / "data" / "medborgarlofte-2022-jonkoping.yaml"
# Not after the seed's 2022, so the measured promise is the one the public page leads with.
YEARS = (2020, 2021, 2022)
AREA_NAMES = ["Råslätt", "Öxnehaga", "Österängen", "Ekhagen", "Huskvarna", "Övriga Jönköpings kommun"]


def _area_in(areas: dict[str, Area]) -> Callable[[Area], Area]:
    """Map a seed area to the copy's area of the same name."""
    return lambda area: areas[area.name]


@transaction.atomic
def promises_create(count: int) -> list[Promise]:
    """The seed promise and `count - 1` copies for Sweden's other municipalities (their real
    codes), one year each, then the next year round."""
    seed = promise_load_file(path=SEED).promise
    if seed is None:
        raise RuntimeError(f"The seed promise in {SEED} did not load.")
    others = list(Municipality.objects.exclude(pk=seed.municipality_id).order_by("code"))
    if count - 1 > len(others) * len(YEARS):
        raise ValueError(f"At most {len(others) * len(YEARS) + 1} promises: {len(others)} municipalities × {YEARS}.")
    created = [seed]
    areas_of: dict[int, dict[str, Area]] = {}
    for index in range(count - 1):
        municipality = others[index % len(others)]
        if municipality.pk not in areas_of:
            areas = {
                area_name: Area.objects.create(municipality=municipality, name=area_name, slug=f"a{i}")
                for i, area_name in enumerate(AREA_NAMES)
            }
            areas["Hela Jönköpings kommun"] = Area.objects.create(
                municipality=municipality, name="Hela kommunen", slug="hela", is_whole_municipality=True
            )
            areas_of[municipality.pk] = areas
        created.append(
            promise_copy(
                promise=seed,
                year=YEARS[(index // len(others) + 1) % len(YEARS)],  # the seed's 2022 comes last
                municipality=municipality,
                area_for=_area_in(areas_of[municipality.pk]),
                status=Promise.Status.ACTIVE,
            )
        )
    return created


def bench_users() -> tuple[User, User]:
    police = Organisation.objects.get(short_name="Polisen")
    manager, _ = User.objects.get_or_create(username="bench-chef", defaults={"organisation": police})
    manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    municipality = Organisation.objects.get(short_name="Kommunen")
    municipal_manager, _ = User.objects.get_or_create(
        username="bench-chef-kommun", defaults={"organisation": municipality}
    )
    municipal_manager.groups.add(Group.objects.get(name=roles.MANAGERS))
    staff, _ = User.objects.get_or_create(username="bench-polis", defaults={"organisation": police})
    staff.groups.add(Group.objects.get(name=roles.POLICE_STAFF))
    return manager, staff


def _activity_plans(promises: list[Promise]) -> list[tuple[Promise, int, list[int], bool]]:
    """(promise, type id, area ids, first-time flag) for every counted target with areas: the
    combinations real entries use."""
    plans: list[tuple[Promise, int, list[int], bool]] = []
    for promise in promises:
        for target in Target.objects.filter(
            commitment__section__promise=promise, activity_type__isnull=False
        ).prefetch_related("areas"):
            activity_type = target.activity_type
            if activity_type is None:  # not so: the query asks for a type
                continue
            area_ids = [a.pk for a in target.areas.all()]
            if area_ids and target.kind != Target.Kind.SHARE:
                plans.append((promise, activity_type.pk, area_ids, activity_type.has_first_time_user))
    return plans


# Rows per COPY: a few tens of MB of text in memory at a time.
COPY_CHUNK = 200_000
_COPY_COLUMNS = (
    "promise_id, activity_type_id, area_id, date, quantity, first_time_user, description, note, "
    "organisation_id, created_by_id, created_at, updated_at"
)


def activities_add(*, promises: list[Promise], count: int, user: User, seed: int, method: str = "copy") -> None:
    """Add `count` activities spread over the promises' target types and areas, and their
    history rows. `method` "copy" streams them in by COPY (PostgreSQL only); "bulk" uses
    bulk_create (any database; kept to compare the two)."""
    if user.organisation_id is None:
        raise ValueError(f"The bench user {user.username} belongs to no organisation.")
    organisation_id = user.organisation_id
    rng = random.Random(seed)
    plans = _activity_plans(promises)
    if not plans:
        raise ValueError("The promises have no counted target with areas to log activities for.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM promises_activity")
        (last_id,) = cursor.fetchone()
    if method == "copy":
        _copy_activities(rng=rng, plans=plans, count=count, organisation_id=organisation_id, user_id=user.pk)
    elif method == "bulk":
        _bulk_activities(rng=rng, plans=plans, count=count, organisation_id=organisation_id, user=user)
    else:
        raise ValueError(f"Unknown method {method!r}: copy or bulk.")
    _history_add(after_id=last_id)
    promise_changed(promise.pk for promise in promises)


def _copy_activities(
    *,
    rng: random.Random,
    plans: list[tuple[Promise, int, list[int], bool]],
    count: int,
    organisation_id: int,
    user_id: int,
) -> None:
    # Each row as COPY's text format: tab-separated, \N for NULL, booleans t/f.
    first_day = {promise.pk: date(promise.year, 1, 1) for promise, *_ in plans}
    quantities = ("1", "1", "1", "2", "3")
    done = 0
    while done < count:
        rows = min(COPY_CHUNK, count - done)
        buffer = io.StringIO()
        write = buffer.write
        for _ in range(rows):
            promise, type_id, area_ids, flagged = rng.choice(plans)
            day = first_day[promise.pk] + timedelta(days=rng.randrange(365))
            flag = ("t" if rng.random() < 0.25 else "f") if flagged else "\\N"
            stamp = f"{day.isoformat()} 12:00:00+00"
            write(
                f"{promise.pk}\t{type_id}\t{rng.choice(area_ids)}\t{day.isoformat()}\t{rng.choice(quantities)}\t"
                f"{flag}\t\t\t{organisation_id}\t{user_id}\t{stamp}\t{stamp}\n"
            )
        buffer.seek(0)
        with connection.cursor() as cursor:  # psycopg2's copy_expert, through Django's wrapper
            cursor.copy_expert(f"COPY promises_activity ({_COPY_COLUMNS}) FROM STDIN", buffer)
        done += rows


def _bulk_activities(
    *,
    rng: random.Random,
    plans: list[tuple[Promise, int, list[int], bool]],
    count: int,
    organisation_id: int,
    user: User,
) -> None:
    batch: list[Activity] = []
    for _ in range(count):
        promise, type_id, area_ids, flagged = rng.choice(plans)
        batch.append(
            Activity(
                promise=promise,
                activity_type_id=type_id,
                area_id=rng.choice(area_ids),
                date=date(promise.year, 1, 1) + timedelta(days=rng.randrange(365)),
                quantity=rng.choice((1, 1, 1, 2, 3)),
                first_time_user=(rng.random() < 0.25) if flagged else None,
                organisation_id=organisation_id,
                created_by=user,
            )
        )
        if len(batch) == 20_000:
            Activity.objects.bulk_create(batch, batch_size=5000)
            batch = []
    Activity.objects.bulk_create(batch, batch_size=5000)


_HISTORY_COLUMNS = (
    "id, date, quantity, first_time_user, duration_minutes, description, note, submission_key, created_at, "
    "updated_at, promise_id, activity_type_id, area_id, organisation_id, created_by_id, import_batch_id"
)


def _history_add(*, after_id: int) -> None:
    """The "created" history row simple_history writes for each new entry, in one statement."""
    history = Activity.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {history} ({_HISTORY_COLUMNS}, history_date, history_change_reason, history_type, "
            f"history_user_id) SELECT {_HISTORY_COLUMNS}, created_at, NULL, '+', created_by_id "
            "FROM promises_activity WHERE id > %s",
            [after_id],
        )


def publish(*, promise: Promise, tertials: tuple[int, ...] = (1, 2)) -> None:
    """Publish tertials of the measured promise, so the public page and the API show figures."""
    from followup.models import Status
    from followup.services import target_comment_save, tertial_approve
    from promises.periods import Tertial

    approvers = list(User.objects.filter(username__in=["bench-chef", "bench-chef-kommun"]))
    qualitative = Target.objects.filter(commitment__section__promise=promise, kind=Target.Kind.QUALITATIVE)
    for number in tertials:
        tertial = Tertial(promise.year, number)
        for target in qualitative:
            # Approving needs every target without a number assessed.
            target_comment_save(
                target=target,
                tertial=number,
                user=approvers[0],
                analysis="Benchmark.",
                measures="",
                manual_status=Status.NOT_ASSESSED,
            )
        reason = "Benchmark" if promise.publications.filter(tertial=number).exists() else ""
        for user in approvers:
            tertial_approve(promise=promise, tertial=tertial, user=user, reason=reason)
