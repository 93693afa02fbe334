from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from applications import endpoints as application_endpoints
from keys import endpoints as key_endpoints

urlpatterns = [
    path(".well-known/jwks.json", key_endpoints.jwks, name="jwks"),
    path(".well-known/openid-configuration", key_endpoints.openid_configuration, name="discovery"),
    path("oauth/token", application_endpoints.token, name="token"),
    path("api/v2/", include("config.api_urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("", include("config.console_urls")),
]
