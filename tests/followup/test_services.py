from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from followup.models import Approval, Publication, TargetComment
from followup.services import followup_snapshot, target_comment_save, tertial_approve
from promises.models import Activity, Organisation, PublishedTertial, Target
from promises.periods import Tertial
from tests.factories import OrganisationFactory, World, manager_user

pytestmark = pytest.mark.django_db

YEAR = 2022
T1 = Tertial(YEAR, 1)


def _patrols(world: World, quantity: int, day: date = date(YEAR, 2, 1)) -> Activity:
    return world.log(world.patrol, quantity, day)


def _snapshot_target(publication: Publication, target: Target) -> dict:
    return next(t for t in publication.snapshot["targets"] if t["id"] == target.pk)


def test_tertial_approve_one_approval_does_not_publish():
    world = World(year=YEAR)
    outcome = tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    assert outcome.publication is None
    assert outcome.waiting_for == {Organisation.Kind.MUNICIPALITY}
    assert Publication.objects.count() == 0


def test_tertial_approve_same_party_twice_does_not_publish():
    world = World(year=YEAR)
    tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    second_police_manager = manager_user(organisation=world.police)
    outcome = tertial_approve(promise=world.promise, tertial=T1, user=second_police_manager)
    assert outcome.publication is None
    assert Approval.objects.count() == 1
    assert Publication.objects.count() == 0


def test_tertial_approve_same_party_twice_keeps_one_approval_which_the_database_enforces():
    world = World(year=YEAR)
    outcome = tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    again = tertial_approve(promise=world.promise, tertial=T1, user=manager_user(organisation=world.police))
    assert again.approval.pk == outcome.approval.pk
    assert again.approval.approved_by == world.manager
    # The service relies on the constraint, not only on its own lookup.
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(
            promise=world.promise,
            tertial=1,
            version=1,
            organisation=world.police,
            approved_by=world.manager,
            figures_sha256=outcome.approval.figures_sha256,
        )


def test_tertial_approve_police_and_municipality_publish_a_snapshot():
    world = World(year=YEAR)
    _patrols(world, 30)
    target_comment_save(target=world.patrol_target, tertial=1, user=world.manager, analysis="Bra start.", measures="")
    tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    outcome = tertial_approve(promise=world.promise, tertial=T1, user=world.municipal_manager)
    publication = outcome.publication
    assert (publication.version, publication.reason) == (1, "")
    patrol = _snapshot_target(publication, world.patrol_target)
    assert (patrol["outcome"], patrol["target"], patrol["analysis"], patrol["status"]) == (
        30,
        800.0,
        "Bra start.",
        "behind",
    )
    assert publication.snapshot["label"] == "T1 2022"


def test_publication_snapshot_is_not_altered_by_later_changes():
    world = World(year=YEAR)
    activity = _patrols(world, 30)
    tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    publication = tertial_approve(promise=world.promise, tertial=T1, user=world.municipal_manager).publication
    activity.quantity = 99
    activity.save()
    _patrols(world, 5)
    target_comment_save(target=world.patrol_target, tertial=1, user=world.manager, analysis="Ändrad.", measures="")
    publication.refresh_from_db()
    patrol = _snapshot_target(publication, world.patrol_target)
    assert (patrol["outcome"], patrol["analysis"]) == (30, "")


def test_tertial_approve_correction_needs_a_reason_and_makes_a_new_version():
    world = World(year=YEAR)
    _patrols(world, 30)
    tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    tertial_approve(promise=world.promise, tertial=T1, user=world.municipal_manager)
    _patrols(world, 10)
    with pytest.raises(ValidationError) as excinfo:
        tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    assert "skäl" in excinfo.value.message_dict["reason"][0]
    tertial_approve(promise=world.promise, tertial=T1, user=world.manager, reason="Sent inrapporterade patruller.")
    corrected = tertial_approve(promise=world.promise, tertial=T1, user=world.municipal_manager).publication
    assert (corrected.version, corrected.reason) == (2, "Sent inrapporterade patruller.")
    assert _snapshot_target(corrected, world.patrol_target)["outcome"] == 40
    first = Publication.objects.get(version=1)
    assert _snapshot_target(first, world.patrol_target)["outcome"] == 30


def test_tertial_approve_figures_changed_since_the_first_approval_need_it_again():
    world = World(year=YEAR)
    _patrols(world, 30)
    tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    _patrols(world, 1)
    outcome = tertial_approve(promise=world.promise, tertial=T1, user=world.municipal_manager)
    assert outcome.publication is None
    assert [a.organisation for a in outcome.outdated] == [world.police]
    assert outcome.waiting_for == {Organisation.Kind.POLICE}
    published = tertial_approve(promise=world.promise, tertial=T1, user=world.manager).publication
    assert _snapshot_target(published, world.patrol_target)["outcome"] == 31


def test_tertial_approve_refuses_staff_and_non_parties():
    world = World(year=YEAR)
    with pytest.raises(PermissionDenied):
        tertial_approve(promise=world.promise, tertial=T1, user=world.officer)
    outsider = manager_user(organisation=OrganisationFactory(short_name="Länsstyrelsen"))
    with pytest.raises(ValidationError):
        tertial_approve(promise=world.promise, tertial=T1, user=outsider)
    assert Approval.objects.count() == 0


def test_tertial_approve_refuses_a_tertial_not_yet_over():
    world = World()  # this year's promise
    running = Tertial.of(world.today)
    with pytest.raises(ValidationError) as excinfo:
        tertial_approve(promise=world.promise, tertial=running, user=world.manager)
    assert "inte slut" in excinfo.value.messages[0]


def test_target_comment_save_records_who_and_refuses_status_on_measured_targets():
    world = World(year=YEAR)
    comment = target_comment_save(
        target=world.patrol_target,
        tertial=1,
        user=world.manager,
        analysis=" Färre patruller i mars. ",
        measures="Fler pass.",
    )
    assert (comment.analysis, comment.measures, comment.updated_by) == (
        "Färre patruller i mars.",
        "Fler pass.",
        world.manager,
    )
    assert comment.history.get().history_user == world.manager
    with pytest.raises(ValidationError):
        target_comment_save(
            target=world.patrol_target,
            tertial=1,
            user=world.manager,
            analysis="",
            measures="",
            manual_status="achieved",
        )
    with pytest.raises(PermissionDenied):
        target_comment_save(target=world.patrol_target, tertial=1, user=world.officer, analysis="x", measures="")
    assert TargetComment.objects.get().analysis == "Färre patruller i mars."


def test_followup_snapshot_marks_sensitive_targets():
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    snapshot = followup_snapshot(promise=world.promise, tertial=T1)
    patrol = next(t for t in snapshot["targets"] if t["id"] == world.patrol_target.pk)
    assert patrol["sensitive"] is True
    assert patrol["areas"] == ["Råslätt"]


def test_tertial_approve_again_with_unchanged_figures_changes_nothing():
    world = World(year=YEAR)
    _patrols(world, 30)
    tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    published = tertial_approve(promise=world.promise, tertial=T1, user=world.municipal_manager).publication
    again = tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    assert (again.already_published, again.publication, again.approval) == (True, published, None)
    assert (Publication.objects.count(), Approval.objects.count()) == (1, 2)


def test_tertial_approve_again_after_an_older_publication_with_fractional_counts_changes_nothing():
    # A publication frozen before expected counts were whole (532.6, now 533) is the same figures.
    world = World(year=YEAR)
    _patrols(world, 30)
    world.publish(1)
    published = Publication.objects.get()
    for target in published.snapshot["targets"]:
        if target["unit"] == "count" and target["expected"]:
            target["expected"] -= 0.4
    published.save()
    again = tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    assert (again.already_published, again.publication) == (True, published)
    assert Publication.objects.count() == 1


def test_tertial_approve_publishing_locks_the_tertial_for_staff():
    world = World(year=YEAR)
    world.publish(1)
    assert list(PublishedTertial.objects.values_list("promise", "tertial")) == [(world.promise.pk, 1)]
    # A correction publishes a new version of the same tertial: still one lock.
    _patrols(world, 3)
    world.publish(1, reason="Sent inrapporterat.")
    assert PublishedTertial.objects.count() == 1
