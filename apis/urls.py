from django.urls import path

import config.console  # noqa: F401  (registers the <id:> converter)
from apis import tenant_views, views

app_name = "apis"

urlpatterns = [
    path("settings/", tenant_views.settings_page, name="tenant_settings"),
    path("apis/", views.api_list, name="list"),
    path("apis/new/", views.api_create, name="create"),
    path("apis/<id:api_id>/", views.api_detail, name="detail"),
    path("apis/<id:api_id>/quickstart/", views.api_quickstart, name="quickstart"),
    path("apis/<id:api_id>/settings/", views.api_settings, name="settings"),
    path("apis/<id:api_id>/settings/secret/", views.api_secret_reveal, name="secret_reveal"),
    path(
        "apis/<id:api_id>/settings/secret/rotate/",
        views.api_secret_rotate,
        name="secret_rotate",
    ),
    path("apis/<id:api_id>/delete/", views.api_delete, name="delete"),
    path("apis/<id:api_id>/logs/", views.api_logs, name="logs"),
    path("apis/<id:api_id>/scopes/", views.api_scopes, name="scopes"),
    path(
        "apis/<id:api_id>/scopes/<int:scope_id>/delete/",
        views.scope_delete,
        name="scope_delete",
    ),
]
