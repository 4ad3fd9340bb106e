from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup.notifications import notifications_collect, notifications_send


class Command(BaseCommand):
    help = (
        "Send the e-mail notifications that are due: approvals, dropped approvals, tertials awaiting "
        "approval and the weekly digest of missing entries. Idempotent: run it as often as you like."
    )

    def handle(self, *args, **options):
        if settings.PRODUCTION and not settings.EMAIL_IS_CONFIGURED:
            raise CommandError(
                "No e-mail server is configured: set EMAIL_URL (or EMAIL_HOST) to send notifications in production."
            )
        today = timezone.localdate()
        collected = notifications_collect(today=today)
        report = notifications_send(today=today)
        self.stdout.write(
            f"{collected} new reminders; {report.sent} sent, {report.skipped} no longer due, {report.failed} failed"
        )
        if report.failed:
            raise CommandError(f"{report.failed} notifications could not be sent; they stay pending for the next run")
