"""The sessions slice of the Management API contract (/api/v2/users/{id}/sessions,
/api/v2/sessions/{id}).

Auth0's shapes (AUTH0_USER_FLOWS.md section 4.6; go-auth0's TestSessionManager_Read
recording): a session is a sign-in at Gatehouse, its id the `sid` of ID tokens. `device`
holds what Gatehouse stores (the IP address and User-Agent of the sign-in); `authentication`
lists the one method Gatehouse has, the password (`pwd`).
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
from config.openapi import INT, STRING, Contract, Operation, Path, object_schema

_NEXT = {"type": "string", "description": "Pass as `from` to get the next page."}

USER_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the user (auth0|..., URL-encoded).")
SESSION_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the session (the `sid` of ID tokens).")
SESSIONS_QUERY = [
    INCLUDE_TOTALS,
    query(
        "from",
        {"type": "string", "maxLength": 64, "pattern": TEXT_PATTERN},
        "A session id from which to start selection (the `next` of the previous page).",
    ),
    TAKE,
]

RESPONSES = {
    "Session": object_schema(
        {
            "id": STRING,
            "user_id": STRING,
            "created_at": STRING,
            "updated_at": STRING,
            "authenticated_at": STRING,
            "idle_expires_at": STRING,
            "expires_at": STRING,
            "last_interacted_at": STRING,
            "device": object_schema(
                {"initial_ip": {"type": "string", "nullable": True}, "initial_user_agent": STRING}
            ),
            "clients": {"type": "array", "items": object_schema({"client_id": STRING})},
            "authentication": object_schema(
                {
                    "methods": {
                        "type": "array",
                        "items": object_schema({"name": STRING, "timestamp": STRING}),
                    }
                }
            ),
        }
    ),
    "SessionList": object_schema(
        {"sessions": {"type": "array", "items": ref("Session")}, "next": _NEXT, "total": INT},
        required=["sessions"],
    ),
    "SessionsAccepted": object_schema({}),
}

_TAG = "Sessions"
_PATHS = {
    "mgmt-user-sessions": Path(
        "/users/{id}/sessions",
        "Users",
        {
            "GET": Operation(
                "get_sessions_for_user",
                "Get a user's sessions",
                (200, "The user's live sessions.", ref("SessionList")),
                (400, 404),
                parameters=[USER_ID_PARAM, *SESSIONS_QUERY],
                description="Live sessions (neither expired nor idle too long), by checkpoint.",
            ),
            "DELETE": Operation(
                "delete_sessions_for_user",
                "Delete a user's sessions",
                (202, "Every session of the user ended.", ref("SessionsAccepted")),
                (404,),
                parameters=[USER_ID_PARAM],
                description="Refresh tokens stay valid (as in Auth0); revoke them with "
                "DELETE /users/{id}/refresh-tokens.",
            ),
        },
    ),
    "mgmt-session": Path(
        "/sessions/{id}",
        _TAG,
        {
            "GET": Operation(
                "get_session",
                "Get a session",
                (200, "Session.", ref("Session")),
                (404,),
                parameters=[SESSION_ID_PARAM],
            ),
            "DELETE": Operation(
                "delete_session",
                "Delete a session",
                (204, "Session ended: its cookie stops working at once.", None),
                (404,),
                parameters=[SESSION_ID_PARAM],
                description="Refresh tokens issued from it stay valid (as in Auth0); "
                "POST /sessions/{id}/revoke revokes them too.",
            ),
        },
    ),
}
CONTRACT = Contract(requests=Schemas({}), responses=RESPONSES, paths=_PATHS)
