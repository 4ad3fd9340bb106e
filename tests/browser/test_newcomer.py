"""A newcomer's first minutes on a freshly set-up database (migrate, load_promise, seed_demo):
police staff log a foot patrol dated today and it is counted on the running tertial's
dashboard, which the manager reaches from the header."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from followup.selectors import followup_rows
from promises.demo import DEMO_PASSWORD
from promises.models import Promise, User
from promises.periods import Tertial
from tests.browser.conftest import axe_violations, format_violations, login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"


def _patrols_raslatt(promise: Promise, tertial: Tertial) -> int:
    rows = followup_rows(promise=promise, tertial=tertial)
    return next(row.result.outcome for row in rows if row.target.key == "fotpatrull-raslatt")


def _nav(page):
    return page.get_by_role("navigation", name="Huvudmeny")


def test_newcomer_logs_a_foot_patrol_today_and_the_manager_sees_it(browser, live_server):
    cache.clear()
    call_command("load_promise", str(SEED_FILE), verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    today = timezone.localdate()
    running = Promise.objects.get(year=today.year)
    tertial = Tertial.of(today)
    before = _patrols_raslatt(running, tertial)

    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 320, "height": 640})
    errors: list[str] = []
    context.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page = context.new_page()

    # Police staff, on a phone 320 px wide: the header wraps, nothing scrolls sideways.
    login(page, User.objects.get(username="polis"), password=DEMO_PASSWORD)
    assert _nav(page).get_by_role("link", name="Min startsida").get_attribute("aria-current") == "page"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "newcomer-01-police-start")
    _nav(page).get_by_role("link", name="Registrera").click()
    page.get_by_role("link", name="Fotpatrullering", exact=True).click()
    assert _nav(page).get_by_role("link", name="Registrera").get_attribute("aria-current") == "page"
    page.get_by_label("Område").select_option(label="Råslätt")
    assert page.get_by_label("Datum").input_value() == today.isoformat()
    page.get_by_label("Antal").fill("3")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Sparat: Fotpatrullering")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    screenshot(page, "newcomer-02-police-saved")
    assert _nav(page).get_by_role("link", name="Uppföljning").count() == 0
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/")

    # The manager: the start page leads with the running tertial; the header leads to the dashboard.
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, User.objects.get(username="chef.polis"), password=DEMO_PASSWORD)
    overview = page.locator("section[aria-labelledby=followup-heading]")
    assert overview.get_by_role("heading", level=3).first.inner_text().startswith(tertial.label)
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    screenshot(page, "newcomer-03-manager-start")
    _nav(page).get_by_role("link", name="Uppföljning").click()
    page.wait_for_url("**/uppfoljning/**")
    assert _nav(page).get_by_role("link", name="Uppföljning").get_attribute("aria-current") == "page"
    row = page.get_by_role("row").filter(has_text="Fotpatrullering Råslätt").first
    assert _patrols_raslatt(running, tertial) == before + 3
    assert str(before + 3) in row.inner_text()
    screenshot(page, "newcomer-04-manager-dashboard")
    assert errors == []
    context.close()
