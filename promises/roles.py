"""The roles of the application, as Django groups with permissions.

Staff of every organisation share the same permissions; what they may log is limited by
their organisation (ActivityType.organisations) and they only see their own entries.
Managers see and correct everything and review the follow-up. The groups are created (and
their permissions kept in step) after every migrate, so a fresh database always has them.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

POLICE_STAFF = "Polispersonal"
MUNICIPAL_STAFF = "Kommunpersonal"
HOUSING_STAFF = "Bostadsbolagspersonal"
MANAGERS = "Chefer"
ADMINISTRATORS = "Administratörer"

STAFF_GROUPS = (POLICE_STAFF, MUNICIPAL_STAFF, HOUSING_STAFF)

_STAFF_PERMISSIONS = [
    "promises.view_activity",
    "promises.add_activity",
    "promises.change_activity",
    "promises.delete_activity",
]
_MANAGER_PERMISSIONS = _STAFF_PERMISSIONS + [
    "promises.view_all_activities",
    "promises.view_promise",
    "promises.view_target",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    POLICE_STAFF: _STAFF_PERMISSIONS,
    MUNICIPAL_STAFF: _STAFF_PERMISSIONS,
    HOUSING_STAFF: _STAFF_PERMISSIONS,
    MANAGERS: _MANAGER_PERMISSIONS,
}
# Administrators get every permission of these apps (and user management) for the admin.
ADMIN_APPS = ("promises", "followup", "auth", "axes")

# Extra permissions other apps add to a role; followup registers its own here.
EXTRA_ROLE_PERMISSIONS: dict[str, list[str]] = {}


def _permissions(names: list[str]) -> list[Permission]:
    query = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    found = list(Permission.objects.filter(query))
    if len(found) != len(set(names)):
        known = {f"{p.content_type.app_label}.{p.codename}" for p in found}
        raise LookupError(f"Unknown permissions for roles: {sorted(set(names) - known)}")
    return found


def roles_sync(**kwargs) -> None:
    for name, permission_names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(_permissions(permission_names + EXTRA_ROLE_PERMISSIONS.get(name, [])))
    admins, _ = Group.objects.get_or_create(name=ADMINISTRATORS)
    admins.permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
