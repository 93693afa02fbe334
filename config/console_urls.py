"""The browser console: routes to each app's console views."""

from django.urls import include, path

from apis import views as api_views

urlpatterns = [
    path("", api_views.home, name="home"),
    path("", include("apis.urls")),
    path("", include("applications.urls")),
    path("", include("keys.urls")),
    path("", include("users.urls")),
    path("", include("logs.urls")),
]
