from django.urls import path

import config.console  # noqa: F401  (registers the <id:> converter)
from applications import api_page_views, user_page_views, views

app_name = "applications"

urlpatterns = [
    path("applications/", views.application_list, name="list"),
    path("applications/new/", views.application_create, name="create"),
    path("applications/<id:client_id>/", views.application_detail, name="detail"),
    path("applications/<id:client_id>/settings/", views.application_settings, name="settings"),
    path(
        "applications/<id:client_id>/rotate-secret/",
        views.application_rotate_secret,
        name="rotate_secret",
    ),
    path("applications/<id:client_id>/delete/", views.application_delete, name="delete"),
    path("applications/<id:client_id>/logs/", views.application_logs, name="logs"),
    path("applications/<id:client_id>/apis/", views.application_apis, name="apis"),
    path(
        "applications/<id:client_id>/advanced/",
        views.application_grant_types,
        name="grant_types",
    ),
    path(
        "applications/<id:client_id>/advanced/certificates/",
        views.application_certificates,
        name="certificates",
    ),
    path(
        "applications/<id:client_id>/apis/<id:api_id>/grant/",
        views.grant_update,
        name="grant",
    ),
    # Tabs of the API page that show applications (api_page_views.py says why they live here).
    path(
        "apis/<id:api_id>/applications/",
        api_page_views.api_applications,
        name="api_applications",
    ),
    path("apis/<id:api_id>/test/", api_page_views.api_test, name="api_test"),
    # The user page's tab that shows applications (user_page_views.py says why it lives here).
    path(
        "users/<id:user_id>/applications/",
        user_page_views.user_applications,
        name="user_applications",
    ),
    path(
        "users/<id:user_id>/applications/<id:grant_id>/revoke/",
        user_page_views.user_grant_revoke,
        name="user_grant_revoke",
    ),
    path(
        "users/<id:user_id>/refresh-tokens/",
        user_page_views.user_refresh_tokens,
        name="user_refresh_tokens",
    ),
    path(
        "users/<id:user_id>/refresh-tokens/revoke-all/",
        user_page_views.user_refresh_tokens_revoke_all,
        name="user_refresh_tokens_revoke_all",
    ),
    path(
        "users/<id:user_id>/refresh-tokens/<id:family_id>/revoke/",
        user_page_views.user_refresh_token_revoke,
        name="user_refresh_token_revoke",
    ),
]
