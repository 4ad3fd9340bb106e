"""The public pages in a real browser: WCAG 2.1 AA by axe-core, keyboard only, small screens."""

from datetime import date

import pytest
from django.core.cache import cache

from followup.services import target_comment_save, tertial_approve
from promises.periods import Tertial
from tests.browser.conftest import axe_violations, format_violations, screenshot
from tests.factories import ActivityFactory, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2022


def _published_world() -> World:
    cache.clear()
    world = World(year=YEAR)
    world.patrol.is_sensitive = True
    world.patrol.save()
    for activity_type, quantity in ((world.patrol, 2), (world.traffic, 60), (world.drugs, 9)):
        ActivityFactory(
            promise=world.promise,
            activity_type=activity_type,
            area=world.raslatt,
            date=date(YEAR, 2, 1),
            quantity=quantity,
            created_by=world.officer,
            first_time_user=True if activity_type == world.drugs else None,
        )
    target_comment_save(
        target=world.traffic_target, tertial=1, user=world.manager, analysis="Kontrollerna ligger i fas.", measures=""
    )
    for user in (world.manager, world.municipal_manager):
        tertial_approve(promise=world.promise, tertial=Tertial(YEAR, 1), user=user)
    return world


@pytest.mark.parametrize("path", ["/", f"/jonkoping/{YEAR}/", "/tillganglighet/", "/konto/logga-in/"])
def test_public_pages_have_no_axe_violations(page, path):
    _published_world()
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "sv"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert page.probe.errors == []


@pytest.mark.parametrize("width", [390, 1280])
def test_national_index_has_no_axe_violations_and_fits_a_phone(page, settings, width):
    settings.PUBLIC_DEFAULT_MUNICIPALITY = ""
    _published_world()
    World(year=YEAR, municipality="Växjö")  # signed, nothing published: not listed
    page.set_viewport_size({"width": width, "height": 800})
    page.goto("/?lan=J%C3%B6nk%C3%B6pings+l%C3%A4n")
    page.wait_for_load_state("networkidle")
    assert page.locator(".municipality-list > li").count() == 1
    assert page.locator("#id_lan").input_value() == "Jönköpings län"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    page.get_by_role("link", name="Jönköping", exact=True).click()
    page.wait_for_url("**/jonkoping/")
    assert page.probe.errors == []


def test_public_page_charts_render_under_the_csp(page):
    _published_world()
    page.goto("/")
    page.wait_for_selector("[data-chart][data-rendered='true'] .main-svg")
    screenshot(page, "public-page")
    assert page.probe.errors == []


def test_public_page_by_keyboard_alone(page):
    _published_world()
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.evaluate("document.activeElement.textContent.trim()")
    assert skip == "Hoppa till huvudinnehållet"
    # The skip link is visible when focused.
    assert page.evaluate("document.activeElement.getBoundingClientRect().left >= 0")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Tab reaches every link and button of the page, each with a visible focus outline.
    reached = set()
    focusable = page.evaluate("document.querySelectorAll('a[href], button, input:not([type=hidden])').length")
    for _ in range(focusable + 5):
        page.keyboard.press("Tab")
        info = page.evaluate(
            """() => { const e = document.activeElement; const s = getComputedStyle(e);
                 return [e.tagName, e.getAttribute('href') || e.textContent.trim(), s.outlineStyle, s.outlineWidth]; }"""
        )
        if info[0] == "BODY":  # focus has left the page for the browser's own controls
            continue
        reached.add(f"{info[0]}:{info[1]}")
        assert info[2] != "none", info
        assert info[3] != "0px", info
    assert "A:/jonkoping/oppna-data/" in reached
    assert "A:/jonkoping/2022/" in reached
    page.keyboard.press("Shift+Tab")
    assert page.probe.errors == []


@pytest.mark.parametrize(("width", "zoom"), [(320, 1), (1280, 2)])
def test_public_page_at_320_px_and_200_percent_zoom_has_no_horizontal_scroll(browser, live_server, width, zoom):
    _published_world()
    context = browser.new_context(
        base_url=live_server.url,
        locale="sv-SE",
        viewport={"width": width // zoom, "height": 800},
        device_scale_factor=zoom,
    )
    page = context.new_page()
    for path in ("/", f"/jonkoping/{YEAR}/"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    screenshot(page, f"public-year-{width}px-zoom{zoom}")
    context.close()


def test_public_small_sensitive_number_is_not_shown(page):
    _published_world()
    page.goto("/")
    assert "färre än 3" in page.content()
