from django.urls import path

import config.console  # noqa: F401  (registers the <id:> converter)
from keys import views

# No app_name: the names stay un-namespaced (signing_keys, rotate_key, ...), as they were
# when config/console_urls.py listed these routes itself.
urlpatterns = [
    path("signing-keys/", views.signing_keys, name="signing_keys"),
    path("signing-keys/rotate/", views.rotate_key, name="rotate_key"),
    path("signing-keys/<id:kid>/revoke/", views.revoke_key, name="revoke_key"),
    path("signing-keys/<id:kid>/certificate.pem", views.certificate_pem, name="certificate_pem"),
    path("signing-keys/<id:kid>/certificate.cer", views.certificate_cer, name="certificate_cer"),
]
