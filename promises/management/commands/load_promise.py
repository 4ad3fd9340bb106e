from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from promises.loader import PromiseFileError, promise_load_file


class Command(BaseCommand):
    help = "Load (or update) a promise from a YAML file. Idempotent; on any error nothing is loaded."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            report = promise_load_file(path=file)
        except PromiseFileError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from None
        for line in report.changes if options["verbosity"] > 1 else []:
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.promise}: {report.created} created, {report.updated} updated, {report.unchanged} unchanged."
            )
        )
