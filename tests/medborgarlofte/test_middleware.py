"""The language comes from the address alone: Swedish at the plain address, English under /en/."""

import pytest
from django.urls import reverse

from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("accept_language", ["en-GB,en;q=0.9", "en-US", "sv", ""])
def test_the_plain_address_is_swedish_whatever_the_browser_says(client, accept_language):
    World(year=2022)
    response = client.get("/", headers={"Accept-Language": accept_language})
    body = response.content.decode()
    assert '<html lang="sv">' in body
    assert response.headers["Content-Language"] == "sv"
    assert "Accept-Language" not in response.headers.get("Vary", "")


@pytest.mark.parametrize("accept_language", ["sv-SE,sv;q=0.9", "de", ""])
def test_en_is_english_whatever_the_browser_says(client, accept_language):
    World(year=2022)
    response = client.get("/en/", headers={"Accept-Language": accept_language})
    body = response.content.decode()
    assert '<html lang="en">' in body
    assert "Citizen promises" in body
    assert response.headers["Content-Language"] == "en"


def test_a_language_cookie_from_before_changes_nothing(client):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("login"))
    assert "<h1>Logga in</h1>" in response.content.decode()


def test_links_on_an_english_page_stay_english(client):
    World(year=2022)
    body = client.get("/en/jonkoping/2022/").content.decode()
    assert 'href="/en/jonkoping/oppna-data/"' in body
    assert 'href="/en/konto/logga-in/"' in body


def test_staff_pages_are_english_under_en_and_keep_their_csrf_token(client):
    world = World(year=2022)
    client.force_login(world.officer)
    url = reverse("activity_log", args=["fotpatrull"])
    response = client.get("/en" + url)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert "csrftoken" in response.cookies
    swedish = client.get(url).content.decode()
    assert '<html lang="sv">' in swedish


def test_login_under_en_leads_to_the_english_start_page(client):
    world = World(year=2022)
    login = client.get("/en/konto/logga-in/")
    assert "csrftoken" in login.cookies  # the login form is a form: it still gets its token
    response = client.post("/en/konto/logga-in/", {"username": world.officer.username, "password": "x"})
    assert response.status_code == 200  # a wrong password: the form again, in English
    assert "<h1>Log in</h1>" in response.content.decode()


def test_a_swedish_prefix_is_not_an_address(client):
    assert client.get("/sv/").status_code == 404


def test_a_buttons_address_opened_by_hand_is_a_swedish_page_not_a_blank(client):
    world = World(year=2022)
    client.force_login(world.manager)
    response = client.get(reverse("followup:approve", args=[world.promise.pk, 1]))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    body = response.content.decode()
    assert "<h1>Inte en sida</h1>" in body
    assert f'href="{reverse("home")}"' in body
    # The page gets the headers every page has.
    assert "default-src" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_a_405_of_the_api_keeps_its_json(client):
    World(year=2022)
    response = client.post(reverse("api:promises"))
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
