from datetime import date

import pytest

from followup.models import Publication, TargetComment
from followup.plotly_css import CSS_FILE, MAPLIBRE_CSS_FILE, TEMPLATE_FILE, extract_plotly_styles
from followup.services import tertial_approve
from promises.periods import Tertial
from tests.browser.conftest import login, screenshot
from tests.factories import ActivityFactory, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2022


def test_manager_sees_a_chart_comments_and_publishes(page):
    world = World(year=YEAR)
    for month in (1, 2, 3, 4):
        ActivityFactory(
            promise=world.promise,
            activity_type=world.patrol,
            area=world.raslatt,
            date=date(YEAR, month, 10),
            quantity=40,
            created_by=world.officer,
        )
    login(page, world.manager)
    page.goto(f"/uppfoljning/?promise={world.promise.pk}&tertial=1")
    screenshot(page, "manager-dashboard")
    page.get_by_role("link", name=world.patrol_target.title).click()
    page.wait_for_selector("[data-chart='chart-cumulative'][data-rendered='true'] .main-svg")
    screenshot(page, "manager-target-chart")
    page.get_by_label("Analys").fill("Stabil takt, något under förväntat.")
    page.get_by_role("button", name="Spara kommentar").click()
    assert page.get_by_role("status").first.inner_text().strip() == "Kommentaren sparades."
    # The municipality's manager approves the commented figures; the police manager completes it.
    tertial_approve(promise=world.promise, tertial=Tertial(YEAR, 1), user=world.municipal_manager)
    page.get_by_role("link", name="Tillbaka till uppföljningen").click()
    page.get_by_role("button", name="Godkänn för publicering").click()
    assert "T1 2022 är publicerat (version 1)" in page.get_by_role("status").first.inner_text()
    screenshot(page, "manager-published")
    publication = Publication.objects.get()
    patrol = next(t for t in publication.snapshot["targets"] if t["id"] == world.patrol_target.pk)
    assert (patrol["outcome"], patrol["analysis"]) == (160, "Stabil takt, något under förväntat.")
    assert TargetComment.objects.get().updated_by == world.manager
    assert page.probe.errors == []


def test_plotly_styles_match_the_pinned_plotly(browser):
    """The committed stylesheets are what the pinned plotly.js would inject (run
    `manage.py build_plotly_css` after upgrading plotly)."""
    styles = extract_plotly_styles(browser)
    assert CSS_FILE.read_text(encoding="utf-8") == styles.css
    assert MAPLIBRE_CSS_FILE.read_text(encoding="utf-8") == styles.maplibre_css
    assert TEMPLATE_FILE.read_text(encoding="utf-8") == styles.template
