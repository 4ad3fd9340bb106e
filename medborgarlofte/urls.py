from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from followup import account_views, public_views
from promises import views as promise_views

public_patterns = (
    [
        path("", public_views.public_index, name="index"),
        path("<int:year>/", public_views.public_year, name="year"),
        path("tillganglighet/", public_views.accessibility_statement, name="accessibility"),
    ],
    "public",
)

urlpatterns = [
    path("", include(public_patterns)),
    path("", include("promises.urls")),
    path("uppfoljning/", include("followup.urls")),
    path("api/v1/", include("followup.api_urls")),
    path("konto/logga-in/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    path("mina-installningar/", account_views.my_settings, name="my_settings"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("favicon.ico", promise_views.favicon, name="favicon"),
]

handler500 = "medborgarlofte.views.server_error"
