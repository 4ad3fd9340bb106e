"""The public report in a real browser: accessible on screen, and printed (Chromium's own print
to PDF, through the print stylesheet) with the cover and each section on pages of their own;
and the downloads on the open-data page, opened as a reader would open them."""

import csv
import io
from pathlib import Path

import pytest
from django.core.cache import cache
from pypdf import PdfReader

from tests.browser.conftest import axe_violations, format_violations, screenshot
from tests.followup.test_report import YEAR
from tests.followup.test_report import _published_world as _report_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORT = f"/jonkoping/{YEAR}/rapport/1/"
SECTIONS = ("Polisiärt arbete", "Trygghetsskapande arbete")


@pytest.mark.parametrize("width", [1280, 390])
def test_report_page_has_no_axe_violations(browser, live_server, width):
    cache.clear()
    _report_world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(REPORT)
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert errors == []
    screenshot(page, f"public-report-{width}px")
    context.close()


def test_report_page_at_320_px_scrolls_only_inside_its_table_regions(browser, live_server):
    cache.clear()
    _report_world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(REPORT)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


def test_printed_report_puts_each_section_on_its_own_page(browser, live_server):
    cache.clear()
    _report_world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    page = context.new_page()
    page.goto(REPORT)
    page.wait_for_load_state("networkidle")
    pdf = page.pdf(prefer_css_page_size=True)  # Chromium prints with the print stylesheet
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages]
    assert "januari–april 2022" in pages[0]
    assert not any(f"{title}: mål och utfall" in pages[0] for title in SECTIONS)  # the cover alone
    first = [index for index, text in enumerate(pages) if "Polisiärt arbete: mål och utfall" in text]
    second = [index for index, text in enumerate(pages) if "Trygghetsskapande arbete: mål och utfall" in text]
    assert len(first) == len(second) == 1
    assert 0 < first[0] < second[0]
    assert "Trygghetsskapande" not in pages[first[0]]
    assert "Polisiärt arbete" not in pages[second[0]]
    assert "Logga in" not in "\n".join(pages)  # no site header on paper
    context.close()


def _download(page, href: str) -> bytes:
    with page.expect_download() as info:
        page.locator(f'a[href="{href}"]').click()
    return Path(info.value.path()).read_bytes()


def test_open_data_downloads_open_as_swedish_excel_and_as_a_pdf(page):
    cache.clear()
    world = _report_world()
    page.goto("/jonkoping/oppna-data/")
    raw = _download(page, f"/jonkoping/oppna-data/{YEAR}/tertial-1.csv")
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads å, ä, ö right
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    patrol = next(r for r in rows if r["Mål"] == "Fotpatrullering Råslätt")
    assert (patrol["Hittills i år"], patrol["Status"], patrol["Analys"]) == ("200", "Efter", "Bra takt.")
    drugs = next(r for r in rows if r["Mål"] == world.drugs_target.title)
    assert drugs["Förväntat"] == "17"  # 52 × 120/365 = 17.1, in whole offences as on every page
    pdf = PdfReader(io.BytesIO(_download(page, f"/jonkoping/{YEAR}/rapport/1/pdf/")))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "200 av 800" in text
    assert "Bra takt." in text
