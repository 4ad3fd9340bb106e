"""The managers' follow-up: the dashboard, a target's page, comments, approval and the report."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_tables2 import RequestConfig

from followup import charts, report
from followup.engine import DailyTotal
from followup.forms import ApprovalForm, FollowupChoiceForm, TargetCommentForm
from followup.models import Publication, TertialNumber
from followup.public import tertial_words
from followup.selectors import (
    FollowupBasis,
    coverage,
    default_tertial,
    followup_as_of,
    followup_basis,
    followup_basis_cached,
    followup_is_final,
    followup_rows,
    logged_measures,
    month_totals,
    outside_totals,
    silent_rows,
    target_area_totals,
    target_daily_totals,
)
from followup.services import target_comment_save, tertial_approve
from followup.tables import FollowupTable, difference_text, format_value, outside_text
from medborgarlofte import exports
from medborgarlofte.cache import cache_get_or_compute
from medborgarlofte.http import AuthenticatedHttpRequest, posted
from promises.models import Promise, Target, User
from promises.periods import Tertial
from promises.selectors import promise_current, promises_for_user

manager_required = permission_required("promises.view_all_activities", raise_exception=True)
EXPORT_FORMATS = exports.FORMATS


def _tertial_from(request: HttpRequest, promise: Promise) -> Tertial:
    value = request.GET.get("tertial", "")
    if value.isdigit() and int(value) in TertialNumber.values:
        return Tertial(promise.year, int(value))
    return default_tertial(promise=promise)


def _promise_and_tertial(user: User, promise_pk: int, tertial: int) -> tuple[Promise, Tertial | None]:
    """The promise of a URL (never a draft, never another party's: 404) and its tertial (None
    when not 1, 2 or 3)."""
    promise = get_object_or_404(promises_for_user(user=user).public(), pk=promise_pk)
    return promise, Tertial(promise.year, tertial) if tertial in TertialNumber.values else None


def _dashboard_url(promise: Promise, tertial: Tertial) -> str:
    return reverse("followup:dashboard") + f"?promise={promise.pk}&tertial={tertial.number}"


@login_required
@manager_required
@require_safe
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    # Bound only when the user chose something: a stray parameter (an old link's ?year=, the
    # export's _export) must not turn the page into a form full of "required" errors.
    chosen = any(name in request.GET for name in FollowupChoiceForm.base_fields)
    own = promises_for_user(user=request.user)
    choice = FollowupChoiceForm(request.GET if chosen else None, promises=own)
    promise: Promise | None = None
    tertial: Tertial | None = None
    if choice.is_bound and choice.is_valid():
        promise = choice.cleaned_data["promise"]
        tertial = Tertial(promise.year, choice.cleaned_data["tertial"])
    else:
        promise = promise_current(within=own)
        if promise is not None:
            tertial = default_tertial(promise=promise)
            if not choice.is_bound:
                choice = FollowupChoiceForm(initial={"promise": promise.pk, "tertial": tertial.number}, promises=own)
    if promise is None or tertial is None:  # a promise always comes with its tertial
        return render(request, "manager/dashboard.html", {"choice": choice, "promise": None, "promise_options": ""})
    export_format = request.GET.get("_export")
    if export_format in EXPORT_FORMATS:
        table = _followup_table(request, promise, tertial)[0]
        return exports.table_response(table, export_format, filename=f"uppfoljning-{promise.year}-T{tertial.number}")
    cached = _dashboard_cached(request, promise, tertial)
    return render(
        request,
        "manager/dashboard.html",
        {
            "choice": choice,
            "promise_options": choice.promise_options(selected=promise),
            "promise": promise,
            "tertial": tertial,
            "as_of": followup_as_of(tertial=tertial),
            "export_formats": EXPORT_FORMATS,
            "approval_form": ApprovalForm(),
            # The button only where it can work: a tertial that has ended, a manager of an
            # organisation that has not approved these figures yet (the service refuses the rest).
            "tertial_over": timezone.localdate() > tertial.end,
            "approved_by_us": any(
                approval.organisation_id == request.user.organisation_id for approval in cached["approvals"]
            ),
            "may_approve": request.user.organisation_id is not None,
            **cached,
        },
    )


def _followup_table(
    request: AuthenticatedHttpRequest, promise: Promise, tertial: Tertial
) -> tuple[FollowupTable, list, FollowupBasis]:
    basis = followup_basis_cached(promise=promise, tertial=tertial)
    totals = month_totals(promise=promise)
    rows = followup_rows(promise=promise, tertial=tertial, basis=basis, totals=totals)
    outside = outside_totals(promise=promise, until=followup_as_of(tertial=tertial), totals=totals, basis=basis)
    table = FollowupTable(rows, tertial=tertial.number, final=followup_is_final(tertial=tertial), outside=outside)
    table.caption = _("Follow-up %(tertial)s") % {"tertial": tertial.label}
    RequestConfig(request, paginate=False).configure(table)
    return table, rows, basis


def _dashboard_cached(request: AuthenticatedHttpRequest, promise: Promise, tertial: Tertial) -> dict:
    """The figures, the table, the logged measures and the publication state, computed once
    per revision of the promise.

    Promise.revision is a new UUID after every write they depend on (activities, targets,
    comments, approvals, publications: promises/revisions.py), and the day is in the key for
    a running tertial, so what is cached is never stale (so is whether the year is over), and
    a key never comes back. After an entry, what does not depend on the entries comes from
    the cache (followup_basis_cached) and only the figures are computed again.
    """
    as_of = followup_as_of(tertial=tertial)
    final = "final" if followup_is_final(tertial=tertial) else "running"
    key = f"dashboard:{promise.pk}:{promise.revision}:{tertial.number}:{as_of.isoformat()}:{final}:{get_language()}"

    def compute() -> dict:
        table, rows, basis = _followup_table(request, promise, tertial)
        silent = silent_rows(rows)
        return {
            "body": render_to_string(
                "manager/includes/dashboard_body.html",
                {
                    "table": table,
                    "tertial": tertial,
                    "measures": logged_measures(promise=promise, tertial=tertial, basis=basis),
                    "changed": [row for row in rows if row.changed_since_publication],
                },
                # No request: the body needs nothing of the context processors (no form, no
                # navigation), which would run twice more, for it and for its table.
            ),
            "publications": basis.publications,
            "next_version": basis.next_version,
            "approvals": basis.approvals,
            # What approving would refuse (followup.services.tertial_approve), said first.
            "silent": [
                {
                    "label": f"{row.section.number}.{row.commitment.number} {row.target.title}",
                    "url": reverse("followup:target", args=[row.target.pk]) + f"?tertial={tertial.number}",
                }
                for row in silent
            ],
            # The year-end wording when they lack the year's outcome, as the refusal decides it.
            "silent_final": bool(silent) and silent[0].result.final,
        }

    return cache_get_or_compute(key, compute, timeout=60 * 60)


@login_required
@manager_required
@require_POST
def approve(request: AuthenticatedHttpRequest, promise_pk: int, tertial: int) -> HttpResponse:
    promise, period = _promise_and_tertial(request.user, promise_pk, tertial)
    if period is None:
        return redirect(_dashboard_url(promise, default_tertial(promise=promise)))
    form = ApprovalForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("reason", []):
            messages.error(request, str(error))  # a form's ErrorList holds the messages as strings
        return redirect(_dashboard_url(promise, period))
    try:
        outcome = tertial_approve(
            promise=promise, tertial=period, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect(_dashboard_url(promise, period))
    for outdated in outcome.outdated:
        messages.warning(
            request,
            _("The figures have changed since %(organisation)s approved; they need to approve again.")
            % {"organisation": outdated.organisation.name},
        )
    if outcome.already_published:
        assert outcome.publication is not None, "already published: the outcome carries that publication"
        messages.info(
            request,
            _("%(tertial)s is already published with these figures (version %(version)s).")
            % {"tertial": period.label, "version": outcome.publication.version},
        )
    elif outcome.publication is not None:
        messages.success(
            request,
            _("%(tertial)s is published (version %(version)s).")
            % {"tertial": period.label, "version": outcome.publication.version},
        )
    else:
        assert request.user.organisation is not None, "tertial_approve refuses a user without an organisation"
        messages.success(
            request,
            _("Approved by %(organisation)s. Publishing waits for the other party's approval.")
            % {"organisation": request.user.organisation.name},
        )
    return redirect(_dashboard_url(promise, period))


@login_required
@manager_required
@require_http_methods(["GET", "HEAD", "POST"])
def target_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    target = get_object_or_404(
        Target.objects.select_related("commitment__section__promise", "activity_type", "parent").filter(
            commitment__section__promise__in=promises_for_user(user=request.user).public()
        ),
        pk=pk,
    )
    promise = target.commitment.section.promise
    tertial = _tertial_from(request, promise)
    basis = followup_basis_cached(promise=promise, tertial=tertial)
    totals = month_totals(promise=promise)
    rows = followup_rows(promise=promise, tertial=tertial, basis=basis, totals=totals)
    row = next((r for r in rows if r.target.pk == target.pk), None)
    if row is None:  # a target newer than the cached basis (the revision moves just after the commit)
        basis = followup_basis(promise=promise, tertial=tertial)
        rows = followup_rows(promise=promise, tertial=tertial, basis=basis, totals=totals)
        row = next(r for r in rows if r.target.pk == target.pk)
    comment = row.comment
    form = TargetCommentForm(
        posted(request),
        target=target,
        final=followup_is_final(tertial=tertial),
        initial={
            "analysis": comment.analysis if comment else "",
            "measures": comment.measures if comment else "",
            "manual_status": comment.manual_status if comment else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            target_comment_save(
                target=target,
                tertial=tertial.number,
                user=request.user,
                analysis=form.cleaned_data["analysis"],
                measures=form.cleaned_data["measures"],
                manual_status=form.cleaned_data.get("manual_status", ""),
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, _("The comment was saved."))
            return redirect(reverse("followup:target", args=[target.pk]) + f"?tertial={tertial.number}")
    outside = ""
    if target.kind == Target.Kind.COUNT and target.activity_type_id is not None:
        outside_by_type = outside_totals(
            promise=promise, until=followup_as_of(tertial=tertial), totals=totals, basis=basis
        )
        outside = outside_text(outside_by_type.get(target.activity_type_id, []))
    context = {
        "row": row,
        "target": target,
        "promise": promise,
        "tertial": tertial,
        "form": form,
        "outside": outside,
    }
    context.update(_target_charts(target=target, promise=promise, tertial=tertial, row=row))
    return render(request, "manager/target_detail.html", context)


def _target_charts(*, target: Target, promise: Promise, tertial: Tertial, row) -> dict:
    until = followup_as_of(tertial=tertial)
    result = row.result
    unit = result.unit
    context: dict = {"summary": _summary(row)}
    if target.kind == Target.Kind.COUNT:
        daily = target_daily_totals(target=target, promise=promise)
        areas = target_area_totals(target=target, promise=promise, until=until)
        context["cumulative"] = charts.cumulative_chart(
            year=promise.year, daily=daily, target=result.target or 0, until=until
        )
        context["areas"] = areas
        context["area_chart"] = charts.area_chart(rows=areas)
        context["months"] = _monthly(daily, until)
    elif target.kind == Target.Kind.SHARE:
        daily = target_daily_totals(target=target, promise=promise)
        months = charts.share_by_month(daily=daily, until=until)
        context["share_months"] = months
        context["share_chart"] = charts.share_chart(months=months, wanted=result.target or 0)
    elif target.kind == Target.Kind.CADENCE:
        # target_cadence_needs_type_and_period: a cadence target always has a type.
        assert target.activity_type_id is not None, "a cadence target has a type"
        type_id = target.activity_type_id
        covered_all = coverage(promise=promise, type_ids={type_id}, periods=(target.period,))[target.period]
        target_areas = sorted(target.areas.all(), key=str)
        covered = {area.pk: covered_all.get((type_id, area.pk), set()) for area in target_areas}
        context["grid"] = charts.cadence_grid(
            year=promise.year,
            period=target.period,
            areas=[(area.pk, area.name) for area in target_areas],
            covered=covered,
            until=until,
        )
        # The whole year up to the tertial's end, as the grid shows it, not only the tertial.
        context["missed"] = charts.missed_in_year(
            year=promise.year,
            period=target.period,
            areas=[(area.pk, area.name) for area in target_areas],
            covered=covered,
            until=until,
        )
    context["unit"] = unit
    return context


def _monthly(daily: list[DailyTotal], until) -> list[dict]:
    """The daily totals (at most 366 rows) summed per month, with the running total."""
    months: dict[str, int] = {}
    for row in daily:
        if row["date"] <= until:
            month = row["date"].strftime("%Y-%m")
            months[month] = months.get(month, 0) + row["total"]
    running = 0
    rows = []
    for month, total in months.items():
        running += total
        rows.append({"month": month, "total": total, "cumulative": running})
    return rows


def _summary(row) -> str:
    """One sentence that says what the chart shows, for everyone who cannot see it. The status
    badge stands before it on the page, so the sentence does not say the status again."""
    result = row.result
    unit = result.unit
    if result.final and unit != "none":
        return _("Full-year outcome %(outcome)s against the target %(target)s: %(difference)s.") % {
            "outcome": format_value(result.year_to_date, unit),
            "target": format_value(result.target, unit),
            "difference": difference_text(result.difference, unit),
        }
    if unit == "count":
        return _("%(ytd)s of %(target)s so far this year (expected by now: %(expected)s).") % {
            "ytd": format_value(result.year_to_date, unit),
            "target": format_value(result.target, unit),
            "expected": format_value(result.expected, unit),
        }
    if unit == "percent":
        return _("%(share)s of the entries so far this year concern first-time users (target at least %(target)s).") % {
            "share": format_value(result.year_to_date, unit),
            "target": format_value(result.target, unit),
        }
    if unit == "periods":
        return _("%(covered)s of %(elapsed)s periods so far this year were covered in every area.") % {
            "covered": format_value(result.year_to_date, "count"),
            "elapsed": format_value(result.expected, "count"),
        }
    return _("Followed up by the managers' assessment.")


def _manager_report(promise: Promise, period: Tertial) -> dict:
    """The managers' report: today's figures and draft comments, with the publication's date
    and version when the tertial has been published."""
    rows = followup_rows(promise=promise, tertial=period)
    targets = [report.row_target(row) for row in rows]
    publications = list(Publication.objects.filter(promise=promise, tertial=period.number).order_by("version"))
    latest = publications[-1] if publications else None
    return {
        "promise": promise,
        "parties": list(promise.parties.all()),
        "signatories": list(promise.signatories.all()),
        "period": tertial_words(period.number, promise.year),
        "as_of": followup_as_of(tertial=period),
        "final": followup_is_final(tertial=period),
        "version": latest.version if latest else None,
        "published_at": latest.published_at if latest else None,
        "first_published_at": publications[0].published_at if publications else None,
        "corrections": [
            {"version": p.version, "published_at": p.published_at, "reason": p.reason} for p in publications[1:]
        ],
        "live_after_publication": any(row.changed_since_publication for row in rows),
        "sections": report.report_sections(targets),
        "status_totals": report.status_totals(targets),
    }


@login_required
@manager_required
@require_safe
def report_page(request: AuthenticatedHttpRequest, promise_pk: int, tertial: int) -> HttpResponse:
    promise, period = _promise_and_tertial(request.user, promise_pk, tertial)
    if period is None:
        return redirect(_dashboard_url(promise, default_tertial(promise=promise)))
    return render(
        request,
        "manager/report.html",
        {
            "report": _manager_report(promise, period),
            "tertial": period,
            "pdf_url": reverse("followup:report_pdf", args=[promise.pk, period.number]),
            "dashboard_url": _dashboard_url(promise, period),
        },
    )


@login_required
@manager_required
@require_safe
def report_pdf(request: AuthenticatedHttpRequest, promise_pk: int, tertial: int) -> HttpResponse:
    promise, period = _promise_and_tertial(request.user, promise_pk, tertial)
    if period is None:
        return redirect(_dashboard_url(promise, default_tertial(promise=promise)))
    as_of = followup_as_of(tertial=period)
    # Rendering takes a second or two: once per revision of the promise, day and language.
    key = f"report-pdf:{promise.pk}:{promise.revision}:{period.number}:{as_of.isoformat()}:{get_language()}"
    content = cache_get_or_compute(key, lambda: report.report_pdf(_manager_report(promise, period)), timeout=60 * 60)
    return exports.pdf_response(content, filename=f"uppfoljning-{promise.year}-T{period.number}")
