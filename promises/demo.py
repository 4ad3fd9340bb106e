"""Demo users and plausible activity data, so a newcomer sees a living application.

Never run against production: every demo user shares a published password.
"""

import random
from datetime import date, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from simple_history.utils import bulk_create_with_history

from promises import roles
from promises.models import Activity, ActivityType, Area, Organisation, Promise, User
from promises.periods import period_bounds, period_of
from promises.revisions import promise_changed
from promises.services import promise_copy

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
            defaults={"first_name": first_name, "organisation": organisation, "is_staff": is_admin_staff},
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
    existing = Promise.objects.filter(municipality=source.municipality, year=year).first()
    if existing is not None:
        return existing
    return promise_copy(promise=source, year=year, status=Promise.Status.ACTIVE)


def _left_due(entry: Activity, today: date) -> bool:
    for code, area, period in _LEFT_DUE:
        if entry.activity_type.code == code and entry.area.name == area:
            start, end = period_bounds(period_of(today, period), period)
            if start <= entry.date <= end:
                return True
    return False


def _is_late_report(entry: Activity) -> bool:
    """Traffic controls of the last days of April that the demo reports only after T1 is published."""
    return entry.activity_type.code == "trafikkontroll" and entry.date.month == 4 and entry.date.day >= 25


@transaction.atomic
def demo_activities_create(
    *, promise: Promise, until: date, seed: int = 2022, hold_late: bool = True, leave_due: date | None = None
) -> tuple[int, list[Activity]]:
    """Fill the promise's year up to `until` with plausible entries.

    Returns how many were saved, and (with `hold_late`) a few late reports left unsaved so
    that the demo can publish T1, save them, and show a correction. With `leave_due`, a few
    cadence entries of that day's running week and month are left out: they are due.
    """
    if promise.activities.filter(created_by__username__in=[u[0] for u in DEMO_USERS]).exists():
        return 0, []
    rng = random.Random(seed)
    users = {user.username: user for user in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])}
    types = {t.code: t for t in ActivityType.objects.all()}
    areas = {a.name: a for a in Area.objects.filter(municipality=promise.municipality)}
    start = date(promise.year, 1, 1)
    end = min(until, date(promise.year, 12, 31))
    entries: list[Activity] = []

    def add(code: str, area: str, day: date, quantity: int = 1, username: str = "polis", **extra) -> None:
        user = users[username]
        entries.append(
            Activity(
                promise=promise,
                activity_type=types[code],
                area=areas[area],
                date=day,
                quantity=quantity,
                organisation_id=user.organisation_id,
                created_by=user,
                **extra,
            )
        )

    day = start
    while day <= end:
        weekday = day.weekday()
        for code, area_names, per_week, (low, high), username in _WEEKLY_PLAN:
            for area in area_names:
                if rng.random() < per_week / 7:
                    extra = {}
                    if code == "narkotikabrott":
                        extra["first_time_user"] = rng.random() < 0.24
                    if code == "trafikkontroll":
                        extra["duration_minutes"] = rng.choice([20, 25, 30, 40])
                    if code in _DESCRIPTIONS:
                        extra["description"] = rng.choice(_DESCRIPTIONS[code])
                    add(code, area, day, rng.randint(low, high), username, **extra)
        if weekday == 1 and rng.random() < 0.95:  # the weekly lägesbild for Råslätt, on Tuesdays
            add("lagesbild", "Råslätt", day, username="kommun")
        if weekday == 2:  # BOS groups meet on Wednesdays; now and then one is cancelled
            for area in ["Råslätt", "Öxnehaga", "Österängen", "Huskvarna"]:
                if rng.random() < 0.985:
                    add("bos-mote", area, day, username="kommun")
        if day.day == 10:  # the monthly lägesbild
            for area in ["Öxnehaga", "Österängen", "Huskvarna", "Övriga Jönköpings kommun"]:
                if rng.random() < 0.9:
                    add("lagesbild", area, day, username="kommun")
        if day.day == 15 and day.month not in (7, 12):  # SSG meets most months
            add("ssg-mote", "Hela Jönköpings kommun", day, username="kommun")
        if weekday == 3 and rng.random() < 0.3:
            add("sig-arende", "Hela Jönköpings kommun", day, username="kommun")
        day += timedelta(days=1)
    if leave_due is not None:
        entries = [entry for entry in entries if not _left_due(entry, leave_due)]
    late = [entry for entry in entries if hold_late and _is_late_report(entry)]
    on_time = [entry for entry in entries if not (hold_late and _is_late_report(entry))]
    bulk_create_with_history(on_time, Activity, batch_size=1000)
    promise_changed({activity.promise_id for activity in on_time})
    return len(on_time), late
