from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from promises.models import (
    Activity,
    ActivityType,
    Area,
    AuditEvent,
    Commitment,
    Organisation,
    Promise,
    Section,
    Signatory,
    Target,
    TargetArea,
    User,
)
from promises.services import PromiseCopyError, promise_copy_to_year

admin.site.site_header = _("Citizen promises – administration")
admin.site.site_title = _("Citizen promises")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Organisation"), {"fields": ("organisation",)}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Organisation"), {"fields": ("organisation", "groups")}),)
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("organisation", "groups", "is_active")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality", "is_whole_municipality")
    list_filter = ("municipality",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "has_first_time_user",
        "has_duration",
        "requires_description",
        "is_sensitive",
    )
    filter_horizontal = ("organisations",)
    prepopulated_fields = {"code": ("name",)}


class SignatoryInline(admin.TabularInline):
    model = Signatory
    extra = 0


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0
    show_change_link = True


@admin.register(Promise)
class PromiseAdmin(SimpleHistoryAdmin):
    list_display = ("title", "municipality", "year", "status")
    list_filter = ("status", "municipality", "year")
    filter_horizontal = ("parties",)
    inlines = [SignatoryInline, SectionInline]
    actions = ["copy_to_next_year"]

    @admin.action(description=_("Copy to next year (as a draft)"))
    def copy_to_next_year(self, request, queryset):
        copied = 0
        for promise in queryset:
            try:
                promise_copy_to_year(promise=promise, year=promise.year + 1)
                copied += 1
            except PromiseCopyError as exc:
                self.message_user(request, str(exc), messages.ERROR)
        if copied:
            self.message_user(
                request,
                ngettext("%(count)d promise copied.", "%(count)d promises copied.", copied) % {"count": copied},
                messages.SUCCESS,
            )


class CommitmentInline(admin.StackedInline):
    model = Commitment
    extra = 0
    show_change_link = True
    filter_horizontal = ("responsible",)


@admin.register(Section)
class SectionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "promise")
    list_filter = ("promise",)
    inlines = [CommitmentInline]


class TargetInline(admin.StackedInline):
    model = Target
    fk_name = "commitment"
    extra = 0
    show_change_link = True
    fields = ("key", "order", "kind", "title", "activity_type", "count", "share_percent", "parent", "period")


@admin.register(Commitment)
class CommitmentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "section")
    list_filter = ("section__promise",)
    filter_horizontal = ("responsible",)
    inlines = [TargetInline]


class TargetAreaInline(admin.TabularInline):
    model = TargetArea
    extra = 0


@admin.register(Target)
class TargetAdmin(SimpleHistoryAdmin):
    list_display = ("title", "kind", "activity_type", "count", "share_percent", "period", "commitment")
    list_filter = ("kind", "commitment__section__promise")
    inlines = [TargetAreaInline]


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    """Read-only: entries are added, changed and deleted in the staff forms, where the
    services check the promise's rules, write the audit log and move the figures. Each entry
    links to its staff form."""

    list_display = ("date", "activity_type", "area", "quantity", "organisation", "created_by", "staff_form")
    list_filter = ("activity_type", "area", "organisation", "promise")
    date_hierarchy = "date"
    list_select_related = ("activity_type", "area", "organisation", "created_by")
    readonly_fields = ("staff_form",)

    @admin.display(description=_("Change or delete"))
    def staff_form(self, obj: Activity) -> str:
        return format_html('<a href="{}">{}</a>', reverse("activity_edit", args=[obj.pk]), _("Open in the staff form"))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "action", "username", "ip_address")
    list_filter = ("action",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "created_at"

    # The audit log is read-only, for administrators too.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
