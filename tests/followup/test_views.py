from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import Approval, Publication, TargetComment
from promises.importing import COLUMNS, import_preview, import_save
from promises.models import Activity, Target
from promises.periods import Tertial
from promises.services import ActivityData, activity_create, activity_delete, activity_update
from tests.factories import (
    ActivityFactory,
    AreaFactory,
    CommitmentFactory,
    SectionFactory,
    TargetFactory,
    UserFactory,
    World,
)

pytestmark = pytest.mark.django_db

YEAR = 2022


def _dashboard(world: World, tertial: int = 1) -> str:
    return reverse("followup:dashboard") + f"?promise={world.promise.pk}&tertial={tertial}"


def _patrols(world: World, quantity: int, day: date = date(YEAR, 2, 1)) -> Activity:
    return world.log(world.patrol, quantity, day)


def _status(client, url, user) -> int:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(url).status_code


@pytest.mark.parametrize("view", ["dashboard", "target", "report"])
def test_followup_views_are_for_managers_only(client, view):
    world = World(year=YEAR)
    url = {
        "dashboard": _dashboard(world),
        "target": reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1",
        "report": reverse("followup:report", args=[world.promise.pk, 1]),
    }[view]
    got = {
        persona: _status(client, url, user)
        for persona, user in {
            "manager": world.manager,
            "municipal_manager": world.municipal_manager,
            "police_staff": world.officer,
            "municipal_staff": world.clerk,
            "no_role": UserFactory(organisation=None),
        }.items()
    }
    assert got == {
        "manager": 200,
        "municipal_manager": 200,
        "police_staff": 403,
        "municipal_staff": 403,
        "no_role": 403,
    }
    client.logout()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_dashboard_shows_a_row_per_target_grouped_by_section(client):
    world = World(year=YEAR)
    _patrols(world, 30)
    client.force_login(world.manager)
    response = client.get(_dashboard(world))
    rows = list(response.context["table"].rows)
    assert [row.record.target for row in rows] == [
        world.patrol_target,
        world.traffic_target,
        world.drugs_target,
        world.report_target,
    ]
    body = response.content.decode()
    assert 'scope="colgroup"' in body
    assert "Efter</span>" in body  # status in words, with its icon beside
    assert 'aria-hidden="true">▼</span>' in body


def test_dashboard_defaults_to_the_current_promise(client):
    world = World(year=YEAR)
    client.force_login(world.manager)
    response = client.get(reverse("followup:dashboard"))
    assert response.status_code == 200
    assert response.context["promise"] == world.promise
    assert response.context["tertial"].number == 3  # a past year: its last tertial


def test_dashboard_ignores_parameters_it_does_not_know(client):
    world = World(year=YEAR)
    client.force_login(world.manager)
    response = client.get(reverse("followup:dashboard") + f"?year={YEAR}&utm_source=mail")
    assert response.status_code == 200
    assert not response.context["choice"].errors
    assert response.context["promise"] == world.promise


@pytest.mark.parametrize("query", ["?promise=abc&tertial=1", "?promise=999999&tertial=2", "?tertial=9", "?promise="])
def test_dashboard_bad_parameters_give_a_message_not_a_500(client, query):
    world = World(year=YEAR)
    client.force_login(world.manager)
    response = client.get(reverse("followup:dashboard") + query)
    assert response.status_code == 200
    assert response.context["choice"].errors


def test_dashboard_exports_csv_and_xlsx(client):
    world = World(year=YEAR)
    _patrols(world, 30)
    client.force_login(world.manager)
    text = client.get(_dashboard(world) + "&_export=csv").content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Åtagande;Mål;Målvärde;Utfall i tertialet")
    assert "Efter" in text
    assert client.get(_dashboard(world) + "&_export=xlsx").content[:2] == b"PK"


def test_dashboard_promise_options_escape_the_title_and_mark_the_chosen_one(client):
    world = World(year=YEAR)
    world.promise.title = 'Trygg <b>"stad"</b> & by'
    world.promise.save(update_fields=["title"])
    client.force_login(world.manager)
    body = client.get(_dashboard(world)).content.decode()
    option = (
        f'<option value="{world.promise.pk}" selected>Trygg &lt;b&gt;&quot;stad&quot;&lt;/b&gt; &amp; by '
        f"({world.promise.municipality.name} {YEAR})</option>"
    )
    assert option in body
    assert '<b>"stad"</b>' not in body


@pytest.mark.parametrize("extra_targets", [0, 99])
def test_dashboard_query_count_does_not_grow_with_targets(client, django_assert_num_queries, extra_targets):
    world = World(year=YEAR)
    section = SectionFactory(promise=world.promise)
    for _ in range(extra_targets):
        TargetFactory(commitment=CommitmentFactory(section=section), activity_type=world.patrol, areas=[world.raslatt])
    client.force_login(world.manager)
    with django_assert_num_queries(18):  # 17, and what was logged outside the targets' areas
        client.get(_dashboard(world))


@pytest.mark.parametrize("activities", [10, 10_000])
def test_dashboard_query_count_does_not_grow_with_activities(client, django_assert_num_queries, activities):
    world = World(year=YEAR)
    Activity.objects.bulk_create(
        [
            Activity(
                promise=world.promise,
                activity_type=world.patrol,
                area=world.raslatt,
                date=date(YEAR, 1, 1) + timedelta(days=i % 365),
                organisation=world.police,
                created_by=world.officer,
            )
            for i in range(activities)
        ],
        batch_size=2000,
    )
    client.force_login(world.manager)
    with django_assert_num_queries(18):
        response = client.get(_dashboard(world))
    # The rows reach what the page reads: T1 (1 January–30 April) holds 120 of them at 10,000.
    patrol = next(row for row in response.context["table"].data.data if row.target == world.patrol_target)
    assert patrol.result.year_to_date == min(activities, 120 * (activities // 365) + min(activities % 365, 120))


def test_target_detail_has_charts_tables_and_summary(client):
    world = World(year=YEAR)
    _patrols(world, 30)
    client.force_login(world.manager)
    response = client.get(reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1")
    body = response.content.decode()
    assert response.context["cumulative"]["data"][0]["y"][-1] == 30
    assert response.context["cumulative"]["layout"]["separators"] == ", "
    assert 'id="chart-cumulative" type="application/json"' in body
    assert "30 av 800 hittills i år" in body
    assert "<script>" not in body.replace("<script src=", "")  # no inline script: the CSP holds
    assert "vendor/plotly/plotly.min.js" in body


def test_target_detail_cadence_grid_lists_missed_weeks(client):
    world = World(year=YEAR)
    for week in range(1, 18):
        if week != 5:
            for area in (world.raslatt, world.oxnehaga):
                ActivityFactory(
                    promise=world.promise,
                    activity_type=world.report,
                    area=area,
                    date=date.fromisocalendar(YEAR, week, 2),
                    created_by=world.clerk,
                )
    client.force_login(world.manager)
    response = client.get(reverse("followup:target", args=[world.report_target.pk]) + "?tertial=1")
    assert response.context["missed"] == [("Råslätt", ["v. 5"]), ("Öxnehaga", ["v. 5"])]
    grid = response.context["grid"]["data"][0]
    assert grid["z"][0][4] == 0
    assert grid["z"][0][3] == 1
    # Not by colour alone: every cell says it with a symbol too.
    assert (grid["text"][0][4], grid["text"][0][3], grid["texttemplate"]) == ("✗", "✓", "%{text}")


def test_target_detail_missed_weeks_cover_the_whole_year_not_only_the_tertial(client):
    world = World(year=YEAR)
    for week in range(1, 35):  # every week of T1 and T2 but week 5 (T1) and week 20 (T2)
        if week not in (5, 20):
            for area in (world.raslatt, world.oxnehaga):
                ActivityFactory(
                    promise=world.promise,
                    activity_type=world.report,
                    area=area,
                    date=date.fromisocalendar(YEAR, week, 2),
                    created_by=world.clerk,
                )
    client.force_login(world.manager)
    response = client.get(reverse("followup:target", args=[world.report_target.pk]) + "?tertial=2")
    assert response.context["missed"] == [("Råslätt", ["v. 5", "v. 20"]), ("Öxnehaga", ["v. 5", "v. 20"])]
    assert "Missade perioder i år, till och med T2 2022" in response.content.decode()


def test_target_detail_share_over_time(client):
    world = World(year=YEAR)
    share = TargetFactory(
        commitment=world.drugs_target.commitment,
        kind=Target.Kind.SHARE,
        count=None,
        parent=world.drugs_target,
        share_percent=20,
        activity_type=world.drugs,
        areas=[world.raslatt],
    )
    for flagged in (True, False, False, False):
        ActivityFactory(
            promise=world.promise,
            activity_type=world.drugs,
            area=world.raslatt,
            date=date(YEAR, 3, 3),
            first_time_user=flagged,
            created_by=world.officer,
        )
    client.force_login(world.manager)
    response = client.get(reverse("followup:target", args=[share.pk]) + "?tertial=1")
    assert response.context["share_months"] == [{"month": "2022-03", "total": 4, "flagged": 1, "share": 25.0}]


def test_target_detail_comment_is_saved(client):
    world = World(year=YEAR)
    client.force_login(world.manager)
    url = reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1"
    response = client.post(url, {"analysis": "Färre pass i februari.", "measures": "Extra pass i mars."})
    assert response.status_code == 302
    comment = TargetComment.objects.get()
    assert (comment.analysis, comment.measures, comment.tertial, comment.updated_by) == (
        "Färre pass i februari.",
        "Extra pass i mars.",
        1,
        world.manager,
    )


def test_target_detail_says_who_changed_the_comment_by_name(client, django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    world.manager.first_name, world.manager.last_name = "Demo", "Chef Polis"
    world.manager.save()
    client.force_login(world.manager)
    url = reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"analysis": "Färre pass i februari.", "measures": ""})
    assert "Senast ändrad av Demo Chef Polis, " in client.get(url).content.decode()


def test_target_detail_comment_with_personal_identity_number_is_refused(client):
    world = World(year=YEAR)
    client.force_login(world.manager)
    url = reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1"
    response = client.post(url, {"analysis": "Gäller 811218-9876", "measures": ""})
    assert response.status_code == 200
    assert "personnummer" in response.content.decode()
    assert not TargetComment.objects.exists()


def test_target_detail_qualitative_status_is_set_by_hand(client, django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    target = TargetFactory(
        commitment=world.patrol_target.commitment, kind=Target.Kind.QUALITATIVE, activity_type=None, count=None
    )
    client.force_login(world.manager)
    url = reverse("followup:target", args=[target.pk]) + "?tertial=2"
    client.get(url)  # the page read once before, as the cached basis is
    with django_capture_on_commit_callbacks(execute=True):  # the revisions move when the comment commits
        client.post(url, {"analysis": "Metoden används i alla områden.", "measures": "", "manual_status": "on_track"})
    assert TargetComment.objects.get(target=target, tertial=2).manual_status == "on_track"
    response = client.get(url)
    assert response.context["row"].result.status == "on_track"
    assert '<p class="lead"><span class="status status-on_track">' in response.content.decode()
    assert response.context["summary"] == "Följs upp genom chefernas bedömning."  # the badge says the status


def test_target_detail_unknown_target_is_404(client):
    world = World(year=YEAR)
    client.force_login(world.manager)
    assert client.get(reverse("followup:target", args=[999999])).status_code == 404


def test_approve_by_both_parties_publishes(client):
    world = World(year=YEAR)
    _patrols(world, 30)
    url = reverse("followup:approve", args=[world.promise.pk, 1])
    client.force_login(world.manager)
    response = client.post(url, {"reason": ""}, follow=True)
    assert "Publiceringen väntar på den andra partens godkännande" in response.content.decode()
    assert Publication.objects.count() == 0
    client.force_login(world.municipal_manager)
    response = client.post(url, {"reason": ""}, follow=True)
    assert "T1 2022 är publicerat (version 1)" in response.content.decode()
    assert Publication.objects.get().snapshot["tertial"] == 1


def test_approve_is_refused_for_staff_and_get(client):
    world = World(year=YEAR)
    url = reverse("followup:approve", args=[world.promise.pk, 1])
    client.force_login(world.officer)
    assert client.post(url).status_code == 403
    client.force_login(world.manager)
    assert client.get(url).status_code == 405
    assert client.post(reverse("followup:approve", args=[world.promise.pk, 7])).status_code == 302
    assert Approval.objects.count() == 0


def test_dashboard_shows_the_difference_from_the_published_snapshot(client):
    world = World(year=YEAR)
    activity = _patrols(world, 30)
    url = reverse("followup:approve", args=[world.promise.pk, 1])
    client.force_login(world.manager)
    client.post(url)
    client.force_login(world.municipal_manager)
    client.post(url)
    activity.quantity = 35
    activity.save()
    response = client.get(_dashboard(world))
    assert [row.target for row in response.context["changed"]] == [world.patrol_target]
    assert "(publicerat: 30)" in response.content.decode()


def test_report_groups_by_section_for_print(client):
    world = World(year=YEAR)
    client.force_login(world.manager)
    response = client.get(reverse("followup:report", args=[world.promise.pk, 1]))
    assert response.status_code == 200
    section = world.patrol_target.commitment.section
    assert [(s["number"], s["title"]) for s in response.context["report"]["sections"]] == [
        (section.number, section.title)
    ]
    assert 'class="manager report"' in response.content.decode()


def test_dashboard_cache_follows_every_change(client, admin_client, django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    _patrols(world, 30)
    client.force_login(world.manager)

    def patrol_row() -> str:
        body = client.get(_dashboard(world)).content.decode()
        start = body.index(world.patrol_target.title)
        return body[start : start + 1500]

    def patrols(quantity: int) -> ActivityData:
        return ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(YEAR, 2, 1), quantity=quantity)

    assert ">30<" in patrol_row()
    # Each write moves the revision once its transaction commits (the test's own never does).
    with django_capture_on_commit_callbacks(execute=True):
        activity = activity_create(user=world.manager, data=patrols(5))
    assert ">35<" in patrol_row()
    with django_capture_on_commit_callbacks(execute=True):
        activity_update(activity=activity, user=world.manager, data=patrols(7))
    assert ">37<" in patrol_row()
    with django_capture_on_commit_callbacks(execute=True):
        activity_delete(activity=activity, user=world.manager)
    assert ">30<" in patrol_row()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1",
            {"analysis": "Ny kommentar i cachen.", "measures": ""},
        )
    assert "Ny kommentar i cachen." in patrol_row()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:promises_target_change", args=[world.patrol_target.pk]), _admin_target_form(world)
        )
    assert response.status_code == 302
    assert "Fotpatrullering, nytt namn" in client.get(_dashboard(world)).content.decode()


def test_dashboard_after_an_entry_reads_again_only_the_entries(client, django_capture_on_commit_callbacks):
    """A logged entry moves the promise's revision but not its rules revision: the next
    dashboard recomputes the figures from the entries and takes the rest (targets, areas,
    comments, publications, approvals) from the cache (followup_basis_cached)."""
    world = World(year=YEAR)
    _patrols(world, 30)
    client.force_login(world.manager)
    client.get(_dashboard(world))
    with django_capture_on_commit_callbacks(execute=True):
        activity_create(
            user=world.officer,
            data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(YEAR, 2, 2), quantity=4),
        )
    with CaptureQueriesContext(connection) as queries:
        body = client.get(_dashboard(world)).content.decode()
    assert ">34<" in body
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert 'FROM "promises_activity"' in read
    # Anywhere in a query: the targets' areas were read joined to the areas, not FROM them.
    for table in ("promises_target", "promises_targetarea", "followup_targetcomment", "followup_publication"):
        assert f'"{table}"' not in read, table
    assert '"followup_approval"' not in read


@pytest.mark.parametrize("change", ["comment", "approval", "target in the admin"])
def test_dashboard_after_a_change_of_its_basis_reads_again_only_the_entries(
    client, admin_client, django_capture_on_commit_callbacks, change
):
    """A comment, an approval or a change of a target in the admin gives the promise a new
    rules revision, and the write, once committed, caches the basis under it
    (followup_basis_warm_on_commit): the next dashboard shows the change and reads again only
    the entries, as after a logged entry."""
    world = World(year=YEAR)
    _patrols(world, 30)
    client.force_login(world.manager)
    client.get(_dashboard(world))
    with django_capture_on_commit_callbacks(execute=True):
        if change == "comment":
            response = client.post(
                reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1",
                {"analysis": "Sagt efter tertialet.", "measures": ""},
            )
            shown = "Sagt efter tertialet."
        elif change == "approval":
            response = client.post(reverse("followup:approve", args=[world.promise.pk, 1]), {"reason": ""})
            shown = f"<li>Godkänt av {world.police.name} ("
        else:
            response = admin_client.post(
                reverse("admin:promises_target_change", args=[world.patrol_target.pk]), _admin_target_form(world)
            )
            shown = "Fotpatrullering, nytt namn"
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        body = client.get(_dashboard(world)).content.decode()
    assert shown in body
    read = " ".join(query["sql"] for query in queries.captured_queries)
    assert 'FROM "promises_activity"' in read
    for table in ("promises_target", "followup_targetcomment", "followup_publication", "followup_approval"):
        assert f'"{table}"' not in read, table


def test_dashboard_reads_the_basis_again_after_an_approval_or_a_new_area_name(
    client, admin_client, django_capture_on_commit_callbacks
):
    world = World(year=YEAR)
    huskvarna = AreaFactory(name="Huskvarna", slug="huskvarna", municipality=world.raslatt.municipality)
    world.log(world.patrol, 7, date(YEAR, 2, 1), area=huskvarna)
    client.force_login(world.manager)
    body = client.get(_dashboard(world)).content.decode()
    assert "Dessutom 7 i Huskvarna" in body
    approved = f"<li>Godkänt av {world.police.name} ("  # the list of approvals, not the message after approving
    assert approved not in body
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("followup:approve", args=[world.promise.pk, 1]), {"reason": ""})
    assert approved in client.get(_dashboard(world)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:promises_area_change", args=[huskvarna.pk]),
            {
                "name": "Huskvarna centrum",
                "slug": "huskvarna",
                "municipality": huskvarna.municipality_id,
                "description": "",
                "aliases": "",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Dessutom 7 i Huskvarna centrum" in client.get(_dashboard(world)).content.decode()


def test_an_approver_renamed_in_the_admin_is_shown_by_the_new_name(
    client, admin_client, django_capture_on_commit_callbacks
):
    world = World(year=YEAR)
    client.force_login(world.manager)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("followup:approve", args=[world.promise.pk, 1]), {"reason": ""})
    assert f"({world.manager.username}, " in client.get(_dashboard(world)).content.decode()
    manager = world.manager
    form = {
        "username": manager.username,
        "first_name": "Kim",
        "last_name": "Nynamn",
        "email": "",
        "is_active": "on",
        "is_staff": "",
        "organisation": world.police.pk,
        "groups": list(manager.groups.values_list("pk", flat=True)),
        "date_joined_0": "2022-01-01",
        "date_joined_1": "00:00:00",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("admin:promises_user_change", args=[manager.pk]), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    client.force_login(manager)
    assert "(Kim Nynamn, " in client.get(_dashboard(world)).content.decode()


def test_what_no_target_counts_is_said_once_per_activity_type(client):
    world = World(year=YEAR)
    second = TargetFactory(
        commitment=world.patrol_target.commitment, activity_type=world.patrol, count=100, areas=[world.oxnehaga]
    )
    huskvarna = AreaFactory(name="Huskvarna", slug="huskvarna", municipality=world.raslatt.municipality)
    world.log(world.patrol, 6, date(YEAR, 2, 1), area=huskvarna)
    client.force_login(world.manager)
    body = client.get(_dashboard(world)).content.decode()
    assert body.count("Dessutom 6 i Huskvarna") == 1
    assert body.index("Dessutom 6 i Huskvarna") < body.index(second.title)  # under the first patrol target
    # Each target's own page still says it.
    page = client.get(reverse("followup:target", args=[second.pk]) + "?tertial=1")
    assert page.context["outside"] == "Dessutom 6 i Huskvarna, som inget mål räknar."


def test_target_page_of_a_target_newer_than_the_cached_basis(client):
    # Between a target's commit and its promise's new revision a reader may find the basis
    # cached without it: the page reads the basis from the database, not a 500.
    world = World(year=YEAR)
    client.force_login(world.manager)
    assert client.get(reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1").status_code == 200
    newer = TargetFactory(commitment=world.patrol_target.commitment, activity_type=world.patrol, areas=[world.oxnehaga])
    response = client.get(reverse("followup:target", args=[newer.pk]) + "?tertial=1")
    assert response.status_code == 200
    assert response.context["row"].target == newer


def _admin_target_form(world: World) -> dict:
    target = world.patrol_target
    links = list(target.targetarea_set.all())
    form = {
        "commitment": target.commitment_id,
        "key": target.key,
        "order": target.order,
        "kind": target.kind,
        "title": "Fotpatrullering, nytt namn",
        "activity_type": target.activity_type_id,
        "count": target.count,
        "share_percent": "",
        "parent": "",
        "period": "",
        "reading": "",
        "targetarea_set-TOTAL_FORMS": len(links),
        "targetarea_set-INITIAL_FORMS": len(links),
        "targetarea_set-MIN_NUM_FORMS": 0,
        "targetarea_set-MAX_NUM_FORMS": 1000,
    }
    for i, link in enumerate(links):
        form.update(
            {
                f"targetarea_set-{i}-id": link.pk,
                f"targetarea_set-{i}-target": target.pk,
                f"targetarea_set-{i}-area": link.area_id,
            }
        )
    return form


def test_dashboard_is_stale_only_until_the_write_commits(client):
    # Without a commit (the test's transaction never commits) the revision does not move:
    # the new value is written after commit, never before the data it stands for.
    world = World(year=YEAR)
    client.force_login(world.manager)
    client.get(_dashboard(world))
    revision = world.promise.revision
    activity_create(
        user=world.manager, data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(YEAR, 2, 1))
    )
    world.promise.refresh_from_db()
    assert world.promise.revision == revision


def test_dashboard_second_request_is_served_from_the_cache(client, django_assert_max_num_queries):
    world = World(year=YEAR)
    client.force_login(world.manager)
    client.get(_dashboard(world))
    with django_assert_max_num_queries(9):
        client.get(_dashboard(world))


def test_huskvarna_patrols_are_stored_counted_nowhere_and_shown_as_outside(client):
    """Issue 11: an imported year of patrols, some in Huskvarna where no 2022 target counts them."""
    world = World(year=YEAR)
    huskvarna = AreaFactory(name="Huskvarna", slug="huskvarna")
    lines = [";".join(COLUMNS)]
    lines += [f"{YEAR}-02-{day:02d};Fotpatrullering;Huskvarna;10;;;;" for day in range(1, 15)]
    lines += [f"{YEAR}-03-01;Fotpatrullering;Råslätt;7;;;;"]
    preview = import_preview(raw="\r\n".join(lines).encode("utf-8-sig"), file_name="polisen.csv", user=world.officer)
    assert preview.errors == []
    assert import_save(preview=preview, user=world.officer) is not None
    assert Activity.objects.filter(area=huskvarna).count() == 14
    client.force_login(world.manager)
    response = client.get(_dashboard(world))
    patrol = next(row for row in response.context["table"].data.data if row.target == world.patrol_target)
    assert patrol.result.year_to_date == 7
    body = response.content.decode()
    assert "Dessutom 140 i Huskvarna, som inget mål räknar." in body
    target_page = client.get(reverse("followup:target", args=[world.patrol_target.pk]) + "?tertial=1")
    assert target_page.context["outside"] == "Dessutom 140 i Huskvarna, som inget mål räknar."
    drugs_page = client.get(reverse("followup:target", args=[world.drugs_target.pk]) + "?tertial=1")
    assert drugs_page.context["outside"] == ""


def test_the_approve_button_is_offered_only_where_it_can_work(client, django_capture_on_commit_callbacks):
    world = World(year=YEAR)
    client.force_login(world.manager)
    button = "Godkänn för publicering</button>"
    assert button in client.get(_dashboard(world)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("followup:approve", args=[world.promise.pk, 1]), {"reason": ""})
    body = client.get(_dashboard(world)).content.decode()
    assert button not in body
    assert "Din organisation har godkänt siffrorna." in body
    client.force_login(world.municipal_manager)  # the other party still approves
    assert button in client.get(_dashboard(world)).content.decode()


def test_a_running_tertial_says_when_it_can_be_approved(client):
    world = World()  # this year: its last tertial is running
    client.force_login(world.manager)
    tertial = Tertial.of(world.today)
    body = client.get(_dashboard(world, tertial.number)).content.decode()
    assert "Godkänn för publicering</button>" not in body
    assert f"{tertial.label} kan godkännas när tertialet är slut, efter {tertial.end.isoformat()}." in body
