"""The year page with an earlier year beside it, on a phone and a desktop, and the API's Swagger
page for developers: WCAG 2.1 AA by axe-core, a language, our header and a way back."""

from datetime import date

import pytest

from followup.services import tertial_approve
from promises.models import Promise
from promises.periods import Tertial
from promises.services import promise_copy
from tests.browser.conftest import axe_violations, format_violations, screenshot
from tests.browser.test_public import YEAR, _published_world
from tests.factories import ActivityFactory, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_an_earlier_year() -> None:
    world = _published_world()
    earlier = promise_copy(promise=world.promise, year=YEAR - 1, status=Promise.Status.ACTIVE)
    earlier.is_demo = True
    earlier.save()
    ActivityFactory(
        promise=earlier,
        activity_type=world.traffic,
        area=world.raslatt,
        date=date(YEAR - 1, 10, 1),
        quantity=187,
        created_by=world.officer,
    )
    for user in (world.manager, world.municipal_manager):
        tertial_approve(promise=earlier, tertial=Tertial(YEAR - 1, 3), user=user)


def _open(browser, live_server, path: str, width: int):
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return context, page, errors


@pytest.mark.parametrize("width", [1280, 390])
def test_year_page_with_an_earlier_year_has_no_axe_violations(browser, live_server, width):
    _with_an_earlier_year()
    context, page, errors = _open(browser, live_server, f"/jonkoping/{YEAR}/", width)
    assert page.get_by_role("heading", name="Jämfört med tidigare år").is_visible()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert errors == []
    screenshot(page, f"public-year-earlier-{width}px")
    context.close()


def test_earlier_years_on_a_phone_are_a_card_per_target_with_each_year_named(browser, live_server):
    # A column per year squeezed "456 / mål: / minst / 800" into a word a line, the earlier
    # year scrolled away.
    _with_an_earlier_year()
    context, page, _errors = _open(browser, live_server, f"/jonkoping/{YEAR}/", 390)
    table = page.locator("table.earlier-table")
    earlier = table.locator(f'td[data-label="{YEAR - 1} (demo)"]').first
    label = earlier.evaluate("td => getComputedStyle(td, '::before').content")
    box = earlier.bounding_box()
    wraps = page.evaluate(
        "() => { const wrap = document.querySelector('table.earlier-table').parentElement;"
        " return wrap.scrollWidth <= wrap.clientWidth; }"
    )
    context.close()
    assert label == f'"{YEAR - 1} (demo): "'
    assert box["x"] + box["width"] <= 390, box
    assert wraps


def test_year_page_on_a_phone_shows_the_outcome_and_the_status_of_every_target(browser, live_server):
    _published_world()
    context, page, _errors = _open(browser, live_server, f"/jonkoping/{YEAR}/", 390)
    table = page.locator("table.year-table").first
    row = table.locator("tbody tr", has_text="Kontrollerna ligger i fas.")
    for label in ("Hittills i år", "Status", "Utfall i tertialet"):
        cell = row.locator(f'td[data-label="{label}"]')
        box = cell.bounding_box()
        assert box is not None, label
        assert cell.is_visible(), label
        assert box["x"] >= 0, label
        assert box["x"] + box["width"] <= 390, label  # on the screen, not scrolled away
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_year_page_table_regions_are_reached_by_keyboard(page):
    _with_an_earlier_year()
    page.goto(f"/jonkoping/{YEAR}/")
    regions = page.locator(".table-wrap")
    assert regions.count() >= 2
    for index in range(regions.count()):
        region = regions.nth(index)
        assert region.get_attribute("tabindex") == "0"
        assert region.get_attribute("role") == "region"
        assert region.get_attribute("aria-label") or region.get_attribute("aria-labelledby")
    # Tab from the top reaches the first table's region.
    for _ in range(60):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('table-wrap')"):
            break
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"


@pytest.mark.parametrize("width", [1280, 390])
def test_swagger_page_has_a_language_our_header_and_no_axe_violations(browser, live_server, width):
    context, page, errors = _open(browser, live_server, "/api/v1/docs/", width)
    page.locator(".opblock").first.wait_for()
    assert page.locator("html").get_attribute("lang") == "en"
    back = page.get_by_role("link", name="Tillbaka till öppna data")
    assert back.get_attribute("href") == "/jonkoping/oppna-data/"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert errors == []
    # An operation opened, with its parameters and responses.
    page.locator(".opblock-summary-control").first.click()
    page.locator(".opblock-body").first.wait_for()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert errors == []
    # Tried out: the request sent, the answer shown.
    page.get_by_role("button", name="Try it out").first.click()
    page.get_by_role("button", name="Execute").first.click()
    page.locator(".live-responses-table").first.wait_for()
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    screenshot(page, f"api-docs-{width}px")
    back.click()
    page.wait_for_url("**/oppna-data/")
    context.close()


def test_open_data_page_links_the_swagger_page(page):
    World(year=YEAR)  # a municipality without a promise has no open-data page
    page.goto("/jonkoping/oppna-data/")
    assert page.locator('a[href="/api/v1/docs/"]').count() >= 1
