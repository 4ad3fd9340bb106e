"""The whole journey, as a new user would take it, with a screenshot of every step."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from followup.models import Publication
from promises.models import Activity, Target
from tests.browser.conftest import login, screenshot
from tests.factories import ActivityTypeFactory, TargetFactory, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _logout(page):
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/")


def _log(page, type_name: str, area: str, day: str, **fields):
    page.goto("/start/")
    page.get_by_role("link", name=type_name, exact=True).click()
    page.get_by_label("Område").select_option(label=area)
    page.get_by_label("Datum").fill(day)
    for label, value in fields.items():
        if label == "first_time":
            page.get_by_role("radio", name=value).check()
        else:
            page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith(f"Sparat: {type_name}")


def test_whole_journey_from_logging_to_the_public_page(browser, live_server):
    cache.clear()
    # Last year's promise: its T1 is over and can be published.
    world = World(year=timezone.localdate().year - 1)
    ssg = ActivityTypeFactory(code="ssg-mote", name="SSG-möte", organisations=[world.municipality])
    TargetFactory(
        commitment=world.patrol_target.commitment, activity_type=ssg, count=8, areas=[world.whole], title="SSG-möten"
    )
    day = f"{world.year}-03-10"
    phone = browser.new_context(
        base_url=live_server.url, locale="sv-SE", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    desktop = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    for context in (phone, desktop):
        context.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page = desktop.new_page()

    # 1. The public page, before anything is published.
    page.goto("/")
    assert "Ingen uppföljning har publicerats än." in page.content()
    screenshot(page, "journey-01-public-before")

    # 2. Police staff log on a phone: foot patrols, a traffic control, drug offences.
    mobile = phone.new_page()
    login(mobile, world.officer)
    _log(mobile, "Fotpatrullering", "Råslätt", day, Antal="12")
    _log(mobile, "Trafikkontroll", "Öxnehaga", day, **{"Varaktighet (minuter)": "30"})
    _log(mobile, "Narkotikabrott", "Råslätt", day, first_time="Ja")
    _log(mobile, "Narkotikabrott", "Råslätt", day, first_time="Nej")
    screenshot(mobile, "journey-02-police-logged-on-phone")
    _logout(mobile)

    # 3. Municipal staff log a lägesbild and an SSG meeting.
    login(mobile, world.clerk)
    _log(mobile, "Lägesbild", "Råslätt", day)
    _log(mobile, "SSG-möte", "Hela kommunen", day)
    screenshot(mobile, "journey-03-municipality-logged")
    _logout(mobile)
    assert Activity.objects.count() == 6

    # 4. The police manager sees the new figures, comments and approves.
    login(page, world.manager)
    page.goto(f"/uppfoljning/?promise={world.promise.pk}&tertial=1")
    patrol_row = page.get_by_role("row").filter(has_text=world.patrol_target.title)
    assert "12" in patrol_row.inner_text()
    screenshot(page, "journey-04-manager-dashboard")
    page.get_by_role("link", name=world.patrol_target.title).click()
    page.wait_for_selector("[data-chart='chart-cumulative'][data-rendered='true'] .main-svg")
    page.get_by_label("Analys").fill("En bra start på året.")
    page.get_by_role("button", name="Spara kommentar").click()
    page.get_by_role("link", name="Tillbaka till uppföljningen").click()
    page.get_by_role("button", name="Godkänn för publicering").click()
    assert "väntar på den andra partens godkännande" in page.get_by_role("status").first.inner_text()
    screenshot(page, "journey-05-police-approved")
    _logout(page)

    # 5. The municipality's manager approves: the tertial is published.
    login(page, world.municipal_manager)
    page.goto(f"/uppfoljning/?promise={world.promise.pk}&tertial=1")
    page.get_by_role("button", name="Godkänn för publicering").click()
    assert f"T1 {world.year} är publicerat (version 1)" in page.get_by_role("status").first.inner_text()
    screenshot(page, "journey-06-published")
    _logout(page)

    # 6. The public page now shows the tertial.
    page.goto("/")
    body = page.content()
    assert f"Uppföljning januari–april {world.year}, publicerad" in body
    assert "En bra start på året." in body
    screenshot(page, "journey-07-public-after")
    publication = Publication.objects.get()
    patrol = next(t for t in publication.snapshot["targets"] if t["id"] == world.patrol_target.pk)
    ssg_target = Target.objects.get(activity_type=ssg)
    assert patrol["outcome"] == 12
    assert next(t for t in publication.snapshot["targets"] if t["id"] == ssg_target.pk)["outcome"] == 1
    assert errors == []
    phone.close()
    desktop.close()
