import pytest

from tests.browser.conftest import axe_violations, format_violations, screenshot
from tests.factories import PASSWORD, staff_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_has_no_axe_violations(page):
    page.goto("/konto/logga-in/")
    assert page.locator("html").get_attribute("lang") == "sv"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert page.probe.errors == []


def test_login_by_keyboard_on_a_phone_lands_on_the_start_page(phone_page):
    user = staff_user(first_name="Kim")
    page = phone_page
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(user.username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/start/")
    assert page.get_by_role("heading", level=1).inner_text() == "Välkommen, Kim"
    screenshot(page, "login-phone-start-page")
    assert page.probe.errors == []
