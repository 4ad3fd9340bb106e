"""A manager's start page leads with the running tertial: targets per status, what awaits the
party's approval, and the way to the dashboard."""

from collections import Counter
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.selectors import Awaiting, followup_rows, manager_overview
from followup.services import tertial_approve
from promises import roles
from promises.models import Organisation
from promises.periods import Tertial
from promises.services import ActivityData, activity_create
from tests.factories import OrganisationFactory, UserFactory, World, manager_user

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)  # in T2; T1 has ended


@pytest.fixture
def world():
    # Time stays frozen on TODAY for the whole test.
    with time_machine.travel(datetime.combine(TODAY, time(12, 0), tzinfo=ZoneInfo("Europe/Stockholm")), tick=False):
        yield World(year=TODAY.year)


def _overview_html(response) -> str:
    body = response.content.decode()
    start = body.find('<section aria-labelledby="followup-heading"')
    return body[start : body.find("</section>", start)] if start >= 0 else ""


def test_manager_start_counts_the_running_tertials_targets_like_the_dashboard(client, world):
    world.log(world.patrol, 300, date(2026, 5, 4))
    world.log(world.traffic, 1, date(2026, 5, 4))
    client.force_login(world.manager)
    response = client.get(reverse("home"))
    overview = manager_overview(user=world.manager)
    expected = Counter(row.result.status for row in followup_rows(promise=world.promise, tertial=Tertial(2026, 2)))
    assert (overview.tertial, dict(overview.status_counts)) == (Tertial(2026, 2), dict(expected))
    assert sum(count for _status, count in overview.status_counts) == 4
    html = _overview_html(response)
    assert "T2 2026: Medborgarlöfte 2026" in html
    # Every count carries its status's icon and word, never a colour alone.
    for status, count in overview.status_counts:
        assert f'<span class="status status-{status}"><span aria-hidden="true">' in html
        assert f"{count} mål" in html
    dashboard = reverse("followup:dashboard") + f"?promise={world.promise.pk}&amp;tertial=2"
    assert f'href="{dashboard}"' in html
    assert "Öppna uppföljningen för T2 2026" in html


def test_manager_start_lists_ended_tertials_awaiting_the_partys_approval(client, world):
    client.force_login(world.manager)
    assert [item.tertial.label for item in manager_overview(user=world.manager).awaiting] == ["T1 2026"]
    assert "T1 2026 är slut och väntar på din organisations godkännande" in _overview_html(client.get(reverse("home")))
    tertial_approve(promise=world.promise, tertial=Tertial(2026, 1), user=world.manager)
    # The police have approved; the municipality has not yet.
    assert manager_overview(user=world.manager).awaiting == []
    assert manager_overview(user=world.municipal_manager).awaiting == [Awaiting(world.promise, Tertial(2026, 1))]
    assert "Inget väntar på ditt godkännande." in _overview_html(client.get(reverse("home")))
    tertial_approve(promise=world.promise, tertial=Tertial(2026, 1), user=world.municipal_manager)
    assert manager_overview(user=world.municipal_manager).awaiting == []


def test_manager_start_lists_a_correction_the_other_party_has_approved(client, world):
    world.log(world.patrol, 30, date(2026, 2, 2))
    world.publish(1)
    assert manager_overview(user=world.municipal_manager).awaiting == []
    world.log(world.patrol, 5, date(2026, 2, 3))  # the figures change after publishing
    tertial_approve(promise=world.promise, tertial=Tertial(2026, 1), user=world.manager, reason="Ett pass saknades.")
    assert manager_overview(user=world.manager).awaiting == []  # the police wait for the municipality
    overview = manager_overview(user=world.municipal_manager)
    assert overview.awaiting == [Awaiting(world.promise, Tertial(2026, 1), correction=True)]
    client.force_login(world.municipal_manager)
    assert "En korrigering av T1 2026 väntar på din organisations godkännande" in _overview_html(
        client.get(reverse("home"))
    )
    tertial_approve(promise=world.promise, tertial=Tertial(2026, 1), user=world.municipal_manager)
    assert manager_overview(user=world.municipal_manager).awaiting == []


def test_manager_start_manager_of_an_organisation_party_to_no_promise_has_no_overview(world):
    # Managers follow up the promises their organisation signed; the housing company signed none.
    housing = OrganisationFactory(short_name="Vätterhem", kind=Organisation.Kind.HOUSING)
    assert manager_overview(user=manager_user(organisation=housing)) is None


def test_manager_start_is_not_shown_to_staff(client, world):
    client.force_login(world.officer)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert _overview_html(response) == ""


def test_manager_start_administrator_has_nothing_awaiting(client, world):
    admin = UserFactory(organisation=None, role=roles.ADMINISTRATORS, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("home"))
    assert manager_overview(user=admin).awaiting == []
    assert "Öppna uppföljningen för T2 2026" in _overview_html(response)


@pytest.mark.parametrize("entries", [1, 40])
def test_manager_start_query_count_does_not_grow_with_the_data(client, world, entries):
    for day in range(entries):
        world.log(world.patrol, 1, date(2026, 1 + day % 5, 1 + day % 28))
    client.force_login(world.manager)
    client.get(reverse("home"))  # the session and the caches settle
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    # The counts come from the cache under the promise's revision (15 queries read afresh).
    assert len(queries) == 9


def test_manager_start_counts_follow_a_new_entry(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.manager)
    before = dict(manager_overview(user=world.manager).status_counts)
    patrols = ActivityData(activity_type=world.patrol, area=world.raslatt, date=date(2026, 5, 4), quantity=20)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(15):
            activity_create(user=world.officer, data=patrols)
    world.promise.refresh_from_db()
    after = dict(manager_overview(user=world.manager).status_counts)
    expected = Counter(row.result.status for row in followup_rows(promise=world.promise, tertial=Tertial(2026, 2)))
    assert after == dict(expected)
    assert after != before


def test_manager_start_in_january_lists_last_years_tertial_3():
    # Last year's T3 ends on 31 December and is approved in January, when this year's promise
    # is already the current one; the reminder must not vanish with the new year.
    with time_machine.travel(datetime(2027, 1, 15, 12, tzinfo=ZoneInfo("Europe/Stockholm")), tick=False):
        last = World(year=2026)
        last.publish(1)
        last.publish(2)
        World(year=2027)
        overview = manager_overview(user=last.municipal_manager)
        assert overview.promise.year == 2027
        assert overview.awaiting == [Awaiting(last.promise, Tertial(2026, 3))]
        tertial_approve(promise=last.promise, tertial=Tertial(2026, 3), user=last.manager)
        assert manager_overview(user=last.manager).awaiting == []
        assert manager_overview(user=last.municipal_manager).awaiting == [Awaiting(last.promise, Tertial(2026, 3))]
