from django.urls import path
from django.views.decorators.http import require_safe

from followup.public_cache import public_cached
from followup.views import public as views

app_name = "public"

urlpatterns = [
    path("", views.public_index, name="index"),
    path("<int:year>/", views.public_year, name="year"),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("<int:year>/omrade/<slug:slug>/", views.public_area_page, name="area"),
    path("oppna-data/", views.open_data, name="open_data"),
    path("oppna-data/<int:year>/tertial-<int:tertial>.<str:export_format>", views.open_data_download, name="download"),
    path(
        "oppna-data/<int:year>/hela-aret.<str:export_format>",
        views.open_data_download,
        {"tertial": 0},
        name="download_year",
    ),
    path("<int:year>/rapport/<int:tertial>/", views.public_report, name="report"),
    path("<int:year>/rapport/<int:tertial>/pdf/", views.public_report_pdf, name="report_pdf"),
    path("inbaddning/<int:year>/", views.embed_year, name="embed"),
    path("inbaddning/<int:year>/omrade/<slug:slug>/", views.embed_area, name="embed_area"),
    path("flode/", require_safe(public_cached(views.PublicationFeed())), name="feed"),
]
