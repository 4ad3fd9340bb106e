"""Every URL of the app × every role × GET and POST, against one table of who may do what.

Adding a URL without adding it here fails `test_permission_matrix_covers_every_url`.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from promises import roles
from promises.models import Organisation
from promises.services import ActivityData, activity_create
from tests.factories import OrganisationFactory, UserFactory, World

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "police_staff", "municipal_staff", "housing_staff", "manager", "administrator"]

# Shorthands: L = redirect to login (302), F = forbidden, N = not found, M = method not allowed.
L, F, N, M, R = 302, 403, 404, 405, 302


def _row(anonymous, police, municipal, housing, manager, administrator):
    return dict(zip(ROLES, (anonymous, police, municipal, housing, manager, administrator), strict=True))


# url name -> (GET row, POST row). The police staff member owns the entry used by <pk> URLs;
# the manager is a police manager; the administrator belongs to no organisation.
MATRIX = {
    "public:index": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:municipality": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:year": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:accessibility": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:area": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:open_data": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:embed": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:embed_area": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:feed": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    # Tertial 1 is not published in the test world: its files and report are a 404 for everyone.
    "public:download": (_row(404, 404, 404, 404, 404, 404), _row(M, M, M, M, M, M)),
    "public:download_year": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "public:report": (_row(404, 404, 404, 404, 404, 404), _row(M, M, M, M, M, M)),
    "public:report_pdf": (_row(404, 404, 404, 404, 404, 404), _row(M, M, M, M, M, M)),
    "favicon": (_row(301, 301, 301, 301, 301, 301), _row(M, M, M, M, M, M)),
    "login": (_row(200, R, R, R, R, R), _row(200, R, R, R, R, R)),
    "logout": (_row(M, M, M, M, M, M), _row(R, R, R, R, R, R)),
    "home": (_row(L, 200, 200, 200, 200, 200), _row(L, M, M, M, M, M)),
    "activity_log_choose": (_row(L, 200, 200, 200, 200, F), _row(L, M, M, M, M, M)),
    "activity_log": (_row(L, 200, F, F, 200, F), _row(L, 200, F, F, 200, F)),
    "activity_list": (_row(L, 200, 200, 200, 200, 200), _row(L, M, M, M, M, M)),
    "activity_saved": (_row(L, 200, N, N, 200, 200), _row(L, M, M, M, M, M)),
    "activity_edit": (_row(L, 200, N, N, 200, 200), _row(L, 200, N, N, 200, 200)),
    "activity_delete": (_row(L, 200, N, N, 200, 200), _row(L, R, N, N, R, R)),
    "activity_history": (_row(L, F, F, F, 200, 200), _row(L, F, F, F, M, M)),
    "activity_import": (_row(L, 200, 200, 200, 200, F), _row(L, 200, 200, 200, 200, F)),
    "activity_import_confirm": (_row(L, M, M, M, M, M), _row(L, R, R, R, R, F)),
    # A file nobody uploaded: not found for staff (another user's upload is not theirs either).
    "activity_import_bad_rows": (_row(L, N, N, N, N, F), _row(L, M, M, M, M, M)),
    "activity_import_template": (_row(L, 200, 200, 200, 200, 200), _row(L, M, M, M, M, M)),
    "my_settings": (_row(L, 200, 200, 200, 200, 200), _row(L, R, R, R, F, F)),
    "followup:dashboard": (_row(L, F, F, F, 200, 200), _row(L, F, F, F, M, M)),
    "followup:target": (_row(L, F, F, F, 200, 200), _row(L, F, F, F, R, R)),
    "followup:approve": (_row(L, F, F, F, M, M), _row(L, F, F, F, R, F)),
    "followup:report": (_row(L, F, F, F, 200, 200), _row(L, F, F, F, M, M)),
    "followup:report_pdf": (_row(L, F, F, F, 200, 200), _row(L, F, F, F, M, M)),
    "api:promises": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "api:municipality_promises": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "api:promise": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "api:followup": (_row(404, 404, 404, 404, 404, 404), _row(M, M, M, M, M, M)),
    "api:schema": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "api:docs": (_row(200, 200, 200, 200, 200, 200), _row(M, M, M, M, M, M)),
    "api:not_found": (_row(404, 404, 404, 404, 404, 404), _row(M, M, M, M, M, M)),
    # The write API takes an API token, never a session (tests/promises/test_api.py).
    "api:activities": (_row(401, 401, 401, 401, 401, 401), _row(401, 401, 401, 401, 401, 401)),
    "admin:index": (_row(R, R, R, R, R, 200), _row(R, R, R, R, R, 200)),
}

# Third-party URL sets that are not ours to police beyond their entry point.
EXCLUDED_NAMESPACES = {"admin"}
EXCLUDED_NAMES: set[str] = set()


def _names(resolver, namespace=None) -> set[str]:
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace or namespace
            if inner in EXCLUDED_NAMESPACES:
                continue
            names |= _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
    return names


def test_permission_matrix_covers_every_url():
    assert _names(get_resolver()) - EXCLUDED_NAMES == set(MATRIX) - {"admin:index"}


def _users(world: World) -> dict:
    housing = OrganisationFactory(short_name="Vätterhem", kind=Organisation.Kind.HOUSING)
    administrator = UserFactory(organisation=None, is_staff=True)
    administrator.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    return {
        "anonymous": None,
        "police_staff": world.officer,
        "municipal_staff": world.clerk,
        "housing_staff": UserFactory(organisation=housing, role=roles.HOUSING_STAFF),
        "manager": world.manager,
        "administrator": administrator,
    }


def _url(name: str, world: World, activity) -> str:
    args = {
        "public:municipality": ["jonkoping"],
        "public:year": ["jonkoping", world.year],
        "public:area": ["jonkoping", world.year, "raslatt"],
        "public:open_data": ["jonkoping"],
        "public:feed": ["jonkoping"],
        "public:embed": ["jonkoping", world.year],
        "public:embed_area": ["jonkoping", world.year, "raslatt"],
        "activity_log": ["fotpatrull"],
        "activity_import_bad_rows": ["0" * 64 + ".csv"],
        "activity_saved": [activity.pk],
        "activity_edit": [activity.pk],
        "activity_delete": [activity.pk],
        "activity_history": [activity.pk],
        "followup:target": [world.patrol_target.pk],
        "followup:approve": [world.promise.pk, 1],
        "followup:report": [world.promise.pk, 1],
        "followup:report_pdf": [world.promise.pk, 1],
        "public:download": ["jonkoping", world.year, 1, "csv"],
        "public:download_year": ["jonkoping", world.year, "xlsx"],
        "public:report": ["jonkoping", world.year, 1],
        "public:report_pdf": ["jonkoping", world.year, 1],
        "api:municipality_promises": ["0680"],
        "api:promise": ["0680", world.year],
        "api:followup": ["0680", world.year, 1],
        "api:not_found": [],
    }.get(name, [])
    if name == "api:not_found":
        return "/api/v1/finns-inte/"
    return reverse(name, args=args)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(client, name):
    world = World()
    users = _users(world)
    got_get, got_post = {}, {}
    for role, user in users.items():
        # A fresh entry for every role: a delete by one role must not change what the next sees.
        activity = activity_create(
            user=world.officer,
            data=ActivityData(activity_type=world.patrol, area=world.raslatt, date=timezone.localdate()),
        )
        url = _url(name, world, activity)
        client.logout()
        if user is not None:
            client.force_login(user)
        got_get[role] = client.get(url).status_code
        if user is not None:
            client.force_login(user)
        got_post[role] = client.post(url, {}).status_code
    expected_get, expected_post = MATRIX[name]
    assert (got_get, got_post) == (expected_get, expected_post)
