"""The Atom feed of publications: one entry per published version, no figures."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from promises.models import Promise
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022
ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(client) -> list[ET.Element]:
    response = client.get(reverse("public:feed", args=["jonkoping"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "Medborgarlöften i Jönköping: publicerade uppföljningar"
    return root.findall(f"{ATOM}entry")


def test_feed_lists_every_publication_newest_first(client):
    world = World(year=YEAR)
    world.log(world.patrol, 30, date(YEAR, 2, 1))
    world.publish(1)
    world.publish(2)
    world.log(world.patrol, 5, date(YEAR, 4, 29))
    world.publish(1, reason="Sent inrapporterade patruller.")
    entries = _entries(client)
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert titles == [
        "Medborgarlöfte 2022: uppföljning januari–april 2022, korrigerad",
        "Medborgarlöfte 2022: uppföljning maj–augusti 2022",
        "Medborgarlöfte 2022: uppföljning januari–april 2022",
    ]
    links = [e.find(f"{ATOM}link").get("href") for e in entries]
    assert links == [
        "http://testserver/jonkoping/2022/#tertial-1",
        "http://testserver/jonkoping/2022/#tertial-2",
        "http://testserver/jonkoping/2022/#tertial-1",
    ]
    assert all(e.find(f"{ATOM}published").text.startswith(str(timezone.localdate().year)) for e in entries)
    assert "Korrigerad: Sent inrapporterade patruller." in entries[0].find(f"{ATOM}summary").text
    assert len({e.find(f"{ATOM}id").text for e in entries}) == 3


def test_feed_gives_statuses_not_figures(client):
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    world.log(world.patrol, 2, date(YEAR, 2, 1))
    world.log(world.traffic, 17, date(YEAR, 2, 1))
    world.publish(1)
    (entry,) = _entries(client)
    summary = entry.find(f"{ATOM}summary").text
    assert summary.startswith("4 mål: ")
    assert "17" not in summary
    assert " 2 " not in summary.replace("4 mål", "")


def test_feed_is_empty_before_publication_and_for_a_draft_promise(client):
    world = World(year=YEAR)
    assert _entries(client) == []
    world.publish(1)
    World(year=YEAR - 1)  # the municipality keeps a public promise
    world.promise.status = Promise.Status.DRAFT
    world.promise.save()
    assert _entries(client) == []


def test_feed_of_a_municipality_without_a_public_promise_is_a_404(client):
    World(year=YEAR).promise.delete()
    assert client.get(reverse("public:feed", args=["jonkoping"])).status_code == 404


@pytest.mark.parametrize("tertials", [1, 3])
def test_feed_query_count_does_not_grow_with_the_publications(client, django_assert_num_queries, tertials):
    world = World(year=YEAR)
    for tertial in range(1, tertials + 1):
        world.publish(tertial)
    # The municipality, the feed's one query and the publication stamp of the page cache
    # (followup/public_cache.py).
    with django_assert_num_queries(3):
        assert len(_entries(client)) == tertials
