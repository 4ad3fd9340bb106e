from datetime import date

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from medborgarlofte.urls import urlpatterns as app_urlpatterns
from promises.models import Activity


def minimal(request):
    """The framework's floor: the same middleware, session, login and base template, no data."""
    return render(request, "bench/minimal.html")


@login_required
@require_POST
def minimal_post(request):
    """The floor of a write: a logged-in POST that saves one entry (with its history row, as
    the model records it) and redirects, without the form, the rules or the service."""
    Activity.objects.create(
        promise_id=int(request.POST["promise"]),
        activity_type_id=int(request.POST["activity_type"]),
        area_id=int(request.POST["area"]),
        date=date.fromisoformat(request.POST["date"]),
        quantity=int(request.POST["quantity"]),
        organisation_id=request.user.organisation_id,
        created_by=request.user,
    )
    return redirect("bench_minimal")


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/minimal-post/", minimal_post, name="bench_minimal_post"),
    *app_urlpatterns,
]
