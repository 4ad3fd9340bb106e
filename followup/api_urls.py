from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from followup import api
from followup.public_cache import public_cached
from followup.views.moved import moved
from promises import api as promises_api

# Open data: the same for everyone, cached per publication (JSON or CSV by the Accept header).
cached = public_cached(vary_on_accept=True)

app_name = "api"

urlpatterns = [
    path("promises/", cached(api.PromiseListView.as_view()), name="promises"),
    path(
        "municipalities/<slug:municipality>/promises/",
        cached(api.MunicipalityPromiseListView.as_view()),
        name="municipality_promises",
    ),
    path(
        "municipalities/<slug:municipality>/promises/<int:year>/",
        cached(api.PromiseDetailView.as_view()),
        name="promise",
    ),
    path(
        "municipalities/<slug:municipality>/promises/<int:year>/followups/<int:tertial>/",
        cached(api.FollowupView.as_view()),
        name="followup",
    ),
    # The addresses from before the municipality was in the path (followup/views/moved.py).
    path("promises/<int:year>/", moved("api:promise", otherwise="api:promises")),
    path("promises/<int:year>/followups/<int:tertial>/", moved("api:followup", otherwise="api:promises")),
    # The write API, for an organisation's systems with an API token (promises/api.py).
    path("activities/", promises_api.ActivitiesView.as_view(), name="activities"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    # Swagger UI sets a few inline styles; scripts stay strict.
    path(
        "docs/",
        csp_update({"style-src": [UNSAFE_INLINE]})(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    # Any character, a newline too: "%0A" in an address is still the API's own JSON 404.
    re_path(r"^[\s\S]*\Z", api.NotFoundView.as_view(), name="not_found"),
]
