from django.urls import include, path
from django.views.decorators.http import require_safe

from followup.public_cache import public_cached
from followup.views import public as views
from followup.views.moved import moved

app_name = "public"

# Every page of a promise lives under its municipality: /jonkoping/, /jonkoping/2022/, …
# (medborgarlofte/urls.py puts these last, so a site address such as /registrera/ is never
# taken for a municipality; tests/followup/test_public_addresses.py checks no slug is one).
municipality_patterns = [
    path("", views.public_municipality, name="municipality"),
    path("<int:year>/", views.public_year, name="year"),
    path("<int:year>/omrade/<slug:slug>/", views.public_area_page, name="area"),
    path("<int:year>/rapport/<int:tertial>/", views.public_report, name="report"),
    path("<int:year>/rapport/<int:tertial>/pdf/", views.public_report_pdf, name="report_pdf"),
    path("oppna-data/", views.open_data, name="open_data"),
    path(
        "oppna-data/<int:year>/tertial-<int:tertial>.<str:export_format>",
        views.open_data_download,
        name="download",
    ),
    path(
        "oppna-data/<int:year>/hela-aret.<str:export_format>",
        views.open_data_download,
        {"tertial": None},
        name="download_year",
    ),
    path("inbaddning/<int:year>/", views.embed_year, name="embed"),
    path("inbaddning/<int:year>/omrade/<slug:slug>/", views.embed_area, name="embed_area"),
    path("flode/", require_safe(public_cached(views.PublicationFeed())), name="feed"),
]

# The addresses from before, when an installation had one municipality (followup/views/moved.py).
moved_patterns = [
    path("<int:year>/", moved("public:year")),
    path("<int:year>/omrade/<slug:slug>/", moved("public:area")),
    path("<int:year>/rapport/<int:tertial>/", moved("public:report")),
    path("<int:year>/rapport/<int:tertial>/pdf/", moved("public:report_pdf")),
    path("oppna-data/", moved("public:open_data")),
    path("oppna-data/<int:year>/tertial-<int:tertial>.<str:export_format>", moved("public:download")),
    path("oppna-data/<int:year>/hela-aret.<str:export_format>", moved("public:download_year")),
    path("inbaddning/<int:year>/", moved("public:embed")),
    path("inbaddning/<int:year>/omrade/<slug:slug>/", moved("public:embed_area")),
    path("flode/", moved("public:feed")),
]

urlpatterns = [
    path("", views.public_index, name="index"),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    *moved_patterns,
    path("<slug:municipality>/", include(municipality_patterns)),
]
