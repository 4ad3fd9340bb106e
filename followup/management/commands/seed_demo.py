from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup.demo import (
    demo_earlier_publications_create,
    demo_publications_create,
    demo_running_publications_create,
)
from promises.demo import (
    DEMO_PASSWORD,
    DEMO_USERS,
    demo_activities_create,
    demo_earlier_promise_create,
    demo_promise_close,
    demo_running_promise_create,
    demo_users_create,
)
from promises.models import Promise
from promises.selectors import municipality_find


# In followup, not promises: it also publishes demo tertials, and promises never imports followup.
class Command(BaseCommand):
    help = (
        "Create the demo users, fill a promise's year with plausible activities, publish an invented "
        "earlier year (marked as demo), and start the running year from it (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipality", default="Jönköping")
        parser.add_argument("--year", type=int, default=2022)

    def handle(self, *args, municipality: str, year: int, **options):
        found = municipality_find(municipality)
        promise = Promise.objects.filter(municipality=found, year=year).first() if found else None
        if promise is None:
            raise CommandError(f"No promise for {municipality} {year}: run load_promise first.")
        demo_users_create()
        today = timezone.localdate()
        until = min(today, date(year, 12, 31))
        created, late = demo_activities_create(promise=promise, until=until)
        self.stdout.write(f"{created + len(late)} demo activities created for {promise}.")
        for publication in demo_publications_create(promise=promise, late=late):
            self.stdout.write(f"Published {publication}.")
        # An invented earlier year, published whole, so the public pages compare years.
        earlier = demo_earlier_promise_create(source=promise, year=year - 1)
        created, _late = demo_activities_create(
            promise=earlier, until=date(earlier.year, 12, 31), seed=earlier.year, hold_late=False
        )
        self.stdout.write(f"{created} demo activities created for {earlier} (demo).")
        for publication in demo_earlier_publications_create(promise=earlier):
            self.stdout.write(f"Published {publication}.")
        if today.year > year:
            # The running year: a copy of the promise, lived from 1 January up to yesterday.
            running = demo_running_promise_create(source=promise, year=today.year)
            created, _late = demo_activities_create(
                promise=running, until=today - timedelta(days=1), seed=today.year, hold_late=False, leave_due=today
            )
            self.stdout.write(f"{created} demo activities created for {running}.")
            for publication in demo_running_publications_create(promise=running, today=today):
                self.stdout.write(f"Published {publication}.")
            # As a real installation would by now: the year is over and takes no more entries
            # (the forms offer the running year's areas only, and no reminder is about it).
            demo_promise_close(promise=promise)
        self.stdout.write(self.style.WARNING(f"Demo users (password for all: {DEMO_PASSWORD}):"))
        for username, _first, group, organisation, _admin in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {group:<22} {organisation or ''}")
