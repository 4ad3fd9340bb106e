"""Demo publications, so that a newcomer sees the public page alive: T1 and T2 of 2022, the
whole of an invented earlier year (2021, marked as demo), and the ended tertials of the running year."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction

from followup.models import Publication
from followup.selectors import latest_publication
from followup.services import ApprovalOutcome, target_comment_save, tertial_approve
from promises.demo import demo_activities_save, demo_promise_close
from promises.models import Promise, Target, User
from promises.periods import Tertial, tertials
from promises.services import ActivityData

STOCKHOLM = ZoneInfo("Europe/Stockholm")

COMMENTS = {
    1: {
        "fotpatrull-raslatt": (
            "Fotpatrulleringen på Råslätt ligger nära förväntad takt. Kvällspass har prioriterats vid torget.",
            "Fler kvällspass under maj–juni.",
        ),
        "narkotika-oxnehaga-osterangen-ekhagen-forstagang": (
            "Andelen förstagångsanvändare följs upp varje månad i Öxnehaga, Österängen och Ekhagen.",
            "Riktade insatser mot köpare i samverkan med socialtjänsten.",
        ),
        "est-implementering": ("EST-arbetet är igång i alla områden; lägesbilden delas med Vätterhem.", ""),
    },
    2: {
        "fotpatrull-raslatt": (
            "Sommarperioden gav färre pass än planerat.",
            "Förstärkning med områdespoliser i augusti.",
        ),
        "bos-moten": ("BOS-mötena har hållits nästan varje vecka i alla prioriterade områden.", ""),
        "est-implementering": ("EST används nu löpande; metodstöd har getts till nya medarbetare.", ""),
    },
}
MANUAL_STATUS = {"est-implementering": "on_track", "formella-moten": "on_track", "analyser-och-atgarder": "on_track"}
PUBLISHED_ON = {(1, 1): (2022, 5, 18), (1, 2): (2022, 6, 2), (2, 1): (2022, 9, 21)}
# In the running year, the managers approve a tertial about three weeks after it ended; one
# that ended more recently awaits their approval.
APPROVED_AFTER = timedelta(days=21)
CORRECTION = "Fem trafikkontroller i slutet av april rapporterades in efter publiceringen."


def _comment(promise: Promise, tertial: int, manager: User) -> None:
    targets = {t.key: t for t in Target.objects.filter(commitment__section__promise=promise)}
    for key, (analysis, measures) in COMMENTS.get(tertial, {}).items():
        if key in targets:
            target = targets[key]
            status = MANUAL_STATUS.get(key, "") if target.kind == Target.Kind.QUALITATIVE else ""
            target_comment_save(
                target=target, tertial=tertial, user=manager, analysis=analysis, measures=measures, manual_status=status
            )
    for key, status in MANUAL_STATUS.items():
        if key in targets and key not in COMMENTS.get(tertial, {}):
            target_comment_save(
                target=targets[key], tertial=tertial, user=manager, analysis="", measures="", manual_status=status
            )


def _published(outcome: ApprovalOutcome) -> Publication:
    """The publication of the second party's approval: the demo's tertials have both parties."""
    if outcome.publication is None:
        raise RuntimeError(f"The demo approval did not publish; still waiting for {sorted(outcome.waiting_for)}.")
    return outcome.publication


def _publish(promise: Promise, tertial: int, police: User, municipality: User, reason: str = "") -> Publication:
    tertial_approve(promise=promise, tertial=Tertial(promise.year, tertial), user=police, reason=reason)
    publication = _published(
        tertial_approve(promise=promise, tertial=Tertial(promise.year, tertial), user=municipality)
    )
    # Back-date the demo publication to when it would have happened.
    publication.published_at = datetime(*PUBLISHED_ON[(tertial, publication.version)], 10, 0, tzinfo=STOCKHOLM)
    publication.save(update_fields=["published_at"])
    return publication


@transaction.atomic
def demo_publications_create(*, promise: Promise, late: list[ActivityData]) -> list[Publication]:
    """Publish T1, save the late reports and publish a correction of T1, then publish T2.

    The late reports reach a published tertial, so a manager saves them (and the audit log says so).
    """
    if promise.year != 2022 or Publication.objects.filter(promise=promise).exists():
        return []
    police = User.objects.get(username="chef.polis")
    municipality = User.objects.get(username="chef.kommun")
    _comment(promise, 1, police)
    published = [_publish(promise, 1, police, municipality)]
    if late:
        demo_activities_save(user=police, rows=late)
        published.append(_publish(promise, 1, police, municipality, reason=CORRECTION))
    _comment(promise, 2, police)
    published.append(_publish(promise, 2, police, municipality))
    return published


@transaction.atomic
def demo_running_publications_create(*, promise: Promise, today: date) -> list[Publication]:
    """Publish each tertial of the running year that ended at least three weeks before `today`
    and is not yet published, approved by both parties' demo managers."""
    police = User.objects.get(username="chef.polis")
    municipality = User.objects.get(username="chef.kommun")
    published = []
    for tertial in tertials(promise.year):
        approved_on = tertial.end + APPROVED_AFTER
        if approved_on > today or latest_publication(promise=promise, tertial=tertial.number) is not None:
            continue
        _comment(promise, tertial.number, police)
        tertial_approve(promise=promise, tertial=tertial, user=police)
        publication = _published(tertial_approve(promise=promise, tertial=tertial, user=municipality))
        publication.published_at = datetime.combine(approved_on, time(10, 0), tzinfo=STOCKHOLM)
        publication.save(update_fields=["published_at"])
        published.append(publication)
    return published


# When the invented earlier year's tertials were published, and its qualitative targets' final status.
EARLIER_PUBLISHED_ON = {1: (5, 19), 2: (9, 22), 3: (1, 26)}
EARLIER_FINAL_STATUS = "achieved"


@transaction.atomic
def demo_earlier_publications_create(*, promise: Promise) -> list[Publication]:
    """Publish the three tertials of an earlier demo year through the approval service, then
    close the year (it takes no more entries)."""
    if Publication.objects.filter(promise=promise).exists():
        return []
    police = User.objects.get(username="chef.polis")
    municipality = User.objects.get(username="chef.kommun")
    qualitative = Target.objects.filter(commitment__section__promise=promise, kind=Target.Kind.QUALITATIVE)
    published = []
    for tertial in tertials(promise.year):
        for target in qualitative:
            status = EARLIER_FINAL_STATUS if tertial.number == 3 else MANUAL_STATUS.get(target.key, "on_track")
            target_comment_save(
                target=target, tertial=tertial.number, user=police, analysis="", measures="", manual_status=status
            )
        tertial_approve(promise=promise, tertial=tertial, user=police)
        publication = _published(tertial_approve(promise=promise, tertial=tertial, user=municipality))
        month, day = EARLIER_PUBLISHED_ON[tertial.number]
        published_year = promise.year + 1 if tertial.number == 3 else promise.year
        publication.published_at = datetime(published_year, month, day, 10, 0, tzinfo=STOCKHOLM)
        publication.save(update_fields=["published_at"])
        published.append(publication)
    demo_promise_close(promise=promise)
    return published
