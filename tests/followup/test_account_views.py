"""Mina inställningar: every logged-in user sees which e-mails they get; staff turn the digest off."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from followup.models import UserSettings
from promises import roles
from promises.models import Organisation
from tests.factories import OrganisationFactory, UserFactory, World

pytestmark = pytest.mark.django_db

URL = reverse("my_settings")


def _personas(world: World) -> dict:
    housing = OrganisationFactory(short_name="Vätterhem", kind=Organisation.Kind.HOUSING)
    administrator = UserFactory(organisation=None, is_staff=True)
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    return {
        "police_staff": world.officer,
        "municipal_staff": world.clerk,
        "housing_staff": UserFactory(organisation=housing, role=roles.HOUSING_STAFF),
        "manager": world.manager,
        "administrator": administrator,
    }


def test_settings_page_per_role(client):
    world = World()
    got = {}
    for persona, user in _personas(world).items():
        client.force_login(user)
        response = client.get(URL)
        got[persona] = (response.status_code, "weekly_digest" in response.content.decode())
    assert got == {
        "police_staff": (200, True),
        "municipal_staff": (200, True),
        "housing_staff": (200, True),
        "manager": (200, False),
        "administrator": (200, False),
    }


def test_settings_page_needs_a_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(URL, {"weekly_digest": "on"}).status_code == 302
    assert UserSettings.objects.count() == 0


def test_staff_turn_the_digest_off_and_on_again(client):
    world = World()
    client.force_login(world.clerk)
    response = client.post(URL, {})
    assert response.status_code == 302
    assert response["Location"] == URL
    settings_row = UserSettings.objects.get(user=world.clerk)
    assert settings_row.weekly_digest is False
    assert client.get(URL).context["form"].initial == {"weekly_digest": False}

    client.post(URL, {"weekly_digest": "on"})
    settings_row.refresh_from_db()
    assert settings_row.weekly_digest is True
    assert UserSettings.objects.count() == 1


def test_settings_of_one_user_leave_another_alone(client):
    world = World()
    client.force_login(world.officer)
    client.post(URL, {})
    assert list(UserSettings.objects.values_list("user", "weekly_digest")) == [(world.officer.pk, False)]


@pytest.mark.parametrize("persona", ["manager", "administrator"])
def test_who_gets_no_digest_cannot_post_it(client, persona):
    world = World()
    client.force_login(_personas(world)[persona])
    response = client.post(URL, {})
    assert response.status_code == 403
    assert UserSettings.objects.count() == 0


def test_manager_reads_which_emails_they_get(client):
    world = World()
    world.manager.email = "chef@example.se"
    world.manager.save()
    client.force_login(world.manager)
    body = client.get(URL).content.decode()
    assert "E-brev skickas till chef@example.se." in body
    assert "Som chef får du e-post när den andra parten godkänner ett tertial" in body


def test_header_links_the_settings_page_for_logged_in_users_only(client):
    world = World()
    link = f'href="{URL}"'
    assert link not in client.get(reverse("public:index")).content.decode()
    client.force_login(world.officer)
    assert link in client.get(reverse("public:index")).content.decode()
    assert ">Mina inställningar</a>" in client.get(reverse("home")).content.decode()
