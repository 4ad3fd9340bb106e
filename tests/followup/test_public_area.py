"""The area page: what the promise says about one area, from the latest published snapshot."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import Publication
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022


def _area_page(client, slug: str = "oxnehaga") -> str:
    response = client.get(reverse("public:area", args=["jonkoping", YEAR, slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_area_page_lists_only_the_targets_that_include_the_area(client):
    world = World(year=YEAR)
    _publish_with_traffic(world)
    body = _area_page(client)
    assert world.traffic_target.title in body
    assert world.report_target.title in body
    assert world.patrol_target.title not in body  # Råslätt only
    assert "<h1>Öxnehaga</h1>" in body


def _publish_with_traffic(world: World) -> None:
    world.log(world.traffic, 12, date(YEAR, 2, 1), world.raslatt)
    world.log(world.traffic, 5, date(YEAR, 3, 1), world.oxnehaga)
    world.publish(1)


def test_area_page_labels_the_areas_part_of_a_joint_target(client):
    world = World(year=YEAR)
    _publish_with_traffic(world)
    body = _area_page(client)
    assert "Hittills i år, alla dess områden" in body
    assert '<dt class="area-part">Varav i Öxnehaga (områdets del)</dt>\n      <dd class="area-part">5</dd>' in body
    raslatt = _area_page(client, "raslatt")
    assert '<dd class="area-part">12</dd>' in raslatt


def test_area_page_shows_only_published_figures(client):
    world = World(year=YEAR)
    _publish_with_traffic(world)
    world.log(world.traffic, 444, date(YEAR, 3, 2), world.oxnehaga)  # after publishing
    body = _area_page(client)
    assert '<dd class="area-part">5</dd>' in body
    assert "449" not in body
    assert "444" not in body


def test_area_page_before_any_publication_has_no_figures(client):
    world = World(year=YEAR)
    world.log(world.traffic, 77, date(YEAR, 2, 1), world.oxnehaga)
    body = _area_page(client)
    assert "Ingen uppföljning har publicerats än." in body
    assert "77" not in body


def test_area_page_never_shows_a_sensitive_area_part(client):
    world = World(year=YEAR)
    world.traffic.is_sensitive = True
    world.traffic.save()
    world.log(world.traffic, 1, date(YEAR, 2, 1), world.oxnehaga)
    world.log(world.traffic, 9, date(YEAR, 2, 1), world.raslatt)
    world.publish(1)
    body = _area_page(client)
    assert 'class="area-part"' not in body
    assert "Varav i" not in body
    assert ">10<" in body  # the whole target's year so far is not small


def test_area_page_small_sensitive_number_is_withheld(client):
    world = World(year=YEAR)
    world.traffic.is_sensitive = True
    world.traffic.save()
    world.log(world.traffic, 2, date(YEAR, 2, 1), world.oxnehaga)
    world.publish(1)
    body = _area_page(client)
    assert "färre än 3" in body
    assert 'class="area-part"' not in body


def test_area_page_of_an_old_snapshot_shows_no_area_part(client):
    world = World(year=YEAR)
    _publish_with_traffic(world)
    publication = Publication.objects.get()
    for target in publication.snapshot["targets"]:
        target.pop("area_year_to_date")
    publication.save()
    body = _area_page(client)
    assert world.traffic_target.title in body
    assert 'class="area-part"' not in body


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/jonkoping/2099/omrade/oxnehaga/", "Jönköping har inget medborgarlöfte för 2099."),
        ("/jonkoping/2022/omrade/atlantis/", "Medborgarlöftet för 2022 har inget område som heter atlantis."),
    ],
)
def test_area_page_unknown_year_or_area_is_a_404_with_a_message(client, url, message):
    World(year=YEAR)
    response = client.get(url)
    assert response.status_code == 404
    assert f"<p>{message}</p>" in response.content.decode()


def test_overview_and_year_page_link_to_the_area_pages(client):
    world = World(year=YEAR)
    _publish_with_traffic(world)
    for name in ("public:index", "public:year"):
        body = client.get(reverse(name, args=["jonkoping", YEAR] if name == "public:year" else [])).content.decode()
        assert '<a href="/jonkoping/2022/omrade/oxnehaga/">Öxnehaga</a>' in body
        assert '<a href="/jonkoping/2022/omrade/raslatt/">Råslätt</a>' in body


def test_area_page_reads_snapshots_not_activities(client):
    world = World(year=YEAR)
    _publish_with_traffic(world)
    with CaptureQueriesContext(connection) as queries:
        _area_page(client)
    assert not [q for q in queries if "promises_activity" in q["sql"]]


@pytest.mark.parametrize("tertials", [1, 3])
@pytest.mark.parametrize("name", ["public:area", "public:embed_area"])
def test_area_pages_query_count_does_not_grow_with_the_data(client, django_assert_num_queries, tertials, name):
    world = World(year=YEAR)
    for tertial in range(1, tertials + 1):
        for day in range(1, 1 + 5 * tertial):
            world.log(world.traffic, 1, date(YEAR, 4 * tertial, day), world.oxnehaga)
        world.publish(tertial)
    # 5 to render it, 1 for the publication stamp of the page cache (followup/public_cache.py),
    # and on the area page 1 for earlier years (none here).
    with django_assert_num_queries(7 if name == "public:area" else 6):
        response = client.get(reverse(name, args=["jonkoping", YEAR, "oxnehaga"]))
    assert response.status_code == 200


def test_pages_without_bars_do_not_explain_bars(client):
    # The legend's sentence about the bars' lines belongs where bars are drawn: the start page.
    world = World(year=YEAR)
    world.publish(1)
    bars = "I varje stapel"
    assert bars in client.get(reverse("public:index")).content.decode()
    assert bars not in client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode()
    area = client.get(reverse("public:area", args=["jonkoping", YEAR, world.raslatt.slug])).content.decode()
    assert "Vad statusen betyder" in area
    assert bars not in area
