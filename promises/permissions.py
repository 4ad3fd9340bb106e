"""Who may do what: small predicates the views and templates share."""

from promises.models import User


def is_manager(user: User) -> bool:
    return user.is_authenticated and user.has_perm("promises.view_all_activities")


def is_staff_member(user: User) -> bool:
    """Logs activities for an organisation."""
    return user.is_authenticated and user.organisation_id is not None and user.has_perm("promises.add_activity")
