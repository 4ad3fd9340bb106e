from django.core.management.base import BaseCommand

from promises.summary import summary_rebuild


class Command(BaseCommand):
    help = "Recompute the activity summary that the follow-up reads (after a restore or manual SQL)."

    def handle(self, *args, **options):
        rows = summary_rebuild()
        self.stdout.write(self.style.SUCCESS(f"{rows} summary rows rebuilt."))
