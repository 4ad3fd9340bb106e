from datetime import date

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Field
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe
from django_tables2 import RequestConfig

from medborgarlofte import exports
from medborgarlofte.http import AuthenticatedHttpRequest, Forbidden, NotFound, posted
from promises.filters import ActivityFilter
from promises.forms import IMPORT_TOKEN, ActivityForm, ImportConfirmForm, ImportUploadForm
from promises.importing import (
    IMPORT_DUPLICATE_FILE,
    ImportFileError,
    import_bad_rows_csv,
    import_preview,
    import_save,
    import_template_csv,
)
from promises.models import Activity, ActivityType, User
from promises.permissions import is_manager, is_staff_member
from promises.selectors import (
    activity_counted_by,
    activity_list_for_user,
    activity_locks,
    activity_type_for_user,
    activity_types_for_user,
    cadence_due,
    periods_already_covered,
)
from promises.services import activity_create, activity_delete, activity_update
from promises.tables import ActivityTable

EXPORT_FORMATS = exports.FORMATS
# django-simple-history's own labels ("Created", "Changed", "Deleted") are not translated.
HISTORY_ACTIONS = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


@require_safe
def favicon(request: HttpRequest) -> HttpResponse:
    # Resolved per request: the hashed name exists only after collectstatic.
    return redirect(static("img/favicon.svg"), permanent=True)


@login_required
@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    can_log = is_staff_member(request.user)
    return render(
        request,
        "staff/home.html",
        {
            "activity_types": activity_types_for_user(user=request.user) if can_log else [],
            "due": cadence_due(user=request.user, today=timezone.localdate()) if can_log else [],
            "can_log": can_log,
            "can_review": is_manager(request.user),
        },
    )


def _require_staff_member(user: User) -> None:
    if not is_staff_member(user):
        raise Forbidden(_("Only staff of an organisation can log activities."))


def _activity_for_user(user: User, pk: int) -> Activity:
    """Another user's entry does not exist for staff: 404, not 403, so ids reveal nothing."""
    return get_object_or_404(activity_list_for_user(user=user), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def activity_log(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    _require_staff_member(request.user)
    activity_type = activity_type_for_user(user=request.user, code=code)
    if activity_type is None:
        if ActivityType.objects.filter(code=code).exists():
            raise Forbidden(_("Your organisation does not log this activity."))
        raise NotFound(_("No such activity."))
    form = ActivityForm(posted(request), initial=_again(request), activity_type=activity_type, user=request.user)
    if request.method == "POST":
        form.is_valid()  # shape only; the service checks the rules and refuses what the form could not read
        try:
            activity = activity_create(
                user=request.user,
                data=form.service_data(),
                submission_key=form.cleaned_data.get("submission_key"),
                context=form.context,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("activity_saved", pk=activity.pk)
    return render(request, "staff/activity_form.html", {"form": form, "activity_type": activity_type})


def _again(request: AuthenticatedHttpRequest) -> dict:
    """“Log another of the same kind” keeps the area and the date of the entry just saved."""
    initial: dict = {}
    if request.method != "GET":
        return initial
    if request.GET.get("omrade", "").isdigit():
        initial["area"] = int(request.GET["omrade"])
    try:
        day = date.fromisoformat(request.GET.get("datum", ""))
    except ValueError:
        day = None
    if day is not None and day <= timezone.localdate():
        initial["date"] = day
    return initial


@login_required
@require_safe
def activity_saved(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for_user(request.user, pk)
    counted_by = activity_counted_by(activity=activity)
    context = {
        "activity": activity,
        "counted_by": counted_by,
        "already_covered": periods_already_covered(activity=activity, counted_by=counted_by),
    }
    return render(request, "staff/activity_saved.html", context)


@login_required
@require_safe
def activity_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = is_manager(request.user)
    if not manager and not is_staff_member(request.user):
        raise PermissionDenied
    queryset = activity_list_for_user(user=request.user)
    filterset = ActivityFilter(request.GET or None, queryset=queryset, user=request.user, show_organisation=manager)
    table = ActivityTable(filterset.qs if filterset.is_bound and filterset.is_valid() else queryset)
    if not manager:
        table.exclude = ("organisation", "created_by")
    table.caption = _("All entries") if manager else _("My entries")
    RequestConfig(request, paginate={"per_page": 25}).configure(table)
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        return exports.table_response(table, export_format, filename="registreringar", exclude=("actions",))
    # The page's entries that can no longer be changed say so instead of offering it.
    page = [row.record for row in table.paginated_rows]
    locks = activity_locks(user=request.user, activities=page)
    for record in page:
        record.lock_reason = locks.get(record.pk)
    return render(
        request,
        "staff/activity_list.html",
        {"table": table, "filter": filterset, "is_manager": manager, "export_formats": EXPORT_FORMATS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for_user(request.user, pk)
    form = ActivityForm(posted(request), activity_type=activity.activity_type, user=request.user, activity=activity)
    if request.method == "POST":
        form.is_valid()
        try:
            activity_update(activity=activity, user=request.user, data=form.service_data(), context=form.context)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The entry was changed."))
            return redirect("activity_list")
    return render(
        request,
        "staff/activity_form.html",
        {
            "form": form,
            "activity_type": activity.activity_type,
            "activity": activity,
            "lock_reason": activity_locks(user=request.user, activities=[activity]).get(activity.pk),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_delete_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for_user(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            activity_delete(activity=activity, user=request.user)
        except ValidationError as exc:
            error = exc.messages[0]
        else:
            messages.success(request, _("The entry was deleted."))
            return redirect("activity_list")
    lock_reason = activity_locks(user=request.user, activities=[activity]).get(activity.pk)
    return render(
        request, "staff/activity_delete.html", {"activity": activity, "error": error, "lock_reason": lock_reason}
    )


@login_required
@permission_required("promises.view_all_activities", raise_exception=True)
@require_safe
def activity_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    activity = _activity_for_user(request.user, pk)
    records = list(activity.history.select_related("history_user").order_by("history_date"))
    changes = []
    for previous, record in zip([None, *records], records, strict=False):
        rows = []
        if previous is not None:
            for change in record.diff_against(previous).changes:
                field = Activity._meta.get_field(change.field)
                assert isinstance(field, Field), "a history diff compares the model's own fields"
                rows.append(
                    {
                        "label": field.verbose_name,
                        "old": _display(previous, field),
                        "new": _display(record, field),
                    }
                )
        changes.append({"record": record, "action": HISTORY_ACTIONS.get(record.history_type, ""), "rows": rows})
    return render(request, "manager/activity_history.html", {"activity": activity, "changes": changes})


def _display(record, field) -> str:
    if field.is_relation:
        related = getattr(record, field.name, None)
        return str(related) if related is not None else "–"
    value = getattr(record, field.attname)
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


# --- Import ------------------------------------------------------------------------------


def _pending_path(user: User, token: str):
    directory = settings.IMPORT_DIR
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{user.pk}-{token}"


@login_required
@require_http_methods(["GET", "POST"])
def activity_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_member(request.user)
    form = ImportUploadForm(posted(request), request.FILES if request.method == "POST" else None)
    preview = file_error = confirm_form = bad_rows_token = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        raw = upload.read()
        try:
            preview = import_preview(raw=raw, file_name=upload.name, user=request.user)
        except ImportFileError as exc:
            file_error = str(exc)
        else:
            extension = "xlsx" if upload.name.lower().endswith(".xlsx") or raw[:2] == b"PK" else "csv"
            token = f"{preview.sha256}.{extension}"
            # Kept as uploaded, for the confirmation or for the bad-rows file; removed once
            # imported or, abandoned, by clean_pending_imports.
            _pending_path(request.user, token).write_bytes(raw)
            if preview.ok:
                confirm_form = ImportConfirmForm(initial={"token": token, "file_name": upload.name})
            else:
                bad_rows_token = token
    return render(
        request,
        "staff/activity_import.html",
        {
            "form": form,
            "preview": preview,
            "file_error": file_error,
            "confirm_form": confirm_form,
            "bad_rows_token": bad_rows_token,
        },
    )


@login_required
@require_safe
def activity_import_bad_rows(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    """The rows of an uploaded file that cannot be imported, with the reason, as CSV."""
    _require_staff_member(request.user)
    if not IMPORT_TOKEN.match(token):
        raise NotFound(_("The uploaded file is no longer waiting. Upload it again."))
    path = _pending_path(request.user, token)
    if not path.exists():
        raise NotFound(_("The uploaded file is no longer waiting. Upload it again."))
    try:
        content = import_bad_rows_csv(
            raw=path.read_bytes(), file_name=f"fil.{token.rsplit('.', 1)[1]}", user=request.user
        )
    except ImportFileError as exc:
        raise NotFound(str(exc)) from None
    response = HttpResponse(content, content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="felaktiga-rader.csv"'
    return response


@login_required
@require_http_methods(["POST"])
def activity_import_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_staff_member(request.user)
    form = ImportConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The import could not be confirmed. Upload the file again."))
        return redirect("activity_import")
    path = _pending_path(request.user, form.cleaned_data["token"])
    if not path.exists():
        messages.error(request, _("The uploaded file is no longer waiting. Upload it again."))
        return redirect("activity_import")
    # Shape only here: the rules run once, in the service that saves.
    preview = import_preview(
        raw=path.read_bytes(), file_name=form.cleaned_data["file_name"], user=request.user, check=False
    )
    if preview.previous is not None and not form.cleaned_data["import_again"]:
        form.add_error(
            "import_again",
            IMPORT_DUPLICATE_FILE
            % {
                "date": preview.previous.created_at.date().isoformat(),
                "user": preview.previous.created_by.username,
            },
        )
    batch = import_save(preview=preview, user=request.user) if preview.ok and not form.errors else None
    if batch is None:
        return render(
            request,
            "staff/activity_import.html",
            {
                "form": ImportUploadForm(),
                "preview": preview,
                "confirm_form": form,
                "bad_rows_token": form.cleaned_data["token"] if preview.errors else None,
            },
        )
    path.unlink(missing_ok=True)
    messages.success(
        request,
        ngettext("%(count)d entry was imported.", "%(count)d entries were imported.", batch.row_count)
        % {"count": batch.row_count},
    )
    return redirect("activity_list")


@login_required
@require_safe
def activity_import_template(request: AuthenticatedHttpRequest) -> HttpResponse:
    response = HttpResponse(import_template_csv(user=request.user), content_type=exports.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="importmall.csv"'
    return response


@login_required
@require_safe
def activity_log_choose(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Registrera in the header: the activity types the user's organisation may log."""
    _require_staff_member(request.user)
    return render(request, "staff/activity_choose.html", {"activity_types": activity_types_for_user(user=request.user)})
