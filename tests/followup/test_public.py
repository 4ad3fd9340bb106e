"""The public page, the year pages and the open-data API show published figures only."""

import csv
import io
import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.public import redact_target
from followup.published import PublishedTarget
from followup.services import target_comment_save
from promises.models import Activity, Promise
from tests.factories import World

pytestmark = pytest.mark.django_db

YEAR = 2022


def _log(world: World, activity_type, quantity: int, day: date, area=None) -> Activity:
    return world.log(activity_type, quantity, day, area)


def _publish(world: World, tertial: int, reason: str = "") -> None:
    world.publish(tertial, reason)


def _everything_public(client, world: World) -> str:
    """The public page, the year page, and every API answer, as one text."""
    parts = [
        client.get(reverse("public:index")).content.decode(),
        client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode(),
        client.get(reverse("api:promises")).content.decode(),
        client.get(reverse("api:promises") + "?format=csv").content.decode("utf-8-sig"),
        client.get(reverse("api:promise", args=["0680", YEAR])).content.decode(),
    ]
    for tertial in (1, 2, 3):
        for suffix in ("", "?format=csv"):
            response = client.get(reverse("api:followup", args=["0680", YEAR, tertial]) + suffix)
            parts.append(response.content.decode("utf-8-sig"))
    return "\n".join(parts)


def test_public_nothing_unpublished_leaks(client):
    world = World(year=YEAR)
    _log(world, world.patrol, 123, date(YEAR, 2, 1))
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis="Publicerad analys.", measures=""
    )
    _publish(world, 1)
    # After publication: more activity in T1 and T2, and draft comments in both.
    _log(world, world.patrol, 4444, date(YEAR, 3, 1))
    _log(world, world.patrol, 777, date(YEAR, 6, 1))
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis="Hemligt utkast T1.", measures=""
    )
    target_comment_save(
        target=world.patrol_target, tertial=2, user=world.manager, analysis="Hemligt utkast T2.", measures=""
    )
    public = _everything_public(client, world)
    assert "Publicerad analys." in public
    assert "123" in public
    for secret in ("4444", "4567", "777", "900", "Hemligt utkast"):
        # As a figure of its own: not inside a time stamp's fraction of a second or a hash, where
        # "900" turned up now and then.
        assert not re.search(rf"(?<![\w.]){secret}(?!\w)", public), secret
    assert client.get(reverse("api:followup", args=["0680", YEAR, 2])).status_code == 404


def test_public_draft_promise_is_never_shown(client):
    world = World(year=YEAR)
    _publish(world, 1)
    world.promise.status = Promise.Status.DRAFT
    world.promise.save()
    assert world.promise.title not in client.get(reverse("public:index")).content.decode()
    assert client.get(reverse("public:year", args=["jonkoping", YEAR])).status_code == 404
    assert client.get(reverse("api:promises")).json() == []
    assert client.get(reverse("api:followup", args=["0680", YEAR, 1])).status_code == 404


def test_public_page_without_publication_shows_the_promise_only(client):
    world = World(year=YEAR)
    _log(world, world.patrol, 55, date(YEAR, 2, 1))
    body = client.get(reverse("public:index")).content.decode()
    assert "Ingen uppföljning har publicerats än." in body
    assert world.patrol_target.commitment.text in body
    assert "55" not in body


def test_public_page_shows_status_progress_and_comment(client):
    world = World(year=YEAR)
    _log(world, world.patrol, 200, date(YEAR, 2, 1))
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis="Bra takt.", measures="Fler pass."
    )
    _publish(world, 1)
    response = client.get(reverse("public:index"))
    body = response.content.decode()
    assert "Uppföljning januari–april 2022, publicerad" in body
    assert 'class="bar-fill"' in body
    assert 'width="25.0"' in body  # 200 of 800
    assert "Bra takt." in body
    assert "Fler pass." in body
    assert 'aria-hidden="true">' in body  # the status icon, beside the status word
    assert response.context["sections"][0]["chart"]["data"][0]["x"][0] == 25.0


def test_public_correction_notice(client):
    world = World(year=YEAR)
    _log(world, world.patrol, 30, date(YEAR, 2, 1))
    _publish(world, 1)
    _log(world, world.patrol, 5, date(YEAR, 4, 29))
    _publish(world, 1, reason="Sent inrapporterade patruller.")
    body = client.get(reverse("public:index")).content.decode()
    assert "Korrigerad" in body
    assert "Sent inrapporterade patruller." in body
    data = client.get(reverse("api:followup", args=["0680", YEAR, 1])).json()
    assert data["version"] == 2
    assert [c["reason"] for c in data["corrections"]] == ["Sent inrapporterade patruller."]
    patrol = next(t for t in data["targets"] if t["key"] == world.patrol_target.key)
    assert patrol["year_to_date"] == 35
    year_page = client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode()
    assert "Sent inrapporterade patruller." in year_page


def test_year_page_of_a_year_over_without_its_full_year_follow_up_says_so(client):
    # 2022 is over; only T1 and T2 were published, so "so far this year" must not read as if
    # the year still ran.
    world = World(year=YEAR)
    _publish(world, 1)
    _publish(world, 2)
    notice = (
        "Året 2022 är slut, men ingen uppföljning av hela året har publicerats. De senast publicerade "
        "siffrorna gäller januari–augusti 2022."
    )
    assert notice in client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode()
    # The municipality's page, while 2022 is still its latest promise, says it too.
    assert notice in client.get(reverse("public:municipality", args=["jonkoping"])).content.decode()
    _publish(world, 3)
    assert (
        "ingen uppföljning av hela året"
        not in client.get(reverse("public:year", args=["jonkoping", YEAR])).content.decode()
    )


def test_year_page_of_a_running_year_says_nothing_of_the_kind(client):
    # Mid-June 2026: T1 is published, the year runs.
    with time_machine.travel(datetime(2026, 6, 15, 12, tzinfo=ZoneInfo("Europe/Stockholm")), tick=False):
        world = World(year=2026)
        world.publish(1)
        response = client.get(reverse("public:year", args=["jonkoping", 2026]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Uppföljning januari–april 2026" in body
    assert "ingen uppföljning av hela året" not in body


@pytest.mark.parametrize(("count", "shown"), [(1, None), (2, None), (3, 3), (0, 0)])
def test_redact_target_small_sensitive_numbers(count, shown):
    target = PublishedTarget(
        id=1,
        key="narkotikabrott",
        section_number=1,
        section_title="Polisiärt arbete",
        commitment_label="A",
        commitment_text="…",
        title="Narkotikabrott",
        kind="count",
        unit="count",
        period="",
        areas=["Råslätt", "Öxnehaga"],
        sensitive=True,
        target=52,
        outcome=count,
        year_to_date=count,
        expected=20.0,
        attainment=50.0,
        progress=10.0,
        forecast=count * 3,
        needed_per_week=1.0,
        periods_total=None,
        missed={"Råslätt": ["v. 5"]},
        area_year_to_date={"Råslätt": count, "Öxnehaga": 0},
        status="behind",
        analysis="",
        measures="",
    ).snapshot()
    public = redact_target(target)
    assert public["year_to_date"] == shown
    assert public["outcome"] is None  # never per tertial
    assert public["missed"] == {}  # never per area
    assert public["area_year_to_date"] == {}
    if shown is None:
        assert public["year_to_date_text"] == "färre än 3"
        assert (public["progress"], public["attainment"], public["forecast"]) == (None, None, None)


def test_public_sensitive_target_small_number_everywhere(client):
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    _log(world, world.patrol, 2, date(YEAR, 2, 1))
    _publish(world, 1)
    body = client.get(reverse("public:index")).content.decode()
    assert "färre än 3" in body
    data = client.get(reverse("api:followup", args=["0680", YEAR, 1])).json()
    patrol = next(t for t in data["targets"] if t["key"] == world.patrol_target.key)
    assert (patrol["year_to_date"], patrol["outcome"], patrol["year_to_date_text"]) == (None, None, "färre än 3")
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("api:followup", args=["0680", YEAR, 1]) + "?format=csv").content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    patrol_row = next(r for r in rows if r["key"] == world.patrol_target.key)
    assert (patrol_row["year_to_date"], patrol_row["outcome"]) == ("", "")


def test_public_sensitive_target_is_not_shown_per_earlier_tertial(client):
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    _log(world, world.patrol, 7, date(YEAR, 2, 1))
    _publish(world, 1)
    _log(world, world.patrol, 4, date(YEAR, 6, 1))
    _publish(world, 2)
    data = client.get(reverse("api:followup", args=["0680", YEAR, 1])).json()
    earlier = next(t for t in data["targets"] if t["key"] == world.patrol_target.key)
    # Nothing worked out from T1's count either: a third of the year's forecast is T1's 7.
    for key in ("year_to_date", "progress", "attainment", "forecast", "needed_per_week", "outcome"):
        assert earlier[key] is None, key
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(reverse("public:download_year", args=["jonkoping", YEAR, "csv"])).content.decode("utf-8-sig")
            ),
            delimiter=";",
        )
    )
    t1 = next(r for r in rows if r["Mål"] == world.patrol_target.title and r["Tertial"] == "1")
    assert (t1["Hittills i år"], t1["Prognos"]) == ("", "")
    latest = client.get(reverse("api:followup", args=["0680", YEAR, 2])).json()
    assert next(t for t in latest["targets"] if t["key"] == world.patrol_target.key)["year_to_date"] == 11


def test_public_page_reads_snapshots_not_activities(client):
    world = World(year=YEAR)
    _log(world, world.patrol, 30, date(YEAR, 2, 1))
    _publish(world, 1)
    cache.clear()  # the first view, not a cached one, must already read only the snapshot
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("public:index"))
    assert response.status_code == 200
    assert "30" in response.content.decode()
    assert not [q for q in queries if "promises_activity" in q["sql"]]


def test_api_promise_list_and_detail(client):
    world = World(year=YEAR)
    _publish(world, 1)
    listing = client.get(reverse("api:promises")).json()
    assert [(p["year"], p["published_tertials"]) for p in listing] == [(YEAR, [1])]
    assert (listing[0]["municipality"], listing[0]["municipality_code"]) == ("Jönköping", "0680")
    detail = client.get(listing[0]["url"]).json()
    assert sorted(detail["parties"]) == ["Jönköpings kommun", "Polisen"]
    assert [f["tertial"] for f in detail["followups"]] == [1]
    assert detail["followups"][0]["corrected"] is False


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/api/v1/municipalities/0680/promises/1999/", "Jönköping har inget medborgarlöfte för 1999."),
        ("/api/v1/municipalities/0680/promises/2022/followups/4/", "Ett år har tertialerna 1, 2 och 3."),
        ("/api/v1/municipalities/0680/promises/2022/followups/0/", "Ett år har tertialerna 1, 2 och 3."),
        ("/jonkoping/2099/", "Jönköping har inget medborgarlöfte för 2099."),
    ],
)
def test_public_unknown_year_or_tertial_is_a_404_with_a_message(client, url, message):
    World(year=YEAR)
    response = client.get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.json() == {"detail": message}
    else:
        assert f"<p>{message}</p>" in response.content.decode()


def test_api_schema_and_docs_are_served_without_a_cdn(client):
    schema = client.get(reverse("api:schema"))
    assert schema.status_code == 200
    assert b"/api/v1/municipalities/{municipality}/promises/{year}/followups/{tertial}/" in schema.content
    docs = client.get(reverse("api:docs")).content.decode()
    assert "cdn" not in docs.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs


def test_accessibility_statement_says_how_it_was_tested(client):
    body = client.get(reverse("public:accessibility")).content.decode()
    assert "axe-core" in body
    assert "WCAG 2.1" in body


def test_accessibility_statement_heading_breaks_only_at_its_soft_hyphen(client):
    # On a phone the one long word broke anywhere ("Tillgänglighetsredogörels / e").
    body = client.get(reverse("public:accessibility")).content.decode()
    assert "<h1>Tillgänglighets\u00adredogörelse</h1>" in body
    assert "<title>Tillgänglighetsredogörelse" in body


def test_accessibility_statement_lists_every_public_page(client):
    body = client.get(reverse("public:accessibility")).content.decode()
    listed = body[body.index('class="covered-pages"') : body.index("</ul>", body.index('class="covered-pages"'))]
    for url in ("public:index", "api:docs"):
        assert f'href="{reverse(url)}"' in listed, url
    for words in (
        "/jonkoping/",
        "/jonkoping/2022/",
        "/jonkoping/2022/omrade/raslatt/",
        "/jonkoping/oppna-data/",
        "/jonkoping/inbaddning/",
        "/jonkoping/flode/",
        "/rapport/",
        "inloggningssidan",
    ):
        assert words in listed, words


def test_swagger_page_has_a_language_and_a_way_back(client):
    body = client.get(reverse("api:docs")).content.decode()
    assert '<html lang="en">' in body
    assert f'<a href="{reverse("public:open_data", args=["jonkoping"])}"' in body
    assert "/static/js/swagger-a11y.js" in body
