"""Reads of promises: named queries the views and services share."""

from django.db.models import Prefetch, QuerySet

from promises.models import ActivityType, Commitment, Promise, Section, Target, User


def promise_current() -> Promise | None:
    """The promise the public page leads with: the latest active one, else the latest closed."""
    public = Promise.objects.exclude(status=Promise.Status.DRAFT).order_by("-year")
    return public.filter(status=Promise.Status.ACTIVE).first() or public.first()


def promise_with_structure(*, promise: Promise) -> Promise:
    """The promise with sections, commitments, targets and their areas in a fixed number of queries."""
    targets = Target.objects.select_related("activity_type", "parent").prefetch_related("areas")
    commitments = Commitment.objects.prefetch_related("responsible", Prefetch("targets", queryset=targets))
    sections = Section.objects.prefetch_related(Prefetch("commitments", queryset=commitments))
    return Promise.objects.prefetch_related(
        "parties", "signatories__organisation", Prefetch("sections", queryset=sections)
    ).get(pk=promise.pk)


def activity_types_for_user(*, user: User) -> QuerySet[ActivityType]:
    if user.organisation_id is None:
        return ActivityType.objects.none()
    return ActivityType.objects.filter(organisations=user.organisation_id)
