from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.http import require_safe

from followup import account_views, public_views
from medborgarlofte.forms import LoginForm
from promises import views as promise_views

public_patterns = (
    [
        path("", public_views.public_index, name="index"),
        path("<int:year>/", public_views.public_year, name="year"),
        path("tillganglighet/", public_views.accessibility_statement, name="accessibility"),
        path("<int:year>/omrade/<slug:slug>/", public_views.public_area_page, name="area"),
        path("oppna-data/", public_views.open_data, name="open_data"),
        path("inbaddning/<int:year>/", public_views.embed_year, name="embed"),
        path("inbaddning/<int:year>/omrade/<slug:slug>/", public_views.embed_area, name="embed_area"),
        path("flode/", require_safe(public_views.PublicationFeed()), name="feed"),
    ],
    "public",
)

urlpatterns = [
    path("", include(public_patterns)),
    path("", include("promises.urls")),
    path("uppfoljning/", include("followup.urls")),
    path("api/v1/", include("followup.api_urls")),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("mina-installningar/", account_views.my_settings, name="my_settings"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", promise_views.favicon, name="favicon"),
]

handler500 = "medborgarlofte.views.server_error"
