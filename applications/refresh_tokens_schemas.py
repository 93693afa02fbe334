"""The refresh-tokens slice of the Management API contract (/api/v2/users/{id}/refresh-tokens,
/api/v2/refresh-tokens/{id}, /api/v2/sessions/{id}/revoke).

Auth0's shapes (AUTH0_USER_FLOWS.md section 4.6; go-auth0's TestUserManager_ListRefreshTokens,
TestRefreshTokenManager_* recordings). A refresh token's id is its family's: every token one
sign-in produced, rotated or not, is one object here, and revoking it revokes them all.
"""

from config.api_schema import (
    ID_SCHEMA,
    INCLUDE_TOTALS,
    TAKE,
    TEXT_PATTERN,
    Schemas,
    path_param,
    query,
    ref,
)
from config.openapi import BOOL, INT, STRING, Contract, Operation, Path, object_schema

_NULLABLE_TIME = {"type": "string", "nullable": True}
_NEXT = {"type": "string", "description": "Pass as `from` to get the next page."}

USER_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the user (auth0|..., URL-encoded).")
REFRESH_TOKEN_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the refresh token.")
SESSION_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the session (the `sid` of ID tokens).")
# `from` is the `next` of the previous page: a refresh-token (or session) id.
FROM_ID = query(
    "from",
    {"type": "string", "maxLength": 64, "pattern": TEXT_PATTERN},
    "An id from which to start selection (the `next` of the previous page).",
)
CHECKPOINT_QUERY = [INCLUDE_TOTALS, FROM_ID, TAKE]

RESPONSES = {
    "RefreshToken": object_schema(
        {
            "id": STRING,
            "user_id": STRING,
            "created_at": STRING,
            "idle_expires_at": _NULLABLE_TIME,
            "expires_at": _NULLABLE_TIME,
            "client_id": STRING,
            "session_id": STRING,
            "rotating": BOOL,
            "resource_servers": {
                "type": "array",
                "items": object_schema({"audience": STRING, "scopes": STRING}),
            },
        }
    ),
    "RefreshTokenList": object_schema(
        {
            "tokens": {"type": "array", "items": ref("RefreshToken")},
            "next": _NEXT,
            "total": INT,
        },
        required=["tokens"],
    ),
    "Accepted": object_schema({}),
}

_TAG = "Refresh Tokens"
_PATHS = {
    "mgmt-user-refresh-tokens": Path(
        "/users/{id}/refresh-tokens",
        "Users",
        {
            "GET": Operation(
                "get_refresh_tokens_for_user",
                "Get refresh tokens for a user",
                (200, "The user's active refresh tokens.", ref("RefreshTokenList")),
                (400, 404),
                parameters=[USER_ID_PARAM, *CHECKPOINT_QUERY],
                description="Active refresh tokens (not revoked, not expired), by checkpoint: "
                "`next` is present while more remain; `total` with include_totals=true.",
            ),
            "DELETE": Operation(
                "delete_refresh_tokens_for_user",
                "Delete refresh tokens for a user",
                (202, "Every refresh token of the user revoked.", ref("Accepted")),
                (404,),
                parameters=[USER_ID_PARAM],
                description="Auth0 answers 202 (asynchronous); Gatehouse has revoked them "
                "before it answers.",
            ),
        },
    ),
    "mgmt-refresh-token": Path(
        "/refresh-tokens/{id}",
        _TAG,
        {
            "GET": Operation(
                "get_refresh_token",
                "Get a refresh token",
                (200, "Refresh token.", ref("RefreshToken")),
                (404,),
                parameters=[REFRESH_TOKEN_ID_PARAM],
                description="404 for an unknown, revoked or expired refresh token.",
            ),
            "DELETE": Operation(
                "delete_refresh_token",
                "Delete a refresh token",
                (204, "Refresh token revoked (its whole family).", None),
                (404,),
                parameters=[REFRESH_TOKEN_ID_PARAM],
                description="404 for an unknown or already revoked refresh token.",
            ),
        },
    ),
    "mgmt-session-revoke": Path(
        "/sessions/{id}/revoke",
        "Sessions",
        {
            "POST": Operation(
                "revoke_session",
                "Revoke a session",
                (202, "Session ended and its refresh tokens revoked.", ref("Accepted")),
                (404,),
                parameters=[SESSION_ID_PARAM],
                description="Unlike DELETE /sessions/{id}, also revokes every refresh token "
                "issued from the session's sign-ins.",
            ),
        },
    ),
}
CONTRACT = Contract(requests=Schemas({}), responses=RESPONSES, paths=_PATHS)
