"""Earlier years on the public pages: recurring targets beside the final outcomes that earlier
years published (followup.public.earlier_years)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.public import earlier_years, published_tertials
from followup.services import tertial_approve
from promises.models import Promise, Target
from promises.periods import Tertial
from promises.services import promise_copy, target_areas_set
from tests.factories import ActivityFactory, PromiseFactory, World

pytestmark = pytest.mark.django_db

YEAR = 2022
EARLIER = 2021


def _earlier(world: World, **kwargs) -> Promise:
    """The same promise one year before (targets copied: same types, kinds, periods and areas)."""
    return promise_copy(promise=world.promise, year=EARLIER, status=Promise.Status.ACTIVE, **kwargs)


def _log(world: World, promise: Promise, activity_type, quantity: int, day: date, area=None) -> None:
    ActivityFactory(
        promise=promise,
        activity_type=activity_type,
        area=area or world.raslatt,
        date=day,
        quantity=quantity,
        created_by=world.officer,
    )


def _publish(world: World, promise: Promise, tertial: int) -> None:
    for manager in (world.manager, world.municipal_manager):
        tertial_approve(promise=promise, tertial=Tertial(promise.year, tertial), user=manager)


def _page(client, *args: object, name: str = "public:year") -> str:
    response = client.get(reverse(name, args=["jonkoping", *args]))
    assert response.status_code == 200
    return response.content.decode()


def _comparison(body: str) -> str:
    start = body.index('id="earlier-years"')
    return body[start : body.index("</section>", start)]


def test_year_page_shows_the_earlier_years_published_final_outcome_beside_this_years(client):
    world = World(year=YEAR)
    earlier = _earlier(world)
    _log(world, earlier, world.patrol, 713, date(EARLIER, 10, 1))
    _publish(world, earlier, 3)
    world.log(world.patrol, 321, date(YEAR, 2, 1))
    world.publish(1)
    comparison = _comparison(_page(client, YEAR))
    assert "Jämfört med tidigare år" in comparison
    assert '<th scope="col" class="num">2021</th>' in comparison
    assert "2022 hittills" in comparison
    row = comparison[comparison.index(world.patrol_target.title) :]
    row = row[: row.index("</tr>")]
    assert row.index("321") < row.index("713")  # this year first, then the earlier year
    assert "mål: minst 800" in row
    assert "Ej uppnått" in row  # 713 of 800 once the year is over


def test_earlier_years_come_only_from_a_published_tertial_3(client):
    world = World(year=YEAR)
    earlier = _earlier(world)
    _log(world, earlier, world.patrol, 500, date(EARLIER, 3, 1))
    _publish(world, earlier, 1)
    _publish(world, earlier, 2)
    world.log(world.patrol, 321, date(YEAR, 2, 1))
    world.publish(1)
    body = _page(client, YEAR)
    assert 'id="earlier-years"' not in body  # 2021 has no published final outcome yet
    assert f'href="{reverse("public:year", args=["jonkoping", EARLIER])}"' in body  # but it is linked

    _publish(world, earlier, 3)
    _log(world, earlier, world.patrol, 44, date(EARLIER, 12, 1))  # after publishing: never shown
    comparison = _comparison(_page(client, YEAR))
    assert "500" in comparison
    assert "544" not in comparison


def test_the_latest_version_of_the_final_tertial_is_shown(client):
    world = World(year=YEAR)
    earlier = _earlier(world)
    _log(world, earlier, world.patrol, 500, date(EARLIER, 10, 1))
    _publish(world, earlier, 3)
    _log(world, earlier, world.patrol, 44, date(EARLIER, 12, 1))
    for manager in (world.manager, world.municipal_manager):
        tertial_approve(promise=earlier, tertial=Tertial(EARLIER, 3), user=manager, reason="Sena rapporter.")
    world.publish(1)
    comparison = _comparison(_page(client, YEAR))
    assert "544" in comparison
    assert ">500" not in comparison


def test_a_target_recurs_only_with_the_same_activity_type_and_areas():
    world = World(year=YEAR)
    earlier = _earlier(world)
    copied = {t.key: t for t in Target.objects.filter(commitment__section__promise=earlier)}
    # 2021's traffic controls covered only Råslätt: not the same target as 2022's two areas.
    target_areas_set(target=copied[world.traffic_target.key], areas=[world.raslatt])
    # 2021's Råslätt target counted measures, not patrols: another target.
    patrol_2021 = copied[world.patrol_target.key]
    patrol_2021.activity_type = world.measure
    patrol_2021.save()
    _publish(world, earlier, 3)
    world.publish(1)
    tertial = published_tertials(promise=world.promise)[-1]
    rows = earlier_years(promise=world.promise, tertial=tertial)["rows"]
    titles = {row["target"]["title"] for row in rows}
    assert titles == {world.drugs_target.title, world.report_target.title}
    report = next(row for row in rows if row["target"]["title"] == world.report_target.title)
    assert [cell["promise"].year for cell in report["earlier"]] == [EARLIER]
    assert report["earlier"][0]["target"]["final"] is True


def test_a_target_new_this_year_has_no_earlier_row():
    world = World(year=YEAR)
    earlier = _earlier(world)
    Target.objects.filter(commitment__section__promise=earlier, key=world.drugs_target.key).delete()
    _publish(world, earlier, 3)
    world.publish(1)
    rows = earlier_years(promise=world.promise, tertial=published_tertials(promise=world.promise)[-1])["rows"]
    assert world.drugs_target.title not in {row["target"]["title"] for row in rows}
    assert world.patrol_target.title in {row["target"]["title"] for row in rows}


def test_small_sensitive_numbers_of_earlier_years_are_withheld(client):
    world = World(year=YEAR)
    world.drugs.is_sensitive = True
    world.drugs.save()
    earlier = _earlier(world)
    _log(world, earlier, world.drugs, 2, date(EARLIER, 10, 5))
    _publish(world, earlier, 3)
    world.log(world.drugs, 9, date(YEAR, 2, 1))
    world.publish(1)
    rows = earlier_years(promise=world.promise, tertial=published_tertials(promise=world.promise)[-1])["rows"]
    drugs = next(row for row in rows if row["target"]["title"] == world.drugs_target.title)
    cell = drugs["earlier"][0]["target"]
    assert cell["year_to_date"] is None
    assert cell["difference"] is None
    assert cell["year_to_date_text"] == "färre än 3"
    comparison = _comparison(_page(client, YEAR))
    row = comparison[comparison.index(world.drugs_target.title) :]
    row = row[: row.index("</tr>")]
    assert "färre än 3" in row
    assert ">2\n" not in row
    assert ">2<" not in row


def test_year_page_links_every_earlier_year_published_or_not(client):
    world = World(year=YEAR)
    PromiseFactory(year=2020, status=Promise.Status.CLOSED)  # nothing published: still a public page
    PromiseFactory(year=2019, status=Promise.Status.DRAFT)  # a draft is never public
    earlier = _earlier(world)
    _publish(world, earlier, 3)
    world.publish(1)
    body = _page(client, YEAR)
    for year in (2021, 2020):
        assert f'href="{reverse("public:year", args=["jonkoping", year])}"' in body
    assert f'href="{reverse("public:year", args=["jonkoping", 2019])}"' not in body
    assert _page(client, 2020)  # the linked page exists


def test_area_page_shows_only_the_earlier_years_of_targets_that_include_the_area(client):
    world = World(year=YEAR)
    earlier = _earlier(world)
    _log(world, earlier, world.traffic, 187, date(EARLIER, 10, 1), world.oxnehaga)
    _publish(world, earlier, 3)
    world.publish(1)
    comparison = _comparison(_page(client, YEAR, "oxnehaga", name="public:area"))
    assert world.traffic_target.title in comparison
    assert "187" in comparison
    assert world.patrol_target.title not in comparison  # Råslätt only


def test_earlier_years_are_labelled_demo_when_invented(client):
    world = World(year=YEAR)
    earlier = _earlier(world)
    earlier.is_demo = True
    earlier.save()
    _publish(world, earlier, 3)
    world.publish(1)
    body = _page(client, YEAR)
    assert '2021 <span class="demo-label"' in _comparison(body)
    assert 'data-label="2021 (demo)"' in _comparison(body)  # on a phone's cards too
    assert 'data-label="2022 hittills"' in _comparison(body)
    assert "Siffrorna för det här året är påhittade" not in body
    assert "Siffrorna för det här året är påhittade" in _page(client, EARLIER)
    # Every list that names the invented year says so too: the start page's earlier years, the
    # open-data page and the managers' list of promises.
    label = '<span class="demo-label"'
    start = client.get(reverse("public:municipality", args=["jonkoping"])).content.decode()
    assert f"{earlier.title}</a> {label}" in start
    open_data = client.get(reverse("public:open_data", args=["jonkoping"])).content.decode()
    assert f"{earlier.title} – {earlier.municipality} {label}" in open_data
    client.force_login(world.manager)
    dashboard = client.get(reverse("followup:dashboard")).content.decode()
    assert f"{earlier.title} ({earlier.municipality.name} {EARLIER}, demo)</option>" in dashboard


def test_this_year_invented_is_labelled_demo_on_the_phones_cards_too(client):
    world = World(year=YEAR)
    _publish(world, _earlier(world), 3)
    world.promise.is_demo = True
    world.promise.save()
    world.publish(1)
    assert 'data-label="2022 hittills (demo)"' in _comparison(_page(client, YEAR))


def test_earlier_years_in_three_queries():
    world = World(year=YEAR)
    for year in (2019, 2020, 2021):
        promise_copy(promise=world.promise, year=year, status=Promise.Status.ACTIVE)
        _publish(world, Promise.objects.get(year=year), 3)
    world.publish(1)
    tertial = published_tertials(promise=world.promise)[-1]
    with CaptureQueriesContext(connection) as queries:
        result = earlier_years(promise=world.promise, tertial=tertial)
    assert len(queries) == 3
    assert [p.year for p in result["years"]] == [2021, 2020, 2019]
