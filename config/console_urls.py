"""The browser console: routes to each app's console views."""

from django.urls import include, path

from apis import views as api_views
from keys import console as key_console

urlpatterns = [
    path("", api_views.home, name="home"),
    path("", include("apis.urls")),
    path("", include("applications.urls")),
    path("signing-keys/", key_console.signing_keys, name="signing_keys"),
    path("signing-keys/rotate/", key_console.rotate_key, name="rotate_key"),
    path("signing-keys/<str:kid>/revoke/", key_console.revoke_key, name="revoke_key"),
    path(
        "signing-keys/<str:kid>/certificate.pem",
        key_console.certificate_pem,
        name="certificate_pem",
    ),
    path(
        "signing-keys/<str:kid>/certificate.cer",
        key_console.certificate_cer,
        name="certificate_cer",
    ),
]
