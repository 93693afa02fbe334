from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from applications import authorize_endpoints, logout_endpoints
from applications import endpoints as application_endpoints
from keys import endpoints as key_endpoints

# JSON on the JSON paths (/api/, /oauth/, /.well-known/), Django's pages in the console;
# a 500 caused by an unreachable database is a 503 (config/errors.py).
handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

urlpatterns = [
    path(".well-known/jwks.json", key_endpoints.jwks, name="jwks"),
    path(".well-known/openid-configuration", key_endpoints.openid_configuration, name="discovery"),
    path(
        ".well-known/oauth-authorization-server",
        key_endpoints.openid_configuration,
        name="authorization_server_metadata",
    ),
    path("oauth/token", application_endpoints.token, name="token"),
    path("oauth/revoke", application_endpoints.revoke, name="revoke"),
    path("authorize", authorize_endpoints.authorize, name="authorize"),
    path("u/", include("applications.login_urls")),
    path("v2/logout", logout_endpoints.v2_logout, name="v2_logout"),
    path("oidc/logout", logout_endpoints.oidc_logout, name="oidc_logout"),
    path("userinfo", application_endpoints.userinfo, name="userinfo"),
    path("api/v2/", include("config.api_urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("config.console_urls")),
]
