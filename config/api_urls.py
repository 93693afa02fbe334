"""The Management API v2 (/api/v2/): routes to each app's api.py.

Every authenticated view is built by keys.bearer.route(), which cannot be built without a
scope per method. Two views are public (`public`): the OpenAPI document, assembled from each
app's contract and from these routes (so each scope is written once, in its route), and the
JSON 404 for every other path (tests/management_api/test_auth.py walks this list).
"""

from django.urls import path, re_path, register_converter

from apis import api as resource_servers
from apis.api import tenant_settings
from apis.api_schemas import CONTRACT as RESOURCE_SERVERS
from applications import api as applications
from applications import grants_api, refresh_tokens_api
from applications.api_schemas import CONTRACT as CLIENTS
from applications.grants_schemas import CONTRACT as GRANTS
from applications.refresh_tokens_schemas import CONTRACT as REFRESH_TOKENS
from config import openapi
from config.api import unknown_path
from keys import api as keys
from keys.api_schemas import CONTRACT as SIGNING_KEYS
from keys.bearer import needs, route
from logs import api as logs
from logs.api_schemas import CONTRACT as LOGS
from users import api as users
from users import brute_force_api, sessions_api
from users.api_schemas import CONTRACT as USERS
from users.brute_force_schemas import CONTRACT as BRUTE_FORCE
from users.sessions_schemas import CONTRACT as SESSIONS


class AnyText:
    """Like <path:>, but also across newlines (percent-decoded paths may hold any character),
    so no request under /api/v2/ falls through to Django's HTML 404."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyText, "anytext")

routes = [
    path("resource-servers", resource_servers.resource_server_list, name="mgmt-resource-servers"),
    # <anytext:> because the identifier form of {id} holds (decoded) slashes.
    path(
        "resource-servers/<anytext:ref>",
        resource_servers.resource_server,
        name="mgmt-resource-server",
    ),
    path("clients", applications.client_list, name="mgmt-clients"),
    path("clients/<str:client_id>", applications.client, name="mgmt-client"),
    path(
        "clients/<str:client_id>/rotate-secret",
        applications.client_secret_rotation,
        name="mgmt-client-rotate-secret",
    ),
    path("client-grants", applications.client_grant_list, name="mgmt-client-grants"),
    path("client-grants/<str:grant_id>", applications.client_grant, name="mgmt-client-grant"),
    path("grants", grants_api.grant_list, name="mgmt-grants"),
    path("grants/<str:grant_id>", grants_api.grant, name="mgmt-grant"),
    path("keys/signing", keys.signing_keys, name="mgmt-signing-keys"),
    path("keys/signing/rotate", keys.rotate, name="mgmt-signing-keys-rotate"),
    path("keys/signing/<str:kid>", keys.signing_key, name="mgmt-signing-key"),
    path("keys/signing/<str:kid>/revoke", keys.revoke, name="mgmt-signing-key-revoke"),
    path("tenants/settings", tenant_settings, name="mgmt-tenant-settings"),
    path("users", users.user_list, name="mgmt-users"),
    # Before users/<anytext:>, which would take the whole rest of the path as the user id.
    path(
        "users/<anytext:user_id>/refresh-tokens",
        refresh_tokens_api.user_refresh_tokens,
        name="mgmt-user-refresh-tokens",
    ),
    path(
        "users/<anytext:user_id>/sessions",
        sessions_api.user_sessions,
        name="mgmt-user-sessions",
    ),
    # <anytext:> so an id with an encoded slash is still a user id (and a 404), not a path.
    path("users/<anytext:user_id>", users.user, name="mgmt-user"),
    path("users-by-email", users.user_by_email, name="mgmt-users-by-email"),
    path("user-blocks", brute_force_api.user_blocks, name="mgmt-user-blocks"),
    path("user-blocks/<anytext:user_id>", brute_force_api.user_block, name="mgmt-user-block"),
    path(
        "attack-protection/brute-force-protection",
        brute_force_api.brute_force_protection,
        name="mgmt-brute-force-protection",
    ),
    path(
        "refresh-tokens/<str:token_id>",
        refresh_tokens_api.refresh_token,
        name="mgmt-refresh-token",
    ),
    path("sessions/<str:session_id>", sessions_api.session, name="mgmt-session"),
    # logs sits below keys (tests/test_layout.py), so its scope is declared here, not in
    # logs/api.py: still once, on the route that enforces it.
    path("logs", route(GET=(logs.list_logs, needs("read:logs"))), name="mgmt-logs"),
    path("logs/<str:log_id>", route(GET=(logs.get_log, needs("read:logs"))), name="mgmt-log"),
    path(
        "sessions/<str:session_id>/revoke",
        refresh_tokens_api.session_revoke,
        name="mgmt-session-revoke",
    ),
]
CONTRACTS = (
    RESOURCE_SERVERS,
    CLIENTS,
    GRANTS,
    SIGNING_KEYS,
    USERS,
    REFRESH_TOKENS,
    SESSIONS,
    LOGS,
    BRUTE_FORCE,
)

urlpatterns = [
    path("openapi.json", openapi.view(CONTRACTS, routes), name="mgmt-openapi"),
    *routes,
    re_path(r"^(?P<rest>[\s\S]*)$", unknown_path, name="mgmt-unknown"),
]
