import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from followup.models import Notification
from promises import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notifications_are_listed_read_only_in_the_admin(client):
    administrator = UserFactory(organisation=None, is_staff=True)
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    Notification.objects.create(
        kind=Notification.Kind.WEEKLY_DIGEST, recipient=UserFactory(username="kommun.x"), subject_key="2026-W19"
    )
    client.force_login(administrator)
    response = client.get(reverse("admin:followup_notification_changelist"))
    assert response.status_code == 200
    assert "2026-W19" in response.content.decode()
    assert client.get(reverse("admin:followup_notification_add")).status_code == 403
