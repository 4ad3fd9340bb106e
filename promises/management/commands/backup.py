from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from promises.backup import database_backup


class Command(BaseCommand):
    help = "Back up the whole database (pg_dump for PostgreSQL, a consistent file copy for SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Default: backups/medborgarlofte-<time>.<dump|sqlite3>")

    def handle(self, *args, output: Path | None, **options):
        from django.db import connection

        if output is None:
            suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
            output = Path("backups") / f"medborgarlofte-{timezone.localtime():%Y%m%d-%H%M%S}.{suffix}"
        database_backup(output=output)
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output}"))
