"""Writes to promises: every change goes through a function here."""

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from promises.models import Commitment, Promise, Section, Target, TargetArea

PROMISE_YEAR_TAKEN = _("A promise for %(municipality)s %(year)s already exists.")


class PromiseCopyError(Exception):
    pass


@transaction.atomic
def promise_copy_to_year(*, promise: Promise, year: int) -> Promise:
    """Start next year's promise as a draft copy: same parties, sections, commitments, targets.

    Signatories and the signing date are left out: the new promise is signed anew.
    """
    if Promise.objects.filter(municipality=promise.municipality, year=year).exists():
        raise PromiseCopyError(PROMISE_YEAR_TAKEN % {"municipality": promise.municipality, "year": year})
    copy = Promise(
        municipality=promise.municipality,
        year=year,
        title=promise.title.replace(str(promise.year), str(year)),
        general_commitment=promise.general_commitment.replace(str(promise.year), str(year)),
        background=promise.background,
        purpose=promise.purpose,
        how_developed=promise.how_developed,
        followup_description=promise.followup_description,
        signed_place=promise.signed_place,
        status=Promise.Status.DRAFT,
    )
    copy.full_clean()
    copy.save()
    copy.parties.set(promise.parties.all())
    new_targets: dict[int, Target] = {}
    targets = (
        Target.objects.filter(commitment__section__promise=promise)
        .select_related("commitment__section")
        .prefetch_related("areas")
        .order_by(F("parent_id").asc(nulls_first=True), "pk")  # count targets before their shares
    )
    sections: dict[int, Section] = {}
    commitments: dict[int, Commitment] = {}
    for section in promise.sections.all():
        sections[section.pk] = Section.objects.create(promise=copy, number=section.number, title=section.title)
    for commitment in Commitment.objects.filter(section__promise=promise).prefetch_related("responsible"):
        new = Commitment.objects.create(
            section=sections[commitment.section_id], number=commitment.number, text=commitment.text
        )
        new.responsible.set(commitment.responsible.all())
        commitments[commitment.pk] = new
    for target in targets:
        new = Target(
            commitment=commitments[target.commitment_id],
            key=target.key,
            order=target.order,
            kind=target.kind,
            title=target.title,
            activity_type_id=target.activity_type_id,
            count=target.count,
            share_percent=target.share_percent,
            parent=new_targets.get(target.parent_id),
            period=target.period,
            reading=target.reading,
        )
        new.full_clean()
        new.save()
        TargetArea.objects.bulk_create([TargetArea(target=new, area=area) for area in target.areas.all()])
        new_targets[target.pk] = new
    return copy
