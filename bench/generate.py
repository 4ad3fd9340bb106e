"""A realistic national dataset: N promises over several years, their targets, and activities
spread over types, areas and weeks the way the targets use them. Bulk inserts; no history
(the benchmark reads, it does not audit)."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction

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


def activities_add(*, promises: list[Promise], count: int, user: User, seed: int) -> None:
    """Add `count` activities spread over the promises' target types and areas, in bulk."""
    if user.organisation_id is None:
        raise ValueError(f"The bench user {user.username} belongs to no organisation.")
    organisation_id = user.organisation_id
    rng = random.Random(seed)
    plans: list[tuple[Promise, int, list[int], bool]] = []  # (promise, type id, area ids, flag)
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
    promise_changed(promise.pk for promise in promises)


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
