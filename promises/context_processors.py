from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from promises.permissions import is_manager, is_staff_member


def roles(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_manager": False, "is_staff_member": False}
    return {"is_manager": is_manager(user), "is_staff_member": is_staff_member(user)}


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool


# The header's places, per role: (URL name, label, the URL names of the pages it stands for,
# who sees it). Follow-up pages live in followup's namespace, so they are named with it.
_NAVIGATION = [
    ("home", _("My start page"), {"home"}, "everyone"),
    (
        "activity_log_choose",
        pgettext_lazy("navigation", "Log"),
        {"activity_log_choose", "activity_log", "activity_saved"},
        "staff",
    ),
    # Staff see their own entries there, managers and administrators everyone's.
    (
        "activity_list",
        _("My entries"),
        {"activity_list", "activity_edit", "activity_delete", "activity_history"},
        "staff only",
    ),
    (
        "activity_list",
        _("All entries"),
        {"activity_list", "activity_edit", "activity_delete", "activity_history"},
        "manager",
    ),
    ("activity_import", pgettext_lazy("navigation", "Import"), {"activity_import", "activity_import_confirm"}, "staff"),
    (
        "followup:dashboard",
        _("Follow-up"),
        {"followup:dashboard", "followup:target", "followup:approve", "followup:report"},
        "manager",
    ),
    ("my_settings", _("My settings"), {"my_settings"}, "everyone"),
    ("admin:index", _("Administration"), set(), "admin"),
]


def navigation(request: HttpRequest) -> dict:
    """The header links for the user's role, the one for the current page marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    may = {
        "everyone": True,
        "staff": is_staff_member(user),
        "manager": is_manager(user),
        "staff only": is_staff_member(user) and not is_manager(user),
        "admin": user.is_staff,
    }
    match = getattr(request, "resolver_match", None)
    here = match.view_name if match else ""
    items = [
        NavItem(label=str(label), url=reverse(name), current=here in pages)
        for name, label, pages, role in _NAVIGATION
        if may[role]
    ]
    return {"nav_items": items}
