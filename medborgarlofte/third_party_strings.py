"""Strings of the libraries we use that have no Swedish translation of their own.

django-axes (the login lockout) ships none, so its section of the admin was English. Listed
here, they are extracted into our catalogue (locale/sv), which Django reads before the
libraries' own: the admin shows them in Swedish. Nothing imports this module at run time.
"""

from django.utils.translation import gettext_noop as _

AXES = [
    # axes/models.py
    _("User Agent"),
    _("IP Address"),
    _("Username"),
    _("HTTP Accept"),
    _("Path"),
    _("Attempt Time"),
    _("Access lock out"),
    _("access failure"),
    _("access failures"),
    _("GET Data"),
    _("POST Data"),
    _("Failed Logins"),
    _("access attempt"),
    _("access attempts"),
    _("Access Attempt"),
    _("Expires At"),
    _("The time when access attempt expires and is no longer valid."),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("Logout Time"),
    _("Session key hash (sha256)"),
    _("access log"),
    _("access logs"),
    # axes/admin.py
    _("Locked Out"),
    _("Form Data"),
    _("Meta Data"),
    _("Clean up expired attempts"),
    _("Not set"),
    _("Attempt Remaining"),
]
