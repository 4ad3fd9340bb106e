from django.shortcuts import render
from django.urls import path

from medborgarlofte.urls import urlpatterns as app_urlpatterns


def minimal(request):
    """The framework's floor: the same middleware, session, login and base template, no data."""
    return render(request, "bench/minimal.html")


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *app_urlpatterns]
