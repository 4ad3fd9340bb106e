from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from promises.backup import database_restore


class Command(BaseCommand):
    help = "Restore a backup made by `backup`, replacing the database's contents."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--database-url", help="Restore into this database instead of the configured one.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, file: Path, database_url: str | None, yes: bool, **options):
        if not file.exists():
            raise CommandError(f"{file} does not exist.")
        if not yes and input("This replaces the database's contents. Type yes to go on: ").strip() != "yes":
            raise CommandError("Nothing was restored.")
        database_restore(source=file, database_url=database_url)
        if not database_url:
            # Cached pages were made from the data before the restore. Every promise also has
            # a new revision now (database_restore), so with a per-process cache no other
            # process finds its old entries under the restored data's keys either.
            cache.clear()
        self.stdout.write(self.style.SUCCESS(f"Restored {file}"))
