"""Writes for the follow-up: comments, the two-party approval, and publishing."""

import hashlib
import json
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.models import FINAL_OUTCOMES, Approval, Publication, Status, TargetComment
from followup.notifications import notifications_queue_approval
from followup.published import PublishedTarget, whole_counts
from followup.selectors import (
    FollowupRow,
    followup_as_of,
    followup_basis_warm_on_commit,
    followup_is_final,
    followup_rows,
    latest_publication,
    silent_rows,
)
from promises.audit import audit_record
from promises.models import AuditEvent, Organisation, Promise, Target, User
from promises.periods import Tertial
from promises.permissions import is_manager
from promises.revisions import promise_changed
from promises.services import tertial_lock

APPROVAL_NOT_A_MANAGER = _("Only managers can approve a follow-up.")
APPROVAL_NOT_A_PARTY = _("%(organisation)s is not a party to this promise and cannot approve its follow-up.")
APPROVAL_TERTIAL_NOT_OVER = _("%(tertial)s is not over yet; it can be published once it has ended.")
APPROVAL_REASON_REQUIRED = _("%(tertial)s is already published. Give the reason for the correction.")
COMMENT_STATUS_ONLY_QUALITATIVE = _("Only targets without a number take a status set by hand.")
COMMENT_STATUS_FINAL = _("The year is over: a target without a number is “Achieved”, “Not achieved” or “Not assessed”.")
APPROVAL_QUALITATIVE_UNASSESSED = _(
    "These targets without a number have neither a status nor a comment: %(targets)s. Set their status "
    "(“Not assessed” if they could not be assessed) or comment on them before approving."
)
APPROVAL_QUALITATIVE_NO_OUTCOME = _(
    "The year is over, and these targets without a number have no outcome for it: %(targets)s. Set "
    "“Achieved”, “Not achieved” or “Not assessed” before approving."
)

# The joint promise is signed by the police and the municipality: both must approve.
REQUIRED_PARTIES: set[str] = {Organisation.Kind.POLICE, Organisation.Kind.MUNICIPALITY}


@transaction.atomic
def target_comment_save(
    *, target: Target, tertial: int, user: User, analysis: str, measures: str, manual_status: str = ""
) -> TargetComment:
    if not is_manager(user):
        raise PermissionDenied(APPROVAL_NOT_A_MANAGER)
    if manual_status == Status.NO_STATUS:
        manual_status = ""  # what an unset status reads as, never a status of its own
    if manual_status and target.kind != Target.Kind.QUALITATIVE:
        raise ValidationError({"manual_status": COMMENT_STATUS_ONLY_QUALITATIVE})
    period = Tertial(target.commitment.section.promise.year, tertial)
    if manual_status and manual_status not in FINAL_OUTCOMES and followup_is_final(tertial=period, as_of=period.end):
        raise ValidationError({"manual_status": COMMENT_STATUS_FINAL})
    comment = TargetComment.objects.filter(target=target, tertial=tertial).first() or TargetComment(
        target=target, tertial=tertial
    )
    comment.analysis = analysis.strip()
    comment.measures = measures.strip()
    comment.manual_status = manual_status
    comment.updated_by = user
    comment.full_clean()
    comment._history_user = user  # type: ignore[attr-defined]  # django-simple-history's per-instance attribute
    comment.save()
    promise_changed([target.commitment.section.promise_id])
    # The one who changes the basis pays for reading it, not the next manager to look.
    followup_basis_warm_on_commit(promise_ids=[target.commitment.section.promise_id], tertials=[tertial])
    return comment


def _row_snapshot(row: FollowupRow, area_names: dict[int, str]) -> dict:
    result = row.result
    return PublishedTarget(
        id=row.target.pk,
        key=row.target.key,
        section_number=row.section.number,
        section_title=row.section.title,
        commitment_label=row.commitment.label,
        commitment_text=row.commitment.text,
        title=row.target.title,
        kind=row.target.kind,
        unit=result.unit,
        period=row.target.period,
        areas=sorted(area.name for area in row.target.areas.all()),
        sensitive=bool(row.target.activity_type and row.target.activity_type.is_sensitive),
        target=result.target,
        outcome=result.outcome,
        year_to_date=result.year_to_date,
        expected=result.expected,
        attainment=result.attainment,
        progress=result.progress,
        forecast=result.forecast,
        needed_per_week=result.needed_per_week,
        periods_total=result.periods_total,
        missed={area_names.get(pk, str(pk)): labels for pk, labels in result.missed.items()},
        area_year_to_date={area_names.get(pk, str(pk)): value for pk, value in result.area_year_to_date.items()},
        status=str(result.status),
        analysis=row.comment.analysis if row.comment else "",
        measures=row.comment.measures if row.comment else "",
        final=result.final,
        difference=result.difference if result.final else None,
    ).snapshot()


def followup_snapshot(*, promise: Promise, tertial: Tertial, rows: list[FollowupRow] | None = None) -> dict:
    """Every figure, status and comment of a tertial, as plain JSON-able data (from `rows` when
    the caller has read them already)."""
    as_of = followup_as_of(tertial=tertial)
    if rows is None:
        rows = followup_rows(promise=promise, tertial=tertial, as_of=as_of)
    area_names = {area.pk: area.name for row in rows for area in row.target.areas.all()}
    return {
        "promise": {
            "id": promise.pk,
            "municipality": promise.municipality.name,
            "year": promise.year,
            "title": promise.title,
        },
        "tertial": tertial.number,
        "label": tertial.label,
        "as_of": as_of.isoformat(),
        "targets": [_row_snapshot(row, area_names) for row in rows],
    }


def _fingerprint(snapshot: dict) -> str:
    # Compared in the wording of the oldest snapshots, so one frozen before a change of wording
    # compares equal to today's: counts whole, and a qualitative target without a status as
    # "not_started", as it was frozen before "no_status" existed (so choosing "Ej påbörjad" by
    # hand instead of leaving it unset is no change of the figures either).
    targets = [_comparable(whole_counts(target)) for target in snapshot.get("targets", [])]
    comparable = {**snapshot, "targets": targets} if "targets" in snapshot else snapshot
    return hashlib.sha256(json.dumps(comparable, sort_keys=True, default=str).encode()).hexdigest()


def _comparable(target: dict) -> dict:
    if target.get("kind") == Target.Kind.QUALITATIVE and target.get("status") == Status.NO_STATUS:
        return {**target, "status": Status.NOT_STARTED.value}
    return target


@dataclass
class ApprovalOutcome:
    approval: Approval | None  # None when the same figures were already published
    publication: Publication | None
    waiting_for: set[str]  # organisation kinds still to approve
    outdated: list[Approval]  # approvals dropped because the figures changed since
    already_published: bool = False


def tertial_approve(*, promise: Promise, tertial: Tertial, user: User, reason: str = "") -> ApprovalOutcome:
    """Record one party's approval; publish when the police and the municipality agree.

    The promise row is locked while approving, so two managers approving at the same moment
    yield one publication, never two.
    """
    if not is_manager(user) or user.organisation is None:
        raise PermissionDenied(APPROVAL_NOT_A_MANAGER)
    with transaction.atomic():
        promise = Promise.objects.select_for_update().get(pk=promise.pk)
        if not promise.parties.filter(pk=user.organisation.pk).exists():
            raise ValidationError(APPROVAL_NOT_A_PARTY % {"organisation": user.organisation.name})
        if timezone.localdate() <= tertial.end:
            raise ValidationError(APPROVAL_TERTIAL_NOT_OVER % {"tertial": tertial.label})
        previous = latest_publication(promise=promise, tertial=tertial.number)
        version = previous.version + 1 if previous else 1
        rows = followup_rows(promise=promise, tertial=tertial)
        snapshot = followup_snapshot(promise=promise, tertial=tertial, rows=rows)
        silent = silent_rows(rows)
        if silent:
            message = APPROVAL_QUALITATIVE_NO_OUTCOME if silent[0].result.final else APPROVAL_QUALITATIVE_UNASSESSED
            raise ValidationError(message % {"targets": "; ".join(row.target.title for row in silent)})
        fingerprint = _fingerprint(snapshot)
        if previous is not None and _fingerprint(previous.snapshot) == fingerprint:
            # Nothing changed since the last publication (a second click, a late approval).
            return ApprovalOutcome(
                approval=None, publication=previous, waiting_for=set(), outdated=[], already_published=True
            )
        approvals = Approval.objects.filter(promise=promise, tertial=tertial.number, version=version)
        # The first approver of a correction gives its reason; the other party approves it.
        reason = reason.strip() or next((a.reason for a in approvals if a.reason), "")
        if version > 1 and not reason:
            raise ValidationError({"reason": APPROVAL_REASON_REQUIRED % {"tertial": tertial.label}})
        outdated = list(approvals.exclude(figures_sha256=fingerprint).select_related("organisation"))
        approvals.exclude(figures_sha256=fingerprint).delete()
        approval, _created = Approval.objects.get_or_create(
            promise=promise,
            tertial=tertial.number,
            version=version,
            organisation=user.organisation,
            defaults={"approved_by": user, "reason": reason, "figures_sha256": fingerprint},
        )
        promise_changed([promise.pk])
        audit_record(
            action=AuditEvent.Action.APPROVE,
            user=user,
            promise=promise.pk,
            tertial=tertial.number,
            version=version,
            organisation=user.organisation_id,
        )
        kinds = set(approvals.values_list("organisation__kind", flat=True))
        waiting = REQUIRED_PARTIES - kinds
        publication = None
        if not waiting:
            try:
                with transaction.atomic():
                    publication = Publication.objects.create(
                        promise=promise,
                        tertial=tertial.number,
                        version=version,
                        published_at=timezone.now(),
                        reason=reason,
                        snapshot=snapshot,
                    )
            except IntegrityError:
                publication = Publication.objects.get(promise=promise, tertial=tertial.number, version=version)
            else:
                tertial_lock(promise=promise, tertial=tertial.number)
                promise_changed([promise.pk])
                audit_record(
                    action=AuditEvent.Action.PUBLISH,
                    user=user,
                    promise=promise.pk,
                    tertial=tertial.number,
                    version=version,
                    publication=publication.pk,
                )
        notifications_queue_approval(
            promise=promise, approval=approval, outdated=outdated, published=publication is not None
        )
        followup_basis_warm_on_commit(promise_ids=[promise.pk], tertials=[tertial.number])
        return ApprovalOutcome(approval=approval, publication=publication, waiting_for=waiting, outdated=outdated)
