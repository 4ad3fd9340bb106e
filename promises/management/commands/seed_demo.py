from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup.demo import demo_publications_create
from promises.demo import DEMO_PASSWORD, DEMO_USERS, demo_activities_create, demo_users_create
from promises.models import Promise


class Command(BaseCommand):
    help = "Create the demo users and fill a promise's year with plausible activities (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--municipality", default="Jönköping")
        parser.add_argument("--year", type=int, default=2022)

    def handle(self, *args, municipality: str, year: int, **options):
        promise = Promise.objects.filter(municipality=municipality, year=year).first()
        if promise is None:
            raise CommandError(f"No promise for {municipality} {year}: run load_promise first.")
        demo_users_create()
        until = min(timezone.localdate(), date(year, 12, 31))
        created, late = demo_activities_create(promise=promise, until=until)
        self.stdout.write(f"{created + len(late)} demo activities created for {promise}.")
        for publication in demo_publications_create(promise=promise, late=late):
            self.stdout.write(f"Published {publication}.")
        self.stdout.write(self.style.WARNING(f"Demo users (password for all: {DEMO_PASSWORD}):"))
        for username, _first, group, organisation, _admin in DEMO_USERS:
            self.stdout.write(f"  {username:<12} {group:<22} {organisation or ''}")
