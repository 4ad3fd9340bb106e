import copy

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms.models import BaseInlineFormSet, construct_instance
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from rest_framework_api_key.models import APIKey
from simple_history.admin import SimpleHistoryAdmin

from promises.models import (
    Activity,
    ActivityType,
    ApiToken,
    Area,
    AuditEvent,
    Commitment,
    Municipality,
    Organisation,
    Promise,
    Section,
    Signatory,
    Target,
    TargetArea,
    User,
)
from promises.revisions import promise_changed, rules_warm_on_commit
from promises.services import (
    PromiseCopyError,
    aliases_check,
    api_token_create,
    api_token_revoke,
    promise_copy_to_year,
)

admin.site.site_header = _("Citizen promises – administration")
admin.site.site_title = _("Citizen promises")


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline names its fields only in the column heads, which a screen reader does
    not tie to the inputs (axe: label, select-name). Give every input its own name:
    "Område, målområde 2"."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        row = str(index + 1) if index is not None else gettext("new")
        for name, field in form.fields.items():
            label = capfirst(field.label or name)
            widget = getattr(field.widget, "widget", field.widget)  # inside a RelatedFieldWidgetWrapper
            widget.attrs.setdefault("aria-label", f"{label}, {form.instance._meta.verbose_name} {row}")


class LabelledTabularInline(admin.TabularInline):
    formset = LabelledInlineFormSet


class RevisionAdmin(admin.ModelAdmin):
    """An admin whose changes the follow-up shows: every save and delete (inlines included)
    gives the promises concerned a new revision (promises/revisions.py), so no cached
    dashboard outlives them. Explicit calls, not signal receivers."""

    # The path from the model to its promise's id; None: the model is shown in every promise.
    promise_path: str | None = "promise_id"

    def _promise_ids(self, queryset) -> list:
        if self.promise_path is None:
            return list(Promise.objects.values_list("pk", flat=True))
        return list(queryset.values_list(self.promise_path, flat=True))

    def _of(self, obj) -> list:
        return self._promise_ids(obj._meta.default_manager.filter(pk=obj.pk)) if obj.pk else []

    def _changed(self, ids: list) -> None:
        promise_changed(ids)
        # The admin's changes (targets, their areas, sections) are rare: the one who makes
        # them reads the follow-up's basis again, not the next manager to open the dashboard.
        rules_warm_on_commit(ids)

    def save_model(self, request, obj, form, change):
        before = self._of(obj)  # the promise it belonged to, when a change moves it
        super().save_model(request, obj, form, change)
        self._changed([*before, *self._of(obj)])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._changed(self._of(form.instance))

    def delete_model(self, request, obj):
        ids = self._of(obj)
        super().delete_model(request, obj)
        self._changed(ids)

    def delete_queryset(self, request, queryset):
        ids = self._promise_ids(queryset)
        super().delete_queryset(request, queryset)
        self._changed(ids)


class AliasesField(forms.CharField):
    """Aliases as one line of names separated by commas, stored as a list."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(alias) for alias in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [alias.strip() for alias in text.replace("\n", ",").split(",") if alias.strip()]


class AliasesForm(forms.ModelForm):
    """An area's or an activity type's form: the aliases checked by the service's rule."""

    aliases = AliasesField(
        label=_("aliases"),
        required=False,
        help_text=_("Other names staff write for it, separated by commas. An import accepts them too."),
    )

    def clean(self):
        cleaned = super().clean() or {}
        # The rule sees the row as it would be saved; its errors are keyed by field.
        candidate = construct_instance(self, copy.copy(self.instance))
        aliases_check(obj=candidate)
        cleaned["aliases"] = candidate.aliases
        return cleaned


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    # Set by logging in and by creation, not by hand (and their split date/time inputs have no labels).
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (*(BaseUserAdmin.fieldsets or ()), (_("Organisation"), {"fields": ("organisation",)}))
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Organisation"), {"fields": ("organisation", "groups")}),)
    list_display = ("username", "first_name", "last_name", "organisation", "is_active")
    list_filter = ("organisation", "groups", "is_active")

    # What the follow-up caches with a promise's basis names its approvers and commenters.
    shown = ("username", "first_name", "last_name", "organisation")

    def save_model(self, request, obj, form, change):
        before = User.objects.filter(pk=obj.pk).values_list("organisation_id", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if change and any(name in form.changed_data for name in self.shown):
            # Renamed or moved: the promises of the organisations the user acted for get new
            # revisions, so their dashboards do not go on showing the old name from the cache.
            organisations = {pk for pk in (before, obj.organisation_id) if pk is not None}
            promise_changed(Promise.objects.filter(parties__in=organisations).values_list("pk", flat=True))


@admin.register(Organisation)
class OrganisationAdmin(RevisionAdmin):
    promise_path = None
    list_display = ("name", "short_name", "kind")


@admin.register(Area)
class AreaAdmin(RevisionAdmin):
    promise_path = None
    form = AliasesForm
    list_display = ("name", "municipality", "is_whole_municipality")
    list_filter = (("municipality", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("municipality",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(ActivityType)
class ActivityTypeAdmin(RevisionAdmin):
    promise_path = None
    form = AliasesForm
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


class SignatoryInline(LabelledTabularInline):
    model = Signatory
    extra = 0


class SectionInline(LabelledTabularInline):
    model = Section
    extra = 0
    show_change_link = True


@admin.register(Promise)
class PromiseAdmin(RevisionAdmin, SimpleHistoryAdmin):
    promise_path = "pk"
    list_display = ("title", "municipality", "year", "status")
    list_filter = ("status", ("municipality", admin.RelatedOnlyFieldListFilter), "year")
    list_select_related = ("municipality",)
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
class SectionAdmin(RevisionAdmin):
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
class CommitmentAdmin(RevisionAdmin):
    promise_path = "section__promise_id"
    list_display = ("__str__", "section")
    list_filter = ("section__promise",)
    filter_horizontal = ("responsible",)
    inlines = [TargetInline]


class TargetAreaInline(LabelledTabularInline):
    model = TargetArea
    extra = 0


@admin.register(Target)
class TargetAdmin(RevisionAdmin, SimpleHistoryAdmin):
    promise_path = "commitment__section__promise_id"
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """A record of what happened (the audit log, the e-mails sent): read-only, for
    administrators too, since changing it would rewrite the record."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "action", "username", "ip_address")
    list_filter = ("action",)
    search_fields = ("username", "ip_address")
    date_hierarchy = "created_at"


@admin.register(Municipality)
class MunicipalityAdmin(ReadOnlyAdmin):
    """Sweden's municipalities as SCB lists them (migration 0009 loads them): looked up, never
    edited here, so that a code always means what SCB says."""

    list_display = ("code", "name", "county", "slug")
    list_filter = ("county",)
    search_fields = ("code", "name", "county")


# djangorestframework-api-key registers its own key model, which belongs to no organisation:
# only ours (ApiToken) is used.
if admin.site.is_registered(APIKey):
    admin.site.unregister(APIKey)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """API tokens of the organisations' systems (the write API, promises/api.py), through the
    services: created here, the key shown once on the page after saving, and revoked with the
    action. Never edited or deleted, so the record of which token wrote what stays."""

    list_display = ("name", "organisation", "prefix", "created", "last_used_at", "expiry_date", "revoked")
    list_filter = ("organisation", "revoked")
    search_fields = ("name", "prefix")
    actions = ["revoke"]
    ADD_FIELDS = ("name", "organisation", "expiry_date")
    SHOWN_FIELDS = (
        "name",
        "organisation",
        "prefix",
        "user",
        "created",
        "created_by",
        "last_used_at",
        "expiry_date",
        "revoked",
    )

    def get_fields(self, request, obj=None):
        return self.ADD_FIELDS if obj is None else self.SHOWN_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.SHOWN_FIELDS

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("promises.change_apitoken")

    def save_form(self, request, form, change):
        """A new token, made by the service (the form has checked its fields)."""
        token, key = api_token_create(
            organisation=form.cleaned_data["organisation"],
            name=form.cleaned_data["name"],
            expiry_date=form.cleaned_data["expiry_date"],
            created_by=request.user,
        )
        token.key_shown_once = key
        return token

    def save_model(self, request, obj, form, change):
        pass  # saved by the service, in save_form

    def save_related(self, request, form, formsets, change):
        pass  # a token has no relations to save beyond those the service set

    def response_add(self, request, obj, post_url_continue=None):
        """The key, this once: only its hash is kept."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("API token created"),
            "token": obj,
            "key": obj.key_shown_once,
        }
        response = TemplateResponse(request, "admin/promises/apitoken/created.html", context)
        add_never_cache_headers(response)
        return response

    @admin.action(description=_("Revoke (cannot be undone)"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = sum(api_token_revoke(token=token, user=request.user) for token in queryset)
        self.message_user(
            request,
            ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", revoked) % {"count": revoked},
            messages.SUCCESS,
        )
