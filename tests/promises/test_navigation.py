"""The header shows each role the places it uses, and marks the page the user is on."""

import re

import pytest
from django.urls import reverse

from promises import roles
from tests.factories import ActivityTypeFactory, OrganisationFactory, UserFactory, manager_user, staff_user

pytestmark = pytest.mark.django_db

STAFF_LINKS = ["Min startsida", "Registrera", "Mina registreringar", "Importera", "Mina inställningar"]
NAV = re.compile(r'<nav aria-label="Huvudmeny">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]*)"( aria-current="page")?>([^<]*)</a>')


def _nav(response) -> list[tuple[str, str, bool]]:
    """(label, href, marked current) for each link of the header's menu."""
    menu = NAV.search(response.content.decode()).group(1)
    return [(label, href, bool(current)) for href, current, label in LINK.findall(menu)]


def _labels(response) -> list[str]:
    return [label for label, _href, _current in _nav(response)]


def _current(response) -> list[str]:
    return [label for label, _href, current in _nav(response) if current]


def test_navigation_staff_sees_the_staff_places(client):
    client.force_login(staff_user())
    response = client.get(reverse("home"))
    assert _labels(response) == STAFF_LINKS
    assert _current(response) == ["Min startsida"]


def test_navigation_other_organisations_staff_see_the_same_places(client):
    municipality = OrganisationFactory(short_name="Kommunen")
    client.force_login(UserFactory(organisation=municipality, role=roles.MUNICIPAL_STAFF))
    assert _labels(client.get(reverse("home"))) == STAFF_LINKS


def test_navigation_manager_also_sees_the_followup(client):
    client.force_login(manager_user())
    response = client.get(reverse("followup:dashboard"))
    # A manager's list holds everyone's entries, and says so.
    assert _labels(response) == [
        "Min startsida",
        "Registrera",
        "Alla registreringar",
        "Importera",
        "Uppföljning",
        "Mina inställningar",
    ]
    assert _current(response) == ["Uppföljning"]
    links = {label: href for label, href, _current in _nav(response)}
    assert links["Uppföljning"] == reverse("followup:dashboard")


def test_navigation_administrator_sees_the_administration(client):
    admin = UserFactory(organisation=None, role=roles.ADMINISTRATORS, is_staff=True)
    client.force_login(admin)
    response = client.get(reverse("home"))
    # No organisation: nothing to log or import, but every entry and the follow-up to read.
    assert _labels(response) == [
        "Min startsida",
        "Alla registreringar",
        "Uppföljning",
        "Mina inställningar",
        "Administration",
    ]
    assert {label: href for label, href, _c in _nav(response)}["Administration"] == reverse("admin:index")


def test_navigation_anonymous_sees_only_log_in(client):
    response = client.get(reverse("public:index"))
    assert _labels(response) == ["Logga in"]
    assert _current(response) == []


@pytest.mark.parametrize(
    ("url_name", "args", "current"),
    [
        ("activity_log_choose", [], "Registrera"),
        ("activity_log", ["fotpatrull"], "Registrera"),
        ("activity_list", [], "Mina registreringar"),
        ("activity_import", [], "Importera"),
    ],
)
def test_navigation_marks_the_current_page(client, url_name, args, current):
    user = staff_user()
    ActivityTypeFactory(code="fotpatrull", name="Fotpatrullering", organisations=[user.organisation])
    client.force_login(user)
    response = client.get(reverse(url_name, args=args))
    assert response.status_code == 200
    assert _current(response) == [current]


def test_navigation_public_page_marks_nothing_for_staff(client):
    client.force_login(staff_user())
    response = client.get(reverse("public:index"))
    assert _labels(response) == STAFF_LINKS
    assert _current(response) == []


def test_activity_log_choose_lists_the_types_the_organisation_may_log(client):
    police = OrganisationFactory(short_name="Polisen")
    municipality = OrganisationFactory(short_name="Kommunen")
    ActivityTypeFactory(code="fotpatrull", name="Fotpatrullering", organisations=[police])
    ActivityTypeFactory(code="ssg-mote", name="SSG-möte", organisations=[municipality])
    client.force_login(staff_user(organisation=police))
    response = client.get(reverse("activity_log_choose"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("activity_log", args=["fotpatrull"])}"' in body
    assert "SSG-möte" not in body


def test_activity_log_choose_refuses_a_user_without_organisation(client):
    client.force_login(UserFactory(organisation=None, role=roles.ADMINISTRATORS, is_staff=True))
    assert client.get(reverse("activity_log_choose")).status_code == 403


def test_the_start_page_names_the_list_as_the_navigation_does(client):
    # A manager's start page linked "Mina registreringar" to a list that says "Alla registreringar".
    client.force_login(manager_user())
    body = client.get(reverse("home")).content.decode()
    assert "Mina registreringar" not in body
    assert body.count("Alla registreringar") >= 2  # the navigation and the page
