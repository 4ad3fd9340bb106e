"""Every staff view for each persona: the owner, a colleague in the same organisation, staff of
another organisation, a manager, and an anonymous visitor."""

import pytest
from django.urls import reverse

from promises.models import Activity
from promises.services import ActivityData, activity_create
from tests.factories import World

pytestmark = pytest.mark.django_db

# view name, needs the entry's id, {persona: expected status on GET}
MATRIX = [
    ("home", False, {"owner": 200, "colleague": 200, "other_org": 200, "manager": 200, "anonymous": 302}),
    ("activity_list", False, {"owner": 200, "colleague": 200, "other_org": 200, "manager": 200, "anonymous": 302}),
    ("activity_import", False, {"owner": 200, "colleague": 200, "other_org": 200, "manager": 200, "anonymous": 302}),
    (
        "activity_import_template",
        False,
        {"owner": 200, "colleague": 200, "other_org": 200, "manager": 200, "anonymous": 302},
    ),
    ("activity_saved", True, {"owner": 200, "colleague": 404, "other_org": 404, "manager": 200, "anonymous": 302}),
    ("activity_edit", True, {"owner": 200, "colleague": 404, "other_org": 404, "manager": 200, "anonymous": 302}),
    ("activity_delete", True, {"owner": 200, "colleague": 404, "other_org": 404, "manager": 200, "anonymous": 302}),
    ("activity_history", True, {"owner": 403, "colleague": 403, "other_org": 403, "manager": 200, "anonymous": 302}),
]


def _personas(world: World) -> dict:
    return {
        "owner": world.officer,
        "colleague": world.colleague,
        "other_org": world.clerk,
        "manager": world.manager,
        "anonymous": None,
    }


@pytest.mark.parametrize(("name", "with_id", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_staff_views_answer_each_persona(client, name, with_id, expected):
    world = World()
    activity = activity_create(
        user=world.officer, data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=world.today)
    )
    url = reverse(name, args=[activity.pk] if with_id else [])
    got = {}
    for persona, user in _personas(world).items():
        client.logout()
        if user is not None:
            client.force_login(user)
        got[persona] = client.get(url).status_code
    assert got == expected


def test_import_confirm_requires_login(client):
    response = client.post(reverse("activity_import_confirm"), {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_activity_delete_by_another_organisation_leaves_the_entry(client):
    world = World()
    activity = activity_create(
        user=world.officer, data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=world.today)
    )
    client.force_login(world.clerk)
    assert client.post(reverse("activity_delete", args=[activity.pk])).status_code == 404
    assert Activity.objects.filter(pk=activity.pk).exists()
