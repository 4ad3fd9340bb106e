from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from promises.demo import demo_users_create
from promises.loader import promise_load_file
from promises.models import Activity, Area, Promise, Target, User
from tests.factories import ActivityFactory, AreaFactory

pytestmark = pytest.mark.django_db

SEED_FILE = Path(__file__).resolve().parents[2] / "data" / "medborgarlofte-2022-jonkoping.yaml"


@pytest.fixture
def admin_client(client):
    promise_load_file(path=SEED_FILE)
    demo_users_create()
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize(
    "model",
    [
        "promise",
        "section",
        "commitment",
        "target",
        "activity",
        "activitytype",
        "area",
        "organisation",
        "user",
    ],
)
def test_admin_changelist_and_change_pages_render_in_swedish(admin_client, model):
    if model == "activity":
        ActivityFactory()
    response = admin_client.get(reverse(f"admin:promises_{model}_changelist"))
    assert response.status_code == 200
    assert '<html lang="sv"' in response.content.decode()
    instance = apps.get_model("promises", model).objects.order_by("pk").first()
    change = admin_client.get(reverse(f"admin:promises_{model}_change", args=[instance.pk]))
    assert change.status_code == 200
    body = change.content.decode()
    assert '<html lang="sv"' in body
    assert escape(str(instance)) in body


def test_admin_login_lockout_section_is_in_swedish(admin_client):
    # django-axes has no Swedish of its own; our catalogue carries its strings.
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "Inloggningsspärr" in index
    assert "Inloggningsförsök" in index
    assert "Access attempts" not in index
    AccessAttempt.objects.create(
        username="kim", ip_address="192.0.2.1", user_agent="x", http_accept="*/*", path_info="/", failures_since_start=1
    )
    attempts = admin_client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Användarnamn" in attempts
    assert "Rensa utgångna försök" in attempts


def test_admin_activity_and_api_token_pages_have_no_english_labels(admin_client):
    activity = ActivityFactory()
    page = admin_client.get(reverse("admin:promises_activity_change", args=[activity.pk])).content.decode()
    assert "Medborgarlöfte:" in page
    assert "Promise:" not in page
    add = admin_client.get(reverse("admin:promises_apitoken_add")).content.decode()
    assert "Vilket system som använder nyckeln" in add
    assert "A free-form name" not in add


def test_admin_promise_change_page_has_inlines(admin_client):
    promise = Promise.objects.get()
    response = admin_client.get(reverse("admin:promises_promise_change", args=[promise.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Polisiärt arbete" in body
    assert "Håkan Boberg" in body


def test_admin_copy_to_next_year_action(admin_client):
    promise = Promise.objects.get()
    response = admin_client.post(
        reverse("admin:promises_promise_changelist"),
        {"action": "copy_to_next_year", "_selected_action": [promise.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = Promise.objects.get(year=2023)
    assert copy.status == Promise.Status.DRAFT
    assert Target.objects.filter(commitment__section__promise=copy).count() == 16


def test_admin_staff_user_cannot_reach_admin(client):
    promise_load_file(path=SEED_FILE)
    demo_users_create()
    client.force_login(User.objects.get(username="polis"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302


# --- Activities are read-only in the admin: the staff form and its services write them ---------


def test_admin_activity_add_is_refused(admin_client):
    response = admin_client.get(reverse("admin:promises_activity_add"))
    assert response.status_code == 403


def test_admin_activity_change_post_is_refused_and_changes_nothing(admin_client):
    activity = ActivityFactory(quantity=3)
    response = admin_client.post(
        reverse("admin:promises_activity_change", args=[activity.pk]), {"quantity": "999", "date": "2022-03-01"}
    )
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.quantity == 3


def test_admin_activity_delete_is_refused_and_deletes_nothing(admin_client):
    activity = ActivityFactory()
    response = admin_client.post(reverse("admin:promises_activity_delete", args=[activity.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_admin_activity_page_links_to_the_staff_form(admin_client):
    activity = ActivityFactory()
    response = admin_client.get(reverse("admin:promises_activity_change", args=[activity.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{reverse("activity_edit", args=[activity.pk])}"' in body
    assert "Öppna i personalformuläret" in body
    assert 'name="quantity"' not in body


def test_admin_edits_aliases_as_names_separated_by_commas_checked_by_the_service(admin_client):
    AreaFactory(name="Hela Jönköpings kommun", slug="hela", aliases=["Hela kommunen"])
    area = AreaFactory(name="Huskvarna", slug="huskvarna")
    url = reverse("admin:promises_area_change", args=[area.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="aliases"' in page
    data = {"municipality": area.municipality_id, "name": "Huskvarna", "slug": "huskvarna", "description": ""}
    response = admin_client.post(url, {**data, "aliases": "Huskvarna södra, Husqvarna"})
    assert response.status_code == 302
    assert Area.objects.get(pk=area.pk).aliases == ["Huskvarna södra", "Husqvarna"]
    response = admin_client.post(url, {**data, "aliases": "hela kommunen"})
    assert response.status_code == 200
    assert "är redan ett namn på Hela Jönköpings kommun" in response.content.decode()
    assert Area.objects.get(pk=area.pk).aliases == ["Huskvarna södra", "Husqvarna"]


def test_admin_creates_an_api_token_and_shows_its_key_once(admin_client):
    from promises.models import ApiToken, AuditEvent, Organisation

    police = Organisation.objects.get(short_name="Polisen")
    response = admin_client.post(
        reverse("admin:promises_apitoken_add"),
        {"name": "RAR", "organisation": police.pk, "expiry_date_0": "", "expiry_date_1": ""},
    )
    assert response.status_code == 200
    token = ApiToken.objects.get()
    body = response.content.decode()
    key = body.split('id="api-token-key"')[1].split('value="')[1].split('"')[0]
    assert key.startswith(f"{token.prefix}.")
    assert token.is_valid(key)
    assert key not in token.hashed_key
    assert "Nyckeln visas här bara den här gången" in body
    assert "no-store" in response["Cache-Control"]
    assert (token.organisation, token.created_by.username) == (police, "admin")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.API_TOKEN_CREATE).count() == 1
    # Afterwards the token's page shows its name and prefix, never the key.
    page = admin_client.get(reverse("admin:promises_apitoken_change", args=[token.pk])).content.decode()
    assert token.prefix in page
    assert key not in page


def test_admin_refuses_an_api_token_expiring_in_the_past(admin_client):
    from promises.models import ApiToken, Organisation

    police = Organisation.objects.get(short_name="Polisen")
    response = admin_client.post(
        reverse("admin:promises_apitoken_add"),
        {"name": "RAR", "organisation": police.pk, "expiry_date_0": "2020-01-01", "expiry_date_1": "12:00:00"},
    )
    assert "Utgångsdatumet måste ligga i framtiden." in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_admin_revokes_api_tokens_through_the_action(admin_client):
    from promises.models import Organisation
    from promises.services import api_token_create

    token, _key = api_token_create(organisation=Organisation.objects.get(short_name="Polisen"), name="RAR")
    response = admin_client.post(
        reverse("admin:promises_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )
    assert "1 API-nyckel återkallades." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked is True


def test_admin_offers_only_our_api_tokens():
    from django.contrib import admin
    from rest_framework_api_key.models import APIKey

    from promises.models import ApiToken

    assert (admin.site.is_registered(ApiToken), admin.site.is_registered(APIKey)) == (True, False)
