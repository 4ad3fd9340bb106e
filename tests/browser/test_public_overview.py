"""The public overview in a real browser: first on the page, axe-clean at 1280 and 390 px, its
status links land on the legend, and the bars carry their markers and sentences."""

from datetime import date

import pytest
from django.core.cache import cache

from followup.services import tertial_approve
from promises.models import Target
from promises.periods import Tertial
from tests.browser.conftest import axe_violations, format_violations, screenshot
from tests.factories import ActivityFactory, TargetFactory, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2022


def _published_t2() -> World:
    cache.clear()
    world = World(year=YEAR)
    TargetFactory(
        commitment=world.drugs_target.commitment,
        kind=Target.Kind.SHARE,
        count=None,
        parent=world.drugs_target,
        share_percent=20,
        activity_type=world.drugs,
        areas=[world.raslatt],
    )
    for activity_type, quantity, first_time in (
        (world.patrol, 480, None),
        (world.drugs, 40, None),
        (world.drugs, 9, True),
    ):
        ActivityFactory(
            promise=world.promise,
            activity_type=activity_type,
            area=world.raslatt,
            date=date(YEAR, 3, 1),
            quantity=quantity,
            created_by=world.officer,
            first_time_user=first_time,
        )
    for week in range(1, 35):
        for area in (world.raslatt, world.oxnehaga):
            ActivityFactory(
                promise=world.promise,
                activity_type=world.report,
                area=area,
                date=date.fromisocalendar(YEAR, week, 1),
                created_by=world.clerk,
            )
    for tertial in (1, 2):
        for user in (world.manager, world.municipal_manager):
            tertial_approve(promise=world.promise, tertial=Tertial(YEAR, tertial), user=user)
    return world


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", ["/", f"/jonkoping/{YEAR}/"])
def test_overview_first_and_no_axe_violations(browser, live_server, width, path):
    _published_t2()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    # The overview is the first thing under the promise's sentence, within the first screen.
    overview = page.locator("#overview-heading")
    assert overview.bounding_box()["y"] < 900
    assert "Uppföljning januari–augusti 2022, publicerad" in page.locator(".overview-period").inner_text()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(page, f"public-overview-{path.strip('/') or 'index'}-{width}")
    assert errors == []
    context.close()


def test_status_link_lands_on_its_sentence_in_the_legend(page):
    _published_t2()
    page.goto("/")
    page.locator(".overview .status-link").first.click()
    target = page.evaluate("location.hash")
    assert target.startswith("#status-legend-")
    legend_entry = page.locator(target)
    assert legend_entry.is_visible()
    assert legend_entry.evaluate("e => e.getBoundingClientRect().top") < 200


def test_bars_have_their_markers_and_sentences(page):
    _published_t2()
    page.goto("/")
    page.wait_for_selector("[data-chart][data-rendered='true'] .main-svg")
    assert page.get_by_text("Väntat vid den här tiden: 533 · Hittills: 480 · Årets mål: 800").is_visible()
    assert page.get_by_text("18,4 % hittills i år, målet är minst 20 %").is_visible()
    # In the plotly chart: the expected-by-now markers and the line at the year's target.
    assert page.locator(".chart .scatterlayer .point").count() >= 1
    assert page.locator(".chart .shapelayer path").count() >= 1
    assert page.locator(".chart .legendtext", has_text="Väntat vid den här tiden").count() >= 1
    assert page.probe.errors == []
