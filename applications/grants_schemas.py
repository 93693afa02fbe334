"""The users' grants slice of the Management API contract (/api/v2/grants).

Auth0's shapes (AUTH0_USER_FLOWS.md section 2.5; Auth0 Management API "Grants": get_grants,
delete_grants_by_id, delete_grants_by_user_id). A grant is a user's consent: this
application may act for this user at this audience with these scopes.
"""

from config.api_schema import (
    ID_SCHEMA,
    INCLUDE_TOTALS,
    PAGE,
    PER_PAGE,
    TEXT_PATTERN,
    Schemas,
    path_param,
    query,
)
from config.openapi import (
    STRING,
    Contract,
    Operation,
    Path,
    listing,
    object_schema,
    totals,
)

_USER_ID = {"type": "string", "maxLength": 300, "pattern": TEXT_PATTERN}
USER_ID_FILTER = query("user_id", _USER_ID, "user_id of the grants to retrieve.")
GRANTS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    USER_ID_FILTER,
    query(
        "client_id",
        {"type": "string", "maxLength": 64, "pattern": TEXT_PATTERN},
        "client_id of the grants to retrieve.",
    ),
    query(
        "audience",
        {"type": "string", "maxLength": 600, "pattern": TEXT_PATTERN},
        "audience of the grants to retrieve.",
    ),
]
# Required on DELETE /grants (Auth0: "user_id of the grant to delete"); checked by the view,
# since a query parameter object here is optional by construction.
DELETE_BY_USER_QUERY = [
    {**query("user_id", _USER_ID, "user_id of the grant to delete."), "required": True}
]
USER_GRANT_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the grant to delete.")

RESPONSES = {
    "UserGrant": object_schema(
        {
            "id": STRING,
            "clientID": STRING,
            "user_id": STRING,
            "audience": STRING,
            "scope": {"type": "array", "items": STRING},
        }
    ),
    "UserGrantList": totals("grants", "UserGrant"),
}

_TAG = "Grants"
_PATHS = {
    "mgmt-grants": Path(
        "/grants",
        _TAG,
        {
            "GET": Operation(
                "get_grants",
                "Get grants",
                (200, "Users' grants, oldest first.", listing("UserGrant")),
                (400,),
                parameters=GRANTS_QUERY,
                description="Filter by user_id (auth0|...), client_id and audience; paged by "
                "page/per_page/include_totals.",
            ),
            "DELETE": Operation(
                "delete_grants_by_user_id",
                "Delete a user's grants",
                (204, "Every grant of the user deleted (also when there was none).", None),
                (400,),
                parameters=DELETE_BY_USER_QUERY,
                description="user_id is required. Revokes what was issued under each grant "
                "that can be recalled (the /userinfo-only access tokens).",
            ),
        },
    ),
    "mgmt-grant": Path(
        "/grants/{id}",
        _TAG,
        {
            "DELETE": Operation(
                "delete_grants_by_id",
                "Delete a grant by id",
                (204, "Grant deleted.", None),
                (404,),
                parameters=[USER_GRANT_ID_PARAM],
                description="404 inexistent_grant for an unknown id. Revokes what was issued "
                "under the grant that can be recalled (the /userinfo-only access tokens).",
            ),
        },
    ),
}
CONTRACT = Contract(requests=Schemas({}), responses=RESPONSES, paths=_PATHS)
