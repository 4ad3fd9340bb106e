"""The area page, the open-data page and the embed pages in a real browser, and the embed
inside an iframe on another origin: shown when that origin is configured, refused when not."""

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.browser.conftest import axe_violations, format_violations, screenshot
from tests.browser.test_public import YEAR, _published_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    f"/jonkoping/{YEAR}/omrade/raslatt/",
    f"/jonkoping/{YEAR}/omrade/oxnehaga/",
    "/jonkoping/oppna-data/",
    f"/jonkoping/inbaddning/{YEAR}/",
]
PAGES.append(f"/jonkoping/inbaddning/{YEAR}/omrade/oxnehaga/")


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("path", PAGES)
def test_new_public_pages_have_no_axe_violations(browser, live_server, path, width):
    _published_world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": 800})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: msg.type == "error" and errors.append(msg.text))
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "sv"
    violations = axe_violations(page)
    assert violations == [], format_violations(violations)
    assert errors == []
    context.close()


def test_new_public_pages_at_320_px_have_no_horizontal_scroll(browser, live_server):
    _published_world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 320, "height": 800})
    page = context.new_page()
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
        screenshot(page, "public" + path.strip("/").replace("/", "-") + "-320px")
    context.close()


def test_area_page_is_linked_from_the_overview(page):
    _published_world()
    page.goto("/")
    page.get_by_role("link", name="Öxnehaga").click()
    page.wait_for_url(f"**/{YEAR}/omrade/oxnehaga/")
    assert page.get_by_role("heading", level=1).inner_text() == "Öxnehaga"
    assert page.get_by_text("Varav i Öxnehaga (områdets del)").count() >= 1


@pytest.fixture
def partner_site(tmp_path, live_server):
    """A page on another origin (another port) that frames our embed page, as polisen.se would."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Partner</title>'
        '<link rel="icon" href="data:,"></head><body>'
        f'<iframe src="{live_server.url}/inbaddning/{YEAR}/" title="Medborgarlöftet" width="100%" height="600">'
        "</iframe></body></html>",
        encoding="utf-8",
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _framed_page(page, partner_site: str):
    """The partner's iframe after loading: our embed page, or the browser's error page if refused."""
    page.goto(partner_site + "/index.html")
    page.wait_for_load_state("networkidle")
    return next(f for f in page.frames if f != page.main_frame)


def _shows_embed(frame) -> bool:
    return frame.url.endswith(f"/jonkoping/inbaddning/{YEAR}/") and frame.locator("body.embed h1").count() == 1


def test_embed_is_shown_inside_an_iframe_on_a_configured_origin(page, settings, partner_site):
    settings.EMBED_ALLOWED_ORIGINS = [partner_site]
    _published_world()
    frame = _framed_page(page, partner_site)
    assert _shows_embed(frame)
    assert frame.locator("h1").inner_text() == "Medborgarlöfte 2022"
    screenshot(page, "embed-in-partner-page")
    assert page.probe.errors == []


def test_embed_is_refused_inside_an_iframe_on_another_origin(page, settings, partner_site):
    settings.EMBED_ALLOWED_ORIGINS = ["https://polisen.se"]
    _published_world()
    assert not _shows_embed(_framed_page(page, partner_site))
    assert any("frame-ancestors" in error for error in page.probe.errors), page.probe.errors


def test_embed_is_refused_everywhere_when_no_origin_is_configured(page, settings, partner_site):
    settings.EMBED_ALLOWED_ORIGINS = []
    _published_world()
    assert not _shows_embed(_framed_page(page, partner_site))
    assert any("frame-ancestors" in error for error in page.probe.errors), page.probe.errors


def test_area_page_on_a_phone_puts_each_figure_under_its_name(browser, live_server):
    # Beside a long name, "31 av 35 veckor" was squeezed into a column a word wide.
    _published_world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 390, "height": 800})
    page = context.new_page()
    page.goto(f"/jonkoping/{YEAR}/omrade/raslatt/")
    pairs = page.evaluate(
        """() => [...document.querySelectorAll('.area-figures dd')].map(dd => {
            const dt = dd.previousElementSibling.getBoundingClientRect(), box = dd.getBoundingClientRect();
            return [Math.round(box.left - dt.left), box.top >= dt.bottom - 1];
        })"""
    )
    context.close()
    assert pairs
    assert all(left == 0 and below for left, below in pairs), pairs
