"""The authentication backend (promises/auth.py): Django's rules, in fewer queries."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from promises import roles
from promises.auth import Backend
from promises.models import User
from tests.factories import UserFactory, manager_user, staff_user

pytestmark = pytest.mark.django_db


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permissions cached on it yet


def _personas() -> list[User]:
    direct = UserFactory(organisation=None)
    direct.user_permissions.add(Permission.objects.get(codename="view_promise"))
    both = staff_user()
    both.user_permissions.add(Permission.objects.get(codename="view_all_activities"))
    return [
        staff_user(),
        manager_user(),
        UserFactory(organisation=None, role=roles.ADMINISTRATORS),
        direct,
        both,
        UserFactory(organisation=None),  # no role: nothing
        staff_user(is_active=False),  # an inactive account: nothing
        UserFactory(organisation=None, is_superuser=True),  # every permission
    ]


def test_permissions_are_djangos_own_for_every_persona():
    for user in _personas():
        assert Backend().get_all_permissions(_fresh(user)) == ModelBackend().get_all_permissions(_fresh(user))
    assert "promises.add_activity" in Backend().get_all_permissions(_fresh(staff_user()))
    assert Backend().get_all_permissions(_fresh(staff_user(is_active=False))) == set()


def test_permissions_of_the_user_and_their_groups_in_one_query(django_assert_num_queries):
    user = _fresh(manager_user())
    with django_assert_num_queries(1):
        assert user.has_perm("promises.view_all_activities")
        assert user.has_perm("promises.add_activity")
        assert not user.has_perm("promises.change_promise")


def test_the_user_comes_with_their_organisation(django_assert_num_queries):
    user = staff_user()
    with django_assert_num_queries(1):
        loaded = Backend().get_user(user.pk)
        assert loaded is not None
        assert loaded.organisation.short_name == "Polisen"
    assert Backend().get_user(0) is None
    assert Backend().get_user(staff_user(is_active=False).pk) is None
