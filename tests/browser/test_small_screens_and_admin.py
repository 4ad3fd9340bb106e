"""Every page at 320 CSS px without sideways page scroll; the admin's pages by axe-core."""

import re
from datetime import date

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.test import Client

from followup.services import target_comment_save, tertial_approve
from promises import roles
from promises.models import AuditEvent, Target
from promises.periods import Tertial
from tests.browser.conftest import AXE, _require, axe_violations, format_violations
from tests.factories import ActivityFactory, TargetFactory, UserFactory, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

YEAR = 2022
LONG_NOTE = "Kontroll vid torget " * 12 + "Tillgänglighetsredogörelsesammanfattningsdokumentet"


def _world() -> tuple[World, dict]:
    cache.clear()
    world = World(year=YEAR)
    share = TargetFactory(
        commitment=world.drugs_target.commitment,
        kind=Target.Kind.SHARE,
        count=None,
        share_percent=20,
        parent=world.drugs_target,
        activity_type=world.drugs,
        areas=[world.raslatt],
        title="Andel förstagångsanvändare",
    )
    qualitative = TargetFactory(
        commitment=world.patrol_target.commitment,
        kind=Target.Kind.QUALITATIVE,
        count=None,
        activity_type=None,
        title="Formella möten",
    )
    for month in range(1, 5):
        for activity_type, quantity in ((world.patrol, 30), (world.traffic, 12), (world.drugs, 3), (world.report, 1)):
            ActivityFactory(
                promise=world.promise,
                activity_type=activity_type,
                area=world.raslatt,
                date=date(YEAR, month, 3),
                quantity=quantity,
                created_by=world.officer,
                first_time_user=(month % 2 == 0) if activity_type == world.drugs else None,
                duration_minutes=30 if activity_type == world.traffic else None,
            )
    entry = ActivityFactory(
        promise=world.promise,
        activity_type=world.measure,
        area=world.raslatt,
        date=date(YEAR, 2, 10),
        created_by=world.officer,
        description=LONG_NOTE,
        note=LONG_NOTE,
    )
    entry.quantity = 2
    entry.save()
    target_comment_save(
        target=world.patrol_target, tertial=1, user=world.manager, analysis=LONG_NOTE, measures=LONG_NOTE
    )
    # A qualitative target needs a status or a comment before the tertial can be approved.
    target_comment_save(
        target=qualitative, tertial=1, user=world.manager, analysis="", measures="", manual_status="on_track"
    )
    for user in (world.manager, world.municipal_manager):
        tertial_approve(promise=world.promise, tertial=Tertial(YEAR, 1), user=user)
    admin = UserFactory(username="administratör", organisation=None, is_staff=True)
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, username=world.officer.username, ip_address="127.0.0.1")
    return world, {
        "entry": entry,
        "share": share,
        "qualitative": qualitative,
        "admin": admin,
    }


def _log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def _pages(world: World, extra: dict) -> dict[str, list[str]]:
    entry = extra["entry"]
    promise = world.promise.pk
    return {
        "public": ["/", f"/jonkoping/{YEAR}/", "/tillganglighet/", "/konto/logga-in/", "/finns-inte/"],
        "staff": [
            "/start/",
            *[f"/registrera/{t.code}/" for t in (world.patrol, world.traffic, world.drugs, world.measure)],
            "/registreringar/",
            f"/registreringar/{entry.pk}/andra/",
            f"/registreringar/{entry.pk}/ta-bort/",
            f"/registreringar/{entry.pk}/sparad/",
            "/import/",
        ],
        "manager": [
            f"/uppfoljning/?promise={promise}&tertial=1",
            *[
                f"/uppfoljning/mal/{t.pk}/?tertial=1"
                for t in (world.patrol_target, world.report_target, extra["share"], extra["qualitative"])
            ],
            f"/uppfoljning/{promise}/T1/rapport/",
            f"/registreringar/{entry.pk}/historik/",
            "/registreringar/",
        ],
        "admin": ADMIN_PAGES(world, extra),
    }


def ADMIN_PAGES(world: World, extra: dict) -> list[str]:
    return [
        "/admin/",
        "/admin/promises/promise/",
        f"/admin/promises/promise/{world.promise.pk}/change/",
        "/admin/promises/promise/add/",
        "/admin/promises/target/",
        f"/admin/promises/target/{world.traffic_target.pk}/change/",
        "/admin/promises/target/add/",
        "/admin/promises/activitytype/",
        f"/admin/promises/activitytype/{world.patrol.pk}/change/",
        "/admin/promises/activitytype/add/",
        "/admin/promises/user/",
        f"/admin/promises/user/{world.officer.pk}/change/",
        "/admin/promises/user/add/",
        "/admin/promises/auditevent/",
        f"/admin/promises/auditevent/{AuditEvent.objects.first().pk}/change/",
    ]


SIDEWAYS = """() => {
    const root = document.scrollingElement;
    const wide = [];
    if (root.scrollWidth > root.clientWidth) {
        for (const el of document.body.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.right > root.clientWidth + 1 && !el.closest('.table-wrap, [role=region][tabindex="0"]')) {
                wide.push(el.tagName + '.' + el.className + ' ' + Math.round(r.right) + ': ' + (el.textContent || '').trim().slice(0, 40));
            }
        }
    }
    return {scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide.slice(0, 5)};
}"""


def test_no_page_scrolls_sideways_at_320_px(browser, live_server):
    world, extra = _world()
    users = {"public": None, "staff": world.officer, "manager": world.manager, "admin": extra["admin"]}
    problems = {}
    for audience, paths in _pages(world, extra).items():
        context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 320, "height": 640})
        if users[audience] is not None:
            _log_in(context, live_server, users[audience])
        page = context.new_page()
        for path in paths:
            response = page.goto(path)
            assert response.status < 500, path
            page.wait_for_load_state("networkidle")
            result = page.evaluate(SIDEWAYS)
            if result["scrollWidth"] > result["clientWidth"]:
                problems[f"{audience} {path}"] = result
        context.close()
    assert problems == {}


def test_admin_pages_have_no_critical_or_serious_axe_violations(browser, live_server):
    _require(AXE, "npm ci installs axe-core")
    world, extra = _world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE")
    _log_in(context, live_server, extra["admin"])
    page = context.new_page()
    found = {}
    for path in ADMIN_PAGES(world, extra):
        response = page.goto(path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        violations = [v for v in axe_violations(page) if v["impact"] in ("critical", "serious")]
        if violations:
            found[path] = violations
    context.close()
    assert found == {}, format_violations(found)


@pytest.mark.parametrize("width", [320, 1280])
def test_dashboard_shows_the_whole_comment(browser, live_server, width):
    world, _ = _world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": width, "height": 800})
    _log_in(context, live_server, world.manager)
    page = context.new_page()
    page.goto(f"/uppfoljning/?promise={world.promise.pk}&tertial=1")
    table = page.locator(".followup-table")
    wrap = page.locator(".followup-table").locator("xpath=..")
    sizes = wrap.evaluate("el => [el.scrollWidth, el.clientWidth]")
    comment = table.locator("td.col-comment").first
    box, wrap_box = comment.bounding_box(), wrap.bounding_box()
    # The cells of the first target from top to bottom (on a phone) or left to right.
    order = page.evaluate(
        """() => [...document.querySelector('.followup-table tbody tr:not(.group-row)').querySelectorAll('td')]
            .map(td => [td.getBoundingClientRect().top, td.getBoundingClientRect().left, td.className])
            .sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(cell => cell[2].replace('num ', ''))"""
    )
    widths = page.evaluate(
        """() => [...document.querySelectorAll('.followup-table thead th')].map(th => th.className + ' ' + Math.round(th.getBoundingClientRect().width))"""
    )
    context.close()
    assert sizes[0] <= sizes[1], f"{sizes} {widths}"
    assert box["x"] + box["width"] <= wrap_box["x"] + wrap_box["width"] + 1
    if width == 320:
        assert order[:3] == ["col-title", "col-status", "col-commitment"], order
    else:
        assert order[:2] == ["col-commitment", "col-title"], order


def test_on_a_phone_each_entry_is_a_card_with_its_actions_in_view(browser, live_server):
    world, _ = _world()
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 320, "height": 800})
    # A manager: T1 is published, so the officer's own entries say they are locked instead.
    _log_in(context, live_server, world.manager)
    page = context.new_page()
    page.goto("/registreringar/")
    row = page.locator(".activity-table tbody tr").first
    change = row.get_by_role("link", name=re.compile("^Ändra"))
    box, date_box = change.bounding_box(), row.locator("td.col-date").bounding_box()
    label = row.locator("td.col-area").evaluate("td => getComputedStyle(td, '::before').content")
    # The header is a bar of sort links above the cards, seen by whoever reaches them.
    sort = page.locator(".activity-table thead").get_by_role("link", name=re.compile("^Datum")).bounding_box()
    # What an entry's type does not have is left off its card, not shown as "Minuter: —".
    empty = page.locator('.activity-table td[data-empty="true"]')
    empty_shown = [empty.nth(i).is_visible() for i in range(empty.count())]
    context.close()
    assert empty_shown, "no entry without minutes or a note?"
    assert not any(empty_shown)
    assert sort["width"] > 10, sort
    assert sort["x"] + sort["width"] <= 320, sort
    assert box["x"] >= 0, box
    assert box["x"] + box["width"] <= 320, box  # on the card, not off to the right
    assert box["y"] > date_box["y"]  # below the date: the cells stack
    assert label == '"Område: "'


def test_a_managers_header_is_one_row_at_1280_px(browser, live_server):
    # Seven links and "English" wrapped the language link onto a row of its own.
    world = World(year=YEAR)
    context = browser.new_context(base_url=live_server.url, locale="sv-SE", viewport={"width": 1280, "height": 800})
    _log_in(context, live_server, world.manager)
    page = context.new_page()
    page.goto("/start/")
    first = page.locator(".nav-list li").first.bounding_box()
    english = page.get_by_role("link", name="English").bounding_box()
    log_out = page.get_by_role("button", name="Logga ut").bounding_box()
    context.close()
    assert abs(english["y"] - log_out["y"]) < 8, (english, log_out)
    assert abs(first["y"] - log_out["y"]) < 8, (first, log_out)
