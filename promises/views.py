from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from promises.permissions import is_manager, is_staff_member
from promises.selectors import activity_types_for_user, promise_current, promise_with_structure


def public_index(request: HttpRequest) -> HttpResponse:
    promise = promise_current()
    if promise is not None:
        promise = promise_with_structure(promise=promise)
    return render(request, "public/index.html", {"promise": promise})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/home.html",
        {
            "activity_types": activity_types_for_user(user=request.user),
            "can_log": is_staff_member(request.user),
            "can_review": is_manager(request.user),
        },
    )
