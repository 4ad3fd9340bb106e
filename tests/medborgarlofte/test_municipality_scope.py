"""Two municipalities in one installation: each one's staff and managers reach their own
promise only. What belongs to the other answers 404, as a page that does not exist."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from promises.models import Activity
from promises.selectors import cadence_due
from promises.services import ACTIVITY_NOT_SERVED, ActivityData, activity_check
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022


@pytest.fixture
def two():
    jonkoping, habo = World(year=YEAR), World(year=YEAR, municipality="Habo")
    jonkoping.log(jonkoping.patrol, 7, date(YEAR, 2, 1))
    habo.log(habo.patrol, 3, date(YEAR, 2, 1))
    return jonkoping, habo


@pytest.mark.parametrize("who", ["manager", "municipal_manager"])
def test_a_manager_reaches_none_of_the_other_municipalitys_follow_up(client, two, who):
    jonkoping, habo = two
    client.force_login(getattr(habo, who))
    for url in (
        reverse("followup:target", args=[jonkoping.patrol_target.pk]),
        reverse("followup:report", args=[jonkoping.promise.pk, 1]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("followup:approve", args=[jonkoping.promise.pk, 1]), {}).status_code == 404
    assert client.post(reverse("followup:target", args=[jonkoping.patrol_target.pk]), {}).status_code == 404


def test_a_managers_dashboard_offers_and_shows_only_their_own_promises(client, two):
    jonkoping, habo = two
    client.force_login(habo.manager)
    response = client.get(reverse("followup:dashboard"))
    assert response.context["promise"] == habo.promise
    assert list(response.context["choice"].promises) == [habo.promise]
    # Asking for the other's promise by its id is a choice that is not on offer.
    response = client.get(reverse("followup:dashboard") + f"?promise={jonkoping.promise.pk}&tertial=1")
    assert response.context["promise"] != jonkoping.promise
    assert response.context["choice"].errors


def test_a_managers_entries_are_those_of_their_promises(client, two):
    jonkoping, habo = two
    client.force_login(habo.manager)
    listed = client.get(reverse("activity_list")).context["table"].data.data
    assert {activity.promise_id for activity in listed} == {habo.promise.pk}
    theirs = Activity.objects.get(promise=jonkoping.promise)
    assert client.get(reverse("activity_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("activity_history", args=[theirs.pk])).status_code == 404


def test_an_administrator_reaches_both(admin_client, two):
    jonkoping, habo = two
    for world in two:
        assert admin_client.get(reverse("followup:target", args=[world.patrol_target.pk])).status_code == 200


def test_staff_are_offered_only_the_areas_where_their_organisation_works(client, two):
    jonkoping, habo = two
    client.force_login(habo.officer)
    areas = client.get(reverse("activity_log", args=["fotpatrull"])).context["form"].areas
    assert habo.raslatt.pk in areas
    assert {area.municipality_id for area in areas.values()} == {habo.promise.municipality_id}


def test_staff_posting_an_area_of_a_municipality_their_organisation_does_not_serve_save_nothing(client, two):
    jonkoping, habo = two
    client.force_login(habo.officer)
    before = Activity.objects.count()
    response = client.post(
        reverse("activity_log", args=["fotpatrull"]),
        {"area": jonkoping.raslatt.pk, "date": date(YEAR, 3, 1).isoformat(), "quantity": "1"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["area"]
    assert Activity.objects.count() == before
    # Shown again with the areas of the municipality the organisation serves.
    areas = response.context["form"].areas
    assert {area.municipality_id for area in areas.values()} == {habo.promise.municipality_id}


def test_staff_cannot_log_in_a_municipality_their_organisation_does_not_serve(two):
    jonkoping, habo = two
    with pytest.raises(ValidationError) as refused:
        activity_check(
            user=habo.officer,
            organisation=habo.police,
            data=ActivityData(activity_type=habo.patrol, area=jonkoping.raslatt, date=date(YEAR, 3, 1)),
        )
    message = ACTIVITY_NOT_SERVED % {"organisation": habo.police.name, "municipality": "Jönköping"}
    assert refused.value.message_dict["area"] == [message]


def test_an_import_names_the_areas_of_the_municipality_the_organisation_serves(two):
    from promises.importing import COLUMNS, import_preview

    jonkoping, habo = two  # both have a Råslätt
    raw = "\r\n".join([";".join(COLUMNS), f"{YEAR}-03-01;Fotpatrullering;Råslätt;2;;;;"]).encode("utf-8-sig")
    preview = import_preview(raw=raw, file_name="export.csv", user=habo.officer)
    assert preview.errors == []
    assert [row.area for row in preview.rows] == [habo.raslatt]


def test_a_manager_saved_without_an_organisation_reaches_no_promise(client, two):
    from promises import roles
    from tests.factories import UserFactory

    jonkoping, _habo = two
    client.force_login(UserFactory(organisation=None, role=roles.MANAGERS))
    assert client.get(reverse("followup:target", args=[jonkoping.patrol_target.pk])).status_code == 404
    assert client.get(reverse("followup:dashboard")).context["promise"] is None
    assert list(client.get(reverse("activity_list")).context["table"].data.data) == []


def test_a_police_area_serving_two_municipalities_sees_each_area_with_its_municipality(client, two):
    jonkoping, habo = two
    jonkoping.police.municipalities.add(habo.promise.municipality)
    habo.promise.parties.add(jonkoping.police)
    client.force_login(jonkoping.officer)
    body = client.get(reverse("activity_log", args=["fotpatrull"])).content.decode()
    assert f'<option value="{jonkoping.whole.pk}">Hela kommunen (Jönköping)</option>' in body
    assert f'<option value="{habo.whole.pk}">Hela kommunen (Habo)</option>' in body
    # One municipality's staff see the names alone, as before.
    client.force_login(habo.clerk)
    body = client.get(reverse("activity_log", args=["lagesbild"])).content.decode()
    assert f'<option value="{habo.whole.pk}">Hela kommunen</option>' in body


def test_staff_are_told_only_of_their_own_municipalitys_missing_weeks(two):
    # The situation-report type is shared by both municipalities' clerks; each one's "to do
    # now" names only the areas of their own promise.
    jonkoping, habo = two
    today = date(YEAR, 3, 16)
    due = cadence_due(user=habo.clerk, today=today)
    assert {item.target.commitment.section.promise_id for item in due} == {habo.promise.pk}
    assert {item.area.pk for item in due} == {habo.raslatt.pk, habo.oxnehaga.pk}
    habo.log(habo.report, 1, today)
    assert {item.area.pk for item in cadence_due(user=habo.clerk, today=today)} == {habo.oxnehaga.pk}


def test_the_entries_filter_offers_only_the_users_own_areas_and_organisations(client, two):
    jonkoping, habo = two
    client.force_login(habo.manager)
    form = client.get(reverse("activity_list")).context["filter"].form
    assert {area.municipality_id for area in form.fields["area"].queryset} == {habo.promise.municipality_id}
    assert set(form.fields["organisation"].queryset) == {habo.police, habo.municipality}
    client.force_login(habo.officer)  # staff: their organisation's activity types
    form = client.get(reverse("activity_list")).context["filter"].form
    assert set(form.fields["activity_type"].queryset) == set(habo.police.activity_types.all())
    assert "organisation" not in form.fields


def test_the_entries_filter_names_the_municipality_where_areas_of_two_are_offered(client, two):
    jonkoping, habo = two
    jonkoping.police.municipalities.add(habo.promise.municipality)
    habo.promise.parties.add(jonkoping.police)
    client.force_login(jonkoping.officer)
    body = client.get(reverse("activity_list")).content.decode()
    assert f'<option value="{jonkoping.whole.pk}">Hela kommunen (Jönköping)</option>' in body
    assert f'<option value="{habo.whole.pk}">Hela kommunen (Habo)</option>' in body
    client.force_login(habo.clerk)  # one municipality: the names alone
    assert (
        f'<option value="{habo.whole.pk}">Hela kommunen</option>'
        in client.get(reverse("activity_list")).content.decode()
    )
