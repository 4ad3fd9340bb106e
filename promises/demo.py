"""Demo users and plausible activity data, so a newcomer sees a living application.

Never run against production: every demo user shares a published password.
"""

import random
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import transaction

from promises import roles
from promises.models import ActivityType, Area, Organisation, Promise, User
from promises.periods import period_bounds, period_of
from promises.revisions import promise_changed
from promises.services import ActivityData, activity_create_many, promise_copy, structure_save

DEMO_PASSWORD = "medborgarlofte-demo"

# username, first name, group, organisation short name, is Django-admin staff
DEMO_USERS = [
    ("polis", "Demo Polis", roles.POLICE_STAFF, "Polisen", False),
    ("kommun", "Demo Kommun", roles.MUNICIPAL_STAFF, "Kommunen", False),
    ("vatterhem", "Demo Vätterhem", roles.HOUSING_STAFF, "Vätterhem", False),
    ("chef.polis", "Demo Chef Polis", roles.MANAGERS, "Polisen", False),
    ("chef.kommun", "Demo Chef Kommun", roles.MANAGERS, "Kommunen", False),
    ("admin", "Demo Administratör", roles.ADMINISTRATORS, None, True),
]


def demo_users_create() -> list[User]:
    users = []
    for username, first_name, group_name, org_short_name, is_admin_staff in DEMO_USERS:
        organisation = Organisation.objects.get(short_name=org_short_name) if org_short_name else None
        user, created = User.objects.get_or_create(
            username=username,
            # An address that cannot receive mail (RFC 2606), so the console shows the notifications.
            defaults={
                "first_name": first_name,
                "organisation": organisation,
                "is_staff": is_admin_staff,
                "email": f"{username}@example.invalid",
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get(name=group_name))
        users.append(user)
    return users


# (activity code, areas, entries per week in each area, quantity range, logged by): rates chosen
# so that 2022 ends near its targets, some ahead and some behind.
_WEEKLY_PLAN = [
    ("fotpatrull", ["Råslätt"], 7, (1, 3), "polis"),
    ("fotpatrull", ["Öxnehaga", "Österängen", "Ekhagen"], 2.6, (1, 3), "polis"),
    ("trafikkontroll", ["Råslätt"], 2.4, (1, 2), "polis"),
    ("trafikkontroll", ["Öxnehaga", "Österängen", "Ekhagen"], 0.8, (1, 2), "polis"),
    ("narkotikabrott", ["Råslätt"], 1.1, (1, 1), "polis"),
    ("narkotikabrott", ["Öxnehaga", "Österängen", "Ekhagen"], 0.6, (1, 1), "polis"),
    ("atgard", ["Råslätt", "Öxnehaga", "Österängen", "Huskvarna"], 0.15, (1, 1), "vatterhem"),
    ("analys", ["Råslätt", "Öxnehaga"], 0.1, (1, 1), "kommun"),
    ("formellt-mote", ["Hela Jönköpings kommun"], 0.5, (1, 1), "kommun"),
]

_DESCRIPTIONS = {
    "atgard": ["Förbättrad belysning vid torget", "Klottersanering", "Buskage nedklippt vid gångväg"],
    "analys": ["Orsaksanalys av oroligheter vid torget", "Analys av ökad skadegörelse"],
}


# Cadence entries the running year leaves missing in the running week or month, so that
# "Att göra nu" has something to show: (activity code, area, period).
_LEFT_DUE = [("lagesbild", "Råslätt", "week"), ("lagesbild", "Öxnehaga", "month")]


def demo_running_promise_create(*, source: Promise, year: int) -> Promise:
    """The running year's promise, copied from the demo's promise (same parties, sections,
    commitments and targets) and active, so that staff can log today. Kept if it exists."""
    existing = Promise.objects.filter(municipality=source.municipality_id, year=year).first()
    if existing is not None:
        return existing
    return promise_copy(promise=source, year=year, status=Promise.Status.ACTIVE)


def demo_promise_close(*, promise: Promise) -> None:
    """Close the demo's promise once its year is over and the running year has its own: it
    takes no more entries, as in a real installation (idempotent)."""
    if promise.status != Promise.Status.CLOSED:
        promise.status = Promise.Status.CLOSED
        structure_save(obj=promise)
        promise_changed([promise.pk])  # its pages and dashboards show the status


@transaction.atomic
def demo_earlier_promise_create(*, source: Promise, year: int) -> Promise:
    """An earlier year's promise for the demo, copied from the demo's promise and marked as demo
    (its figures are invented), active so that its year can be logged. Kept if it exists."""
    existing = Promise.objects.filter(municipality=source.municipality, year=year).first()
    if existing is not None:
        return existing
    copy = promise_copy(promise=source, year=year, status=Promise.Status.ACTIVE)
    copy.is_demo = True
    structure_save(obj=copy)
    return copy


def _left_due(entry: ActivityData, today: date) -> bool:
    if entry.area is None or entry.date is None:  # the plan always sets both
        return False
    for code, area, period in _LEFT_DUE:
        if entry.activity_type.code == code and entry.area.name == area:
            start, end = period_bounds(period_of(today, period), period)
            if start <= entry.date <= end:
                return True
    return False


def _is_late_report(entry: ActivityData) -> bool:
    """Traffic controls of the last days of April that the demo reports only after T1 is published."""
    day = entry.date
    return entry.activity_type.code == "trafikkontroll" and day is not None and day.month == 4 and day.day >= 25


# (activity code, area, quantity, logged by, the type's own answers) for one day
Planned = tuple[str, str, int, str, dict]


def _weekly_entries(rng: random.Random) -> list[Planned]:
    """A day's share of the weekly plan: patrols, controls, offences, measures, analyses, meetings."""
    entries: list[Planned] = []
    for code, area_names, per_week, (low, high), username in _WEEKLY_PLAN:
        for area in area_names:
            if rng.random() >= per_week / 7:
                continue
            extra: dict = {}
            if code == "narkotikabrott":
                extra["first_time_user"] = rng.random() < 0.24
            if code == "trafikkontroll":
                extra["duration_minutes"] = rng.choice([20, 25, 30, 40])
            if code in _DESCRIPTIONS:
                extra["description"] = rng.choice(_DESCRIPTIONS[code])
            entries.append((code, area, rng.randint(low, high), username, extra))
    return entries


def _rhythm_entries(rng: random.Random, day: date) -> list[Planned]:
    """What recurs on fixed days: lägesbilder, BOS and SSG meetings, SIG cases."""
    entries: list[Planned] = []
    weekday = day.weekday()
    if weekday == 1 and rng.random() < 0.95:  # the weekly lägesbild for Råslätt, on Tuesdays
        entries.append(("lagesbild", "Råslätt", 1, "kommun", {}))
    if weekday == 2:  # BOS groups meet on Wednesdays; now and then one is cancelled
        entries += [("bos-mote", a, 1, "kommun", {}) for a in _BOS_AREAS if rng.random() < 0.985]
    if day.day == 10:  # the monthly lägesbild
        entries += [("lagesbild", a, 1, "kommun", {}) for a in _MONTHLY_REPORT_AREAS if rng.random() < 0.9]
    if day.day == 15 and day.month not in (7, 12):  # SSG meets most months
        entries.append(("ssg-mote", "Hela Jönköpings kommun", 1, "kommun", {}))
    if weekday == 3 and rng.random() < 0.3:
        entries.append(("sig-arende", "Hela Jönköpings kommun", 1, "kommun", {}))
    return entries


_BOS_AREAS = ["Råslätt", "Öxnehaga", "Österängen", "Huskvarna"]
_MONTHLY_REPORT_AREAS = ["Öxnehaga", "Österängen", "Huskvarna", "Övriga Jönköpings kommun"]


def _plan(*, promise: Promise, until: date, seed: int) -> list[tuple[str, ActivityData]]:
    """Every entry of the promise's year up to `until`, with who logs it, the same for a seed."""
    rng = random.Random(seed)
    types = {t.code: t for t in ActivityType.objects.all()}
    areas = {a.name: a for a in Area.objects.filter(municipality=promise.municipality_id)}
    day, end = date(promise.year, 1, 1), min(until, date(promise.year, 12, 31))
    plan = []
    while day <= end:
        for code, area, quantity, username, extra in _weekly_entries(rng) + _rhythm_entries(rng, day):
            data = ActivityData(activity_type=types[code], area=areas[area], date=day, quantity=quantity, **extra)
            plan.append((username, data))
        day += timedelta(days=1)
    return plan


def demo_activities_save(*, user: User, rows: list[ActivityData]) -> int:
    """Save demo entries through the service, with its rules: a demo that breaks one is a bug."""
    activities, errors = activity_create_many(user=user, rows=rows)
    if errors:
        index, error = next(iter(errors.items()))
        raise ValueError(f"Demo entry {rows[index]} refused: {error.messages}")
    return len(activities)


@transaction.atomic
def demo_activities_create(
    *, promise: Promise, until: date, seed: int = 2022, hold_late: bool = True, leave_due: date | None = None
) -> tuple[int, list[ActivityData]]:
    """Fill the promise's year up to `until` with plausible entries, logged by the demo staff.

    Returns how many were saved, and (with `hold_late`) a few late reports left unsaved so
    that the demo can publish T1, save them, and show a correction. With `leave_due`, a few
    cadence entries of that day's running week and month are left out: they are due.
    """
    if promise.activities.filter(created_by__username__in=[u[0] for u in DEMO_USERS]).exists():
        return 0, []
    plan = _plan(promise=promise, until=until, seed=seed)
    if leave_due is not None:
        plan = [(username, data) for username, data in plan if not _left_due(data, leave_due)]
    late = [data for _username, data in plan if hold_late and _is_late_report(data)]
    by_user: dict[str, list[ActivityData]] = {}
    for username, data in plan:
        if not (hold_late and _is_late_report(data)):
            by_user.setdefault(username, []).append(data)
    users = {user.username: user for user in User.objects.filter(username__in=by_user)}
    saved = sum(demo_activities_save(user=users[username], rows=rows) for username, rows in by_user.items())
    return saved, late
