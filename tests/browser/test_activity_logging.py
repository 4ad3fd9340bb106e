import pytest
from playwright.sync_api import expect

from promises.models import Activity
from tests.browser.conftest import axe_violations, format_violations, login, screenshot
from tests.factories import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_log_a_patrol_on_a_phone_and_see_it_in_their_list(phone_page):
    world = World()
    page = phone_page
    login(page, world.officer)
    page.get_by_role("link", name="Fotpatrullering").click()
    page.get_by_label("Område").select_option(label="Råslätt")
    page.get_by_label("Antal").fill("3")
    screenshot(page, "staff-log-patrol-form-phone")
    page.get_by_role("button", name="Spara").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sparat: Fotpatrullering, Råslätt"
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Mina registreringar").click()
    row = page.locator("tbody tr").first
    assert "Fotpatrullering" in row.inner_text()
    assert "Råslätt" in row.inner_text()
    screenshot(page, "staff-list-phone")
    assert Activity.objects.get().quantity == 3
    assert page.probe.errors == []


def test_staff_log_form_error_is_announced_next_to_the_field(phone_page):
    world = World()
    page = phone_page
    login(page, world.officer)
    page.goto("/registrera/trafikkontroll/")
    page.get_by_label("Område").select_option(label="Råslätt")
    page.get_by_label("Varaktighet (minuter)").fill("10")
    page.get_by_role("button", name="Spara").click()
    field = page.get_by_label("Varaktighet (minuter)")
    assert field.get_attribute("aria-invalid") == "true"
    assert "räknas inte" in page.locator("#id_duration_minutes_error").inner_text()
    assert field.input_value() == "10"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert Activity.objects.count() == 0


def test_staff_log_form_shows_every_mistake_at_once_and_focuses_the_summary(page):
    world = World()
    login(page, world.officer)
    page.goto("/registrera/trafikkontroll/")
    page.get_by_label("Varaktighet (minuter)").fill("10")
    page.get_by_role("button", name="Spara").click()
    summary = page.locator(".error-summary")
    assert summary.count() == 1
    assert summary.locator("li").count() == 2
    # The script is deferred: wait for it rather than race it (fails after the timeout if it never focuses).
    expect(page.locator("#error-summary")).to_be_focused(timeout=5000)
    assert page.get_by_label("Område").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Varaktighet (minuter)").get_attribute("aria-invalid") == "true"
    assert Activity.objects.count() == 0
    assert page.probe.errors == []


def test_refused_login_marks_the_fields_and_focuses_the_summary(page):
    world = World()
    page.goto("/konto/logga-in/")
    page.get_by_label("Användarnamn").fill(world.officer.username)
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    # The script is deferred: wait for it rather than race it (fails after the timeout if it never focuses).
    expect(page.locator("#error-summary")).to_be_focused(timeout=5000)
    for label in ("Användarnamn", "Lösenord"):
        field = page.get_by_label(label)
        assert field.get_attribute("aria-invalid") == "true"
        assert field.get_attribute("aria-describedby") == "error-summary"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert page.probe.errors == []


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_import_errors_grouped_by_reason_are_accessible_and_fit_the_screen(browser, live_server, width):
    world = World()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": 800})
    page = context.new_page()
    login(page, world.officer)
    day = world.today.isoformat()
    lines = ["datum;aktivitet;område;antal;förstagångsanvändare;varaktighet_min;beskrivning;anteckning"]
    lines += [f"{day};Fotpatrullering;Gränna;1;;;;" for _ in range(30)] + [f"{day};Fotpatrulering;Råslätt;0;;;;"]
    page.goto("/import/")
    page.get_by_label("Fil (CSV eller Excel)").set_input_files(
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": "\r\n".join(lines).encode("utf-8-sig")}]
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    expect(page.get_by_text("Okänt område ”Gränna”.")).to_be_visible()
    page.get_by_text("visa alla").click()
    expect(page.get_by_role("link", name="Ladda ner de felaktiga raderna med orsakerna (CSV)")).to_be_visible()
    screenshot(page, f"staff-import-grouped-errors-{width}")
    if width == 320:
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
    else:
        violations = axe_violations(page)
        assert violations == [], format_violations(violations)
    context.close()


def test_import_preview_summary_fits_a_phone_without_scrolling(browser, live_server):
    world = World()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 390, "height": 800})
    page = context.new_page()
    login(page, world.officer)
    day = world.today.isoformat()
    lines = ["datum;aktivitet;område;antal;förstagångsanvändare;varaktighet_min;beskrivning;anteckning"]
    lines += [f"{day};Fotpatrullering;Öxnehaga;12;;;;", f"{day};Narkotikabrott;Råslätt;1;nej;;;"]
    page.goto("/import/")
    page.get_by_label("Fil (CSV eller Excel)").set_input_files(
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": "\r\n".join(lines).encode("utf-8-sig")}]
    )
    page.get_by_role("button", name="Kontrollera filen").click()
    summary = page.locator("table.import-summary")
    expect(summary.get_by_role("columnheader", name="Rader")).to_be_visible()
    # Every column in view: the region around the table has nothing to scroll.
    assert page.evaluate(
        "() => { const wrap = document.querySelector('table.import-summary').parentElement;"
        " return wrap.scrollWidth <= wrap.clientWidth; }"
    )
    context.close()
