"""The year ends honestly: after 31 December, T3 shows achieved or not achieved, the full-year
outcome and the difference to the target, wherever the follow-up is shown."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from followup.models import Publication, Status
from followup.public import published_tertials
from followup.selectors import followup_rows
from promises.models import Target
from promises.periods import Tertial, iso_weeks
from tests.factories import TargetFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022
T3 = Tertial(YEAR, 3)
STOCKHOLM = ZoneInfo("Europe/Stockholm")
LAST_DAY = datetime(YEAR, 12, 31, 15, 0, tzinfo=STOCKHOLM)
NEW_YEAR = datetime(YEAR + 1, 1, 2, 9, 0, tzinfo=STOCKHOLM)


def _world_728_of_800() -> World:
    """The issue's example: a count target of 800 that ended at 728; weekly reports in Råslätt only."""
    world = World(year=YEAR)
    world.log(world.patrol, 700, date(YEAR, 3, 1))
    world.log(world.patrol, 28, date(YEAR, 10, 3))
    world.qualitative = TargetFactory(
        commitment=world.patrol_target.commitment,
        kind=Target.Kind.QUALITATIVE,
        activity_type=None,
        count=None,
        title="Trygghetsvandringar genomförs",
    )
    return world


def _row(rows, target):
    return next(row for row in rows if row.target.pk == target.pk)


def _comment_qualitative(world: World, status: str = Status.ACHIEVED, tertial: int = 3) -> None:
    from followup.services import target_comment_save

    target_comment_save(
        target=world.qualitative, tertial=tertial, user=world.manager, analysis="", measures="", manual_status=status
    )


def test_followup_rows_on_31_december_are_still_running():
    with time_machine.travel(LAST_DAY, tick=False):
        world = _world_728_of_800()
        row = _row(followup_rows(promise=world.promise, tertial=T3), world.patrol_target)
    assert (row.result.final, row.result.status, row.result.expected) == (False, Status.AT_RISK, 800.0)


def test_followup_rows_after_31_december_are_final_for_every_kind():
    with time_machine.travel(NEW_YEAR, tick=False):
        world = _world_728_of_800()
        for week in iso_weeks(YEAR)[:-1]:  # every week but the last, in Råslätt only
            world.log(world.report, 1, date.fromisocalendar(*week, 1), area=world.raslatt)
        _comment_qualitative(world, Status.NOT_ASSESSED)
        rows = followup_rows(promise=world.promise, tertial=T3)
    patrol, report = _row(rows, world.patrol_target), _row(rows, world.report_target)
    qualitative = _row(rows, world.qualitative)
    assert (patrol.result.final, patrol.result.status, patrol.result.difference) == (True, Status.NOT_ACHIEVED, -72)
    assert (patrol.result.expected, patrol.result.forecast) == (None, None)
    assert (report.result.status, report.result.year_to_date) == (Status.NOT_ACHIEVED, 0)  # Öxnehaga never covered
    assert (qualitative.result.final, qualitative.result.status) == (True, Status.NOT_ASSESSED)


def test_followup_rows_of_t2_after_the_year_are_not_final():
    world = _world_728_of_800()
    row = _row(followup_rows(promise=world.promise, tertial=Tertial(YEAR, 2)), world.patrol_target)
    assert (row.result.final, row.result.difference) == (False, None)


def test_dashboard_after_the_year_shows_full_year_outcome_and_difference(client):
    world = _world_728_of_800()
    client.force_login(world.manager)
    body = client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=3").content.decode()
    assert "Utfall helår" in body
    assert "Hittills i år" not in body
    assert "72 färre än målet" in body
    assert "Ej uppnått" in body
    assert "Prognos" not in body


def test_dashboard_on_31_december_still_shows_year_to_date_and_forecast(client):
    with time_machine.travel(LAST_DAY, tick=False):
        world = _world_728_of_800()
        client.force_login(world.manager)
        body = client.get(reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=3").content.decode()
    assert "Hittills i år" in body
    assert "Prognos" in body
    assert "Utfall helår" not in body
    assert "färre än målet" not in body


def test_dashboard_export_after_the_year_has_the_difference_column(client):
    world = _world_728_of_800()
    client.force_login(world.manager)
    url = reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial=3&_export=csv"
    text = client.get(url).content.decode("utf-8-sig")
    assert "Utfall helår" in text.splitlines()[0]
    assert "72 färre än målet" in text


def test_target_page_and_report_after_the_year_show_the_final_figures(client):
    world = _world_728_of_800()
    client.force_login(world.manager)
    page = client.get(reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=3").content.decode()
    report = client.get(reverse("followup:report", args=[world.promise.pk, 3])).content.decode()
    assert "Utfall helår 728 mot målet 800: 72 färre än målet." in page
    assert '<p class="lead"><span class="status status-not_achieved">' in page
    assert "<dt>Förväntat</dt>" not in page
    assert "<dt>Utfall helår</dt><dd>728</dd>" in page
    assert "Utfall helår" in report
    assert "72 färre än målet" in report


def test_publishing_t3_freezes_the_final_status_and_difference():
    world = _world_728_of_800()
    _comment_qualitative(world)
    world.publish(3)
    snapshot = Publication.objects.get(tertial=3).snapshot
    patrol = next(t for t in snapshot["targets"] if t["id"] == world.patrol_target.pk)
    assert (patrol["status"], patrol["final"], patrol["difference"]) == ("not_achieved", True, -72.0)
    assert patrol["expected"] is None


def test_publishing_t1_after_the_year_keeps_the_snapshot_shape():
    world = _world_728_of_800()
    _comment_qualitative(world, tertial=1)
    world.publish(1)
    assert all("final" not in t for t in Publication.objects.get(tertial=1).snapshot["targets"])


def test_public_pages_show_the_final_status_and_difference(client):
    world = _world_728_of_800()
    _comment_qualitative(world)
    world.publish(3)
    index = client.get(reverse("public:index")).content.decode()
    year = client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode()
    for body in (index, year):
        assert "Ej uppnått" in body
        assert "Utfall helår" in body
        assert "72 färre än målet" in body
        assert "beräknad i efterhand" not in body
        assert 'id="status-legend-not_achieved"' in body
        assert "Året är slut och målet nåddes inte." in body


def _old_style_t3(world: World) -> Publication:
    """A T3 published before the year-end statuses: no `final`, a running status."""
    _comment_qualitative(world)
    world.publish(3)
    publication = Publication.objects.get(tertial=3)
    targets = []
    for target in publication.snapshot["targets"]:
        target = {k: v for k, v in target.items() if k not in ("final", "difference")}
        if target["kind"] != "qualitative":
            target["status"] = "at_risk"
        targets.append(target)
    Publication.objects.filter(pk=publication.pk).update(snapshot={**publication.snapshot, "targets": targets})
    return publication


def test_old_t3_snapshot_is_shown_with_the_status_recomputed_from_its_figures(client):
    world = _world_728_of_800()
    publication = _old_style_t3(world)
    targets = {t["id"]: t for t in published_tertials(promise=world.promise)[0].targets}
    patrol, qualitative = targets[world.patrol_target.pk], targets[world.qualitative.pk]
    assert (patrol["status"], patrol["status_recomputed"], patrol["difference"]) == ("not_achieved", True, -72.0)
    assert (qualitative["status"], qualitative["status_recomputed"]) == ("achieved", False)
    # What was published stays as it was frozen.
    publication.refresh_from_db()
    frozen = next(t for t in publication.snapshot["targets"] if t["id"] == world.patrol_target.pk)
    assert (frozen["status"], "final" in frozen) == ("at_risk", False)
    body = client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode()
    assert "status beräknad i efterhand från de publicerade siffrorna" in body
    assert "! Risk" not in body


def test_old_t1_snapshot_is_not_recomputed():
    world = _world_728_of_800()
    _comment_qualitative(world, tertial=1)
    world.publish(1)
    targets = published_tertials(promise=world.promise)[0].targets
    assert {(t["final"], t["status_recomputed"]) for t in targets} == {(False, False)}


def test_api_states_the_final_status_as_its_own_value(client):
    world = _world_728_of_800()
    _comment_qualitative(world)
    world.publish(3)
    data = client.get(reverse("api:followup", args=["0680", YEAR, 3])).json()
    patrol = next(t for t in data["targets"] if t["key"] == world.patrol_target.key)
    assert (patrol["status"], patrol["final"], patrol["difference"]) == ("not_achieved", True, -72.0)
    assert (patrol["status_label"], patrol["status_recomputed"]) == ("Ej uppnått", False)


def test_api_recomputed_status_of_an_old_t3_is_marked(client):
    world = _world_728_of_800()
    _old_style_t3(world)
    data = client.get(reverse("api:followup", args=["0680", YEAR, 3])).json()
    patrol = next(t for t in data["targets"] if t["key"] == world.patrol_target.key)
    assert (patrol["status"], patrol["status_recomputed"]) == ("not_achieved", True)


def test_api_schema_documents_the_final_statuses(client):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    target = schema["components"]["schemas"]["PublishedTarget"]
    status_ref = target["properties"]["status"]
    status_schema = schema["components"]["schemas"][status_ref["allOf"][0]["$ref"].rsplit("/", 1)[1]]
    assert {"achieved", "not_achieved", "not_assessed"} <= set(status_schema["enum"])
    assert {"final", "difference", "status_recomputed"} <= set(target["required"])
    assert "not_achieved" in status_ref["description"]


def test_public_page_cadence_after_the_year_counts_against_every_period(client):
    world = _world_728_of_800()
    for week in iso_weeks(YEAR)[:10]:
        for area in (world.raslatt, world.oxnehaga):
            world.log(world.report, 1, date.fromisocalendar(*week, 1), area=area)
    _comment_qualitative(world)
    world.publish(3)
    body = client.get(reverse("public:index")).content.decode()
    assert f"10 av {len(iso_weeks(YEAR))} veckor" in body
    assert f"{len(iso_weeks(YEAR)) - 10} färre än målet" in body


def test_public_page_withholds_the_difference_of_a_small_sensitive_number():
    world = _world_728_of_800()
    world.drugs.is_sensitive = True
    world.drugs.save()
    world.log(world.drugs, 2, date(YEAR, 10, 3))
    _comment_qualitative(world)
    world.publish(3)
    targets = {t["id"]: t for t in published_tertials(promise=world.promise)[0].targets}
    drugs = targets[world.drugs_target.pk]
    assert (drugs["status"], drugs["year_to_date"], drugs["difference"]) == ("not_achieved", None, None)


def test_area_page_and_embed_show_the_full_year_outcome(client):
    world = _world_728_of_800()
    _comment_qualitative(world)
    world.publish(3)
    area = client.get(reverse("public:area", args=["jonkoping", YEAR, world.raslatt.slug])).content.decode()
    embed = client.get(reverse("public:embed", args=["jonkoping", YEAR])).content.decode()
    for body in (area, embed):
        assert "Utfall helår" in body
        assert "72 färre än målet" in body
        assert "Ej uppnått" in body
