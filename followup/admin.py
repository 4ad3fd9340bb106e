from django.contrib import admin

from followup.models import Notification
from promises.admin import ReadOnlyAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    """What was sent to whom, and what still waits: read-only, like the audit log."""

    list_display = ("created_at", "kind", "recipient", "subject_key", "sent_at")
    list_filter = ("kind", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("recipient__username", "subject_key")
    list_select_related = ("recipient",)
    date_hierarchy = "created_at"
