from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from applications import views as application_views
from keys import views as key_views

urlpatterns = [
    path(".well-known/jwks.json", key_views.jwks, name="jwks"),
    path(".well-known/openid-configuration", key_views.openid_configuration, name="discovery"),
    path("oauth/token", application_views.token, name="token"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
]
