from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from promises.importing import pending_imports_clean


class Command(BaseCommand):
    help = "Remove import uploads never confirmed (in IMPORT_DIR, var/imports/) older than a day. Run it daily."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24, help="Remove uploads older than this (default 24).")

    def handle(self, *args, hours: int, **options):
        removed = pending_imports_clean(directory=settings.IMPORT_DIR, older_than=timedelta(hours=hours))
        self.stdout.write(self.style.SUCCESS(f"{len(removed)} abandoned uploads removed from {settings.IMPORT_DIR}."))
