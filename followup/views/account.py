"""A logged-in user's own page: "Mina inställningar" (which e-mails they receive)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from followup.forms import UserSettingsForm
from followup.notifications import receives_digest, user_settings_for, user_settings_save
from medborgarlofte.http import AuthenticatedHttpRequest, posted
from promises.permissions import is_manager


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    digest = receives_digest(request.user)
    if request.method == "POST" and not digest:
        raise PermissionDenied(_("You receive no weekly digest, so there is nothing to turn off."))
    current = user_settings_for(user=request.user)
    form = UserSettingsForm(posted(request), initial={"weekly_digest": current.weekly_digest}) if digest else None
    if form is not None and request.method == "POST" and form.is_valid():
        user_settings_save(user=request.user, weekly_digest=form.cleaned_data["weekly_digest"])
        messages.success(request, _("Your settings were saved."))
        return redirect("my_settings")
    return render(
        request,
        "staff/settings.html",
        {"form": form, "receives_digest": digest, "receives_approvals": is_manager(request.user)},
    )
