"""End users' pages under /u/ (Auth0's Universal Login paths), namespace `universal_login`."""

from django.urls import path

from applications import authorize_endpoints, logout_endpoints

app_name = "universal_login"

urlpatterns = [
    path("login", authorize_endpoints.login, name="login"),
    path("consent", authorize_endpoints.consent_page, name="consent"),
    path("logout", logout_endpoints.logout_confirm, name="logout_confirm"),
]
