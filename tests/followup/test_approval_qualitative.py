"""No silent target: a tertial is not approved while a qualitative target has neither a
status nor a comment; "not assessed" says so explicitly."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from followup.models import Approval, Publication, Status, TargetComment
from followup.selectors import followup_rows, silent_rows
from followup.services import target_comment_save, tertial_approve
from promises.models import Target
from promises.periods import Tertial
from tests.factories import TargetFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022
T1 = Tertial(YEAR, 1)


def _qualitative(world: World, title: str) -> Target:
    return TargetFactory(
        commitment=world.patrol_target.commitment,
        kind=Target.Kind.QUALITATIVE,
        activity_type=None,
        count=None,
        title=title,
    )


def _comment(world: World, target: Target, *, tertial: int = 1, status: str = "", analysis: str = "") -> None:
    target_comment_save(
        target=target, tertial=tertial, user=world.manager, analysis=analysis, measures="", manual_status=status
    )


def test_approve_is_refused_listing_the_qualitative_targets_without_status_or_comment():
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    meetings = _qualitative(world, "Medborgardialoger hålls")
    _comment(world, _qualitative(world, "Samverkansavtal följs upp"), status=Status.ON_TRACK)
    with pytest.raises(ValidationError) as refused:
        tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    assert refused.value.messages == [
        "De här målen utan siffra har varken status eller kommentar: Trygghetsvandringar genomförs; "
        "Medborgardialoger hålls. Ange deras status (”Ej bedömd” om de inte har kunnat bedömas) "
        "eller kommentera dem innan du godkänner."
    ]
    assert Approval.objects.count() == 0
    assert [row.target.pk for row in silent_rows(followup_rows(promise=world.promise, tertial=T1))] == [
        walks.pk,
        meetings.pk,
    ]


def test_approve_after_setting_not_assessed_publishes_it():
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, walks, status=Status.NOT_ASSESSED)
    world.publish(1)
    snapshot = Publication.objects.get(tertial=1).snapshot
    assert next(t for t in snapshot["targets"] if t["id"] == walks.pk)["status"] == "not_assessed"


def test_approve_with_a_comment_but_no_status_is_allowed():
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, walks, analysis="Vandringarna flyttades till hösten.")
    outcome = tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    assert outcome.approval is not None


def test_a_target_without_a_status_reads_no_status_yet_not_not_started(client):
    # EST runs all year: "Ej påbörjad" on it read as "nothing done".
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, walks, analysis="Vandringarna flyttades till hösten.")
    client.force_login(world.manager)
    url = reverse("followup:target", args=[walks.pk]) + "?tertial=1"
    page = client.get(url).content.decode()
    assert '<span class="status status-no_status"><span aria-hidden="true">–</span> Ingen status än</span>' in page
    # It is what leaving the status unset means, not a status to choose.
    choices = page[page.index('name="manual_status"') : page.index("</select>", page.index('name="manual_status"'))]
    assert "Ingen status än" not in choices
    world.publish(1)
    snapshot = Publication.objects.get(tertial=1).snapshot
    assert next(t for t in snapshot["targets"] if t["id"] == walks.pk)["status"] == "no_status"
    public = client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode()
    assert '<span class="status status-no_status">' in public.split('id="status-legend"')[0]  # the target's own
    assert "Polisen och kommunen har inte gett målet någon status för perioden." in public
    # Not a status to store either: the service reads it as unset.
    _comment(world, walks, tertial=2, status=Status.NO_STATUS, analysis="x")
    assert walks.comments.get(tertial=2).manual_status == ""


def test_a_publication_frozen_before_no_status_existed_is_the_same_figures():
    # Frozen then, a qualitative target without a status said "not_started"; approving the
    # unchanged figures again must not ask for a correction.
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, walks, analysis="Vandringarna flyttades till hösten.")
    world.publish(1)
    published = Publication.objects.get()
    for target in published.snapshot["targets"]:
        if target["id"] == walks.pk:
            target["status"] = "not_started"
    published.save()
    again = tertial_approve(promise=world.promise, tertial=T1, user=world.manager)
    assert (again.already_published, again.publication) == (True, published)


def test_after_the_year_a_comment_alone_is_no_outcome(client):
    # T3 of a year that is over: the target is published as the year's outcome, so it needs one.
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, walks, tertial=3, analysis="Vandringarna hölls i tre områden.")
    with pytest.raises(ValidationError) as refused:
        tertial_approve(promise=world.promise, tertial=Tertial(YEAR, 3), user=world.manager)
    assert refused.value.messages == [
        "Året är slut, och de här målen utan siffra har inget utfall för året: Trygghetsvandringar genomförs. "
        "Ange ”Uppnått”, ”Ej uppnått” eller ”Ej bedömd” innan du godkänner."
    ]
    client.force_login(world.manager)
    dashboard = client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=3").content.decode()
    assert "Året är slut: ge det här målet utan siffra dess utfall" in dashboard
    _comment(world, walks, tertial=3, status=Status.ACHIEVED, analysis="Vandringarna hölls i tre områden.")
    assert tertial_approve(promise=world.promise, tertial=Tertial(YEAR, 3), user=world.manager).approval is not None


def test_approve_looks_only_at_the_tertial_being_approved():
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, walks, tertial=2, status=Status.ACHIEVED)
    with pytest.raises(ValidationError):
        tertial_approve(promise=world.promise, tertial=T1, user=world.manager)


def test_silent_rows_ignore_other_promises():
    world, other = World(year=YEAR), World(year=YEAR + 1)
    _qualitative(other, "I ett annat löfte")
    assert silent_rows(followup_rows(promise=world.promise, tertial=T1)) == []


def test_dashboard_shows_the_refusal_where_the_manager_approves(client):
    world = World(year=YEAR)
    _qualitative(world, "Trygghetsvandringar genomförs")
    client.force_login(world.manager)
    response = client.post(reverse("followup:approve", args=[world.promise.pk, 1]), {"reason": ""}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("followup:dashboard"))
    assert "varken status eller kommentar: Trygghetsvandringar genomförs" in body
    assert Approval.objects.count() == 0


def test_dashboard_lists_the_silent_targets_with_links_before_anyone_approves(
    client, django_capture_on_commit_callbacks
):
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, _qualitative(world, "Samverkansavtal följs upp"), status=Status.ON_TRACK)
    _comment(world, _qualitative(world, "Medborgardialoger hålls"), analysis="Två hölls i mars.")
    client.force_login(world.manager)
    body = client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1").content.decode()
    notice = body[body.index('id="silent-targets"') : body.index("</div>", body.index('id="silent-targets"'))]
    assert "Ge det här målet utan siffra en status eller en kommentar innan du godkänner:" in notice
    link = reverse("followup:target", args=[walks.pk]) + "?tertial=1"
    assert f'<a href="{link}">' in notice
    assert "Trygghetsvandringar genomförs" in notice
    assert "Samverkansavtal" not in notice
    assert "Medborgardialoger" not in notice
    # Once it has a status the list is gone (the cached page follows the comment).
    with django_capture_on_commit_callbacks(execute=True):
        _comment(world, walks, status=Status.NOT_ASSESSED)
    body = client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=1").content.decode()
    assert 'id="silent-targets"' not in body


def test_target_page_offers_not_assessed_for_qualitative_targets(client):
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    client.force_login(world.manager)
    url = reverse("followup:target", args=[walks.pk]) + "?tertial=1"
    assert "Ej bedömd" in client.get(url).content.decode()
    client.post(url, {"analysis": "", "measures": "", "manual_status": "not_assessed"})
    assert walks.comments.get(tertial=1).manual_status == Status.NOT_ASSESSED


def test_public_page_explains_not_assessed(client):
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    _comment(world, walks, status=Status.NOT_ASSESSED)
    world.publish(1)
    body = client.get(reverse("public:index")).content.decode()
    assert "? Ej bedömd" in body.replace('<span aria-hidden="true">?</span>', "?")
    # The status links to its sentence in the page's legend.
    assert '<a class="status-link" href="#status-legend-not_assessed">' in body
    assert "Polisen och kommunen kunde inte bedöma målet för perioden." in body


def test_once_the_year_is_over_a_status_set_by_hand_is_the_years_outcome(client):
    # The legend says "Achieved" and "Not achieved" are given once the year is over; "On track"
    # was accepted for the last tertial of a closed year.
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    with pytest.raises(ValidationError) as refused:
        _comment(world, walks, tertial=3, status=Status.ON_TRACK)
    assert refused.value.message_dict["manual_status"] == [
        "Året är slut: ett mål utan siffra är ”Uppnått”, ”Ej uppnått” eller ”Ej bedömd”."
    ]
    _comment(world, walks, tertial=3, status=Status.ACHIEVED)
    _comment(world, walks, tertial=1, status=Status.ON_TRACK)  # an earlier tertial of the year
    client.force_login(world.manager)
    page = client.get(reverse("followup:target", args=[walks.pk]) + "?tertial=3").content.decode()
    choices = page[page.index('name="manual_status"') : page.index("</select>", page.index('name="manual_status"'))]
    assert ">Uppnått<" in choices
    assert ">I fas<" not in choices


def test_a_status_set_while_the_year_ran_is_shown_not_dropped_after_it(client):
    # Editing the comment after the year must not clear "On track" unseen: it is shown, and
    # saving it is refused with the message until the manager picks an outcome.
    world = World(year=YEAR)
    walks = _qualitative(world, "Trygghetsvandringar genomförs")
    TargetComment.objects.create(
        target=walks, tertial=3, manual_status=Status.ON_TRACK, analysis="Från hösten.", updated_by=world.manager
    )
    client.force_login(world.manager)
    url = reverse("followup:target", args=[walks.pk]) + "?tertial=3"
    page = client.get(url).content.decode()
    assert '<option value="on_track" selected>I fas</option>' in page
    response = client.post(url, {"analysis": "Ändrad text.", "measures": "", "manual_status": "on_track"})
    assert response.status_code == 200
    assert "Året är slut: ett mål utan siffra är" in response.content.decode()
    assert walks.comments.get(tertial=3).manual_status == Status.ON_TRACK
