from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from followup.views import account as account_views
from medborgarlofte.forms import LoginForm
from promises import views as promise_views

# The open-data API, the admin and the icon speak one language whatever the address.
urlpatterns = [
    path("api/v1/", include("followup.api_urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", promise_views.favicon, name="favicon"),
]

# Every page in Swedish at its address as before, and in English under /en/ (the header links
# between the two). No cookie and no browser setting changes the language: an address always
# answers the same, so the public pages can be cached (followup/public_cache.py).
urlpatterns += i18n_patterns(
    path("", include("promises.urls")),
    path("uppfoljning/", include("followup.urls")),
    path(
        "konto/logga-in/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, authentication_form=LoginForm),
        name="login",
    ),
    path("konto/logga-ut/", auth_views.LogoutView.as_view(), name="logout"),
    # Django's usual address, which people type from habit and other apps link to.
    path("accounts/login/", RedirectView.as_view(pattern_name="login", query_string=True, permanent=True)),
    path("mina-installningar/", account_views.my_settings, name="my_settings"),
    # Last: /<municipality>/ must never take a site address such as /registrera/.
    path("", include("followup.public_urls")),
    prefix_default_language=False,
)

handler400 = "medborgarlofte.views.bad_request"
handler403 = "medborgarlofte.views.permission_denied"
handler404 = "medborgarlofte.views.page_not_found"
handler500 = "medborgarlofte.views.server_error"
