"""The embed pages: a compact summary for the partners' iframes, framable only by configured origins."""

from datetime import date

import pytest
from django.urls import reverse

from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022
PARTNERS = ["https://polisen.se", "https://www.jonkoping.se"]


def _published(traffic_sensitive: bool = False) -> World:
    world = World(year=YEAR)
    if traffic_sensitive:
        world.traffic.is_sensitive = True
        world.traffic.save()
    world.log(world.patrol, 210, date(YEAR, 2, 1))
    world.log(world.traffic, 1, date(YEAR, 2, 1), world.oxnehaga)
    world.log(world.traffic, 1, date(YEAR, 2, 2), world.raslatt)
    world.publish(1)
    world.log(world.patrol, 5555, date(YEAR, 3, 1))  # after publishing
    return world


def _frame_ancestors(response) -> str:
    policy = response["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("frame-ancestors"))


def test_embed_year_shows_the_published_summary_only(client):
    world = _published()
    response = client.get(reverse("public:embed", args=["jonkoping", YEAR]))
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in body
    assert "Uppföljning januari–april 2022, publicerad" in body
    assert world.patrol_target.title in body
    assert "210" in body
    assert "5765" not in body
    assert "5555" not in body
    assert 'href="http://testserver/jonkoping/2022/"' in body
    assert "site-header" not in body  # no navigation inside a partner's page


def test_embed_area_shows_the_areas_targets_and_part(client):
    world = _published()
    body = client.get(reverse("public:embed_area", args=["jonkoping", YEAR, "oxnehaga"])).content.decode()
    assert world.traffic_target.title in body
    assert world.patrol_target.title not in body
    assert "varav i Öxnehaga: 1" in body
    assert 'href="http://testserver/jonkoping/2022/omrade/oxnehaga/"' in body


def test_embed_small_sensitive_numbers_are_withheld(client):
    world = _published(traffic_sensitive=True)
    for url in (
        reverse("public:embed", args=["jonkoping", YEAR]),
        reverse("public:embed_area", args=["jonkoping", YEAR, "oxnehaga"]),
    ):
        body = client.get(url).content.decode()
        assert world.traffic_target.title in body
        assert "färre än 3" in body
        assert "varav i" not in body


def test_embed_before_publication_has_no_figures(client):
    world = World(year=YEAR)
    world.log(world.patrol, 321, date(YEAR, 2, 1))
    body = client.get(reverse("public:embed", args=["jonkoping", YEAR])).content.decode()
    assert "Ingen uppföljning har publicerats än." in body
    assert "321" not in body


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/jonkoping/inbaddning/2099/", "Jönköping har inget medborgarlöfte för 2099."),
        (
            "/jonkoping/inbaddning/2022/omrade/atlantis/",
            "Medborgarlöftet för 2022 har inget område som heter atlantis.",
        ),
    ],
)
def test_embed_unknown_year_or_area_is_a_404_with_a_message(client, url, message):
    World(year=YEAR)
    response = client.get(url)
    assert response.status_code == 404
    assert f"<p>{message}</p>" in response.content.decode()


@pytest.mark.parametrize("name", ["public:embed", "public:embed_area"])
def test_embed_may_be_framed_by_exactly_the_configured_origins(client, settings, name):
    settings.EMBED_ALLOWED_ORIGINS = PARTNERS
    _published()
    args = ["jonkoping", YEAR] if name == "public:embed" else ["jonkoping", YEAR, "oxnehaga"]
    response = client.get(reverse(name, args=args))
    assert _frame_ancestors(response) == "frame-ancestors https://polisen.se https://www.jonkoping.se"
    assert "X-Frame-Options" not in response


def test_embed_without_configured_origins_refuses_every_frame(client, settings):
    settings.EMBED_ALLOWED_ORIGINS = []
    _published()
    response = client.get(reverse("public:embed", args=["jonkoping", YEAR]))
    assert _frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize("origins", [[], PARTNERS])
@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/jonkoping/2022/",
        "/jonkoping/2022/omrade/oxnehaga/",
        "/jonkoping/oppna-data/",
        "/jonkoping/flode/",
        "/konto/logga-in/",
    ],
)
def test_every_other_page_refuses_frames(client, settings, origins, url):
    settings.EMBED_ALLOWED_ORIGINS = origins
    _published()
    response = client.get(url)
    assert response.status_code == 200
    assert _frame_ancestors(response) == "frame-ancestors 'none'"
    assert response["X-Frame-Options"] == "DENY"
