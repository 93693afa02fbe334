"""The users' slice of the Management API contract: /api/v2/users and /api/v2/users-by-email.

Request schemas (enforced by users/api.py, published in the OpenAPI document), response
schemas and documented operations, in Auth0's shapes (AUTH0_USER_FLOWS.md sections 7.1 and
7.2). Limits come from users.models, so the contract cannot drift from the columns.
"""

from django.db.models import CharField

from config.api_schema import (
    FIELDS,
    ID_SCHEMA,
    INCLUDE_FIELDS,
    INCLUDE_TOTALS,
    PAGE,
    PER_PAGE,
    TEXT_PATTERN,
    SchemaDict,
    Schemas,
    path_param,
    query,
    ref,
)
from config.openapi import (
    BOOL,
    DATE,
    INT,
    NO_CONTENT,
    STRING,
    Contract,
    Operation,
    Path,
    listing,
    object_schema,
    selection,
)
from users.models import CONNECTION, User
from users.passwords import WEAK_PASSWORD_MESSAGE

SORTABLE = {
    "email": "email",
    "user_id": "id",
    "username": "username",
    "name": "name",
    "nickname": "nickname",
    "created_at": "created_at",
    "updated_at": "updated_at",
    "last_login": "last_login",
    "logins_count": "logins_count",
}
# Auth0's password limit; Argon2 hashes whatever it is given, so the API bounds it.
MAX_PASSWORD_LENGTH = 128


def _max_length(name: str) -> int:
    field = User._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None
    return field.max_length


def _text(field: str, description: str, *, nullable: bool = False) -> SchemaDict:
    schema: SchemaDict = {
        "type": "string",
        "maxLength": _max_length(field),
        "pattern": TEXT_PATTERN,
        "description": description,
    }
    if nullable:
        schema["nullable"] = True
    return schema


def _fields(*, update: bool) -> dict[str, SchemaDict]:
    nullable = update  # PATCH may empty a field with null
    return {
        "connection": {
            "type": "string",
            "enum": [CONNECTION],
            "description": "Name of the connection this user belongs to; Gatehouse has one. "
            + ("Required with password." if update else ""),
        },
        "email": {
            "type": "string",
            "minLength": 1,
            "maxLength": 254,
            "pattern": TEXT_PATTERN,
            "description": "The user's email address (stored lowercased).",
        },
        "password": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_PASSWORD_LENGTH,
            "pattern": TEXT_PATTERN,
            "description": "At least 8 characters, 3 of lower, upper, digit and !@#$%^&*.",
        },
        "username": {
            "type": "string",
            "nullable": nullable,
            "minLength": 1,
            "maxLength": 128,
            "pattern": r"^[A-Za-z0-9_+\-.!#$'^`~@]+$",
            "description": "The user's username" + (" (null removes it)." if update else "."),
        },
        "email_verified": {"type": "boolean", "description": "Whether the email is verified."},
        "verify_email": {
            "type": "boolean",
            "description": "Accepted for compatibility; Gatehouse sends no email.",
        },
        "blocked": {
            "type": "boolean",
            "description": "Whether this user is blocked from signing in (true ends their "
            "sessions).",
        },
        "given_name": _text("given_name", "The user's given name.", nullable=nullable),
        "family_name": _text("family_name", "The user's family name.", nullable=nullable),
        "name": _text("name", "The user's full name (defaults to the email).", nullable=nullable),
        "nickname": _text(
            "nickname",
            "The user's nickname (defaults to the email's local part).",
            nullable=nullable,
        ),
        "picture": _text(
            "picture", "A URL of the user's picture (defaults to Gravatar).", nullable=nullable
        ),
        "app_metadata": {
            "type": "object",
            "description": "Data the user cannot change"
            + (": merged by top-level key, null removes a key, {} clears all." if update else "."),
        },
        "user_metadata": {
            "type": "object",
            "description": "Data the user may change"
            + (": merged by top-level key, null removes a key, {} clears all." if update else "."),
        },
    }


_USER_ID_FIELD: SchemaDict = {
    "type": "string",
    "pattern": r"^(auth0\|)?[0-9a-f]{24}$",
    "description": "The id to give the user: 24 lowercase hex characters.",
}
REQUESTS = Schemas(
    {
        "UserCreate": {
            "type": "object",
            "additionalProperties": False,
            "required": ["connection", "email", "password"],
            "properties": {**_fields(update=False), "user_id": _USER_ID_FIELD},
        },
        "UserUpdate": {
            "type": "object",
            "additionalProperties": False,
            "properties": _fields(update=True),
        },
    }
)

USERS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    FIELDS,
    INCLUDE_FIELDS,
    query(
        "q",
        {"type": "string", "maxLength": 2000, "pattern": TEXT_PATTERN},
        'Query in Lucene syntax: field:"value" on email, user_id, username, name, nickname, '
        "email_verified and blocked; a trailing * on text; AND, OR and parentheses.",
    ),
    query("search_engine", {"type": "string", "enum": ["v3"]}, "The search engine: v3."),
    query(
        "sort",
        {"type": "string", "maxLength": 40, "pattern": "^(" + "|".join(SORTABLE) + "):(1|-1)$"},
        "Field to sort by, :1 ascending or :-1 descending (e.g. created_at:1).",
    ),
    query(
        "primary_order",
        {"type": "boolean"},
        "Accepted for compatibility: results are always in a deterministic order.",
    ),
    query(
        "connection",
        {"type": "string", "maxLength": 128, "pattern": TEXT_PATTERN},
        "Only users of this connection (Gatehouse has one).",
    ),
]
USERS_BY_EMAIL_QUERY = [
    query(
        "email",
        {"type": "string", "maxLength": 254, "pattern": TEXT_PATTERN},
        "Email address to search for (compared without case). Required.",
    ),
    FIELDS,
    INCLUDE_FIELDS,
]
USER_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the user (auth0|..., URL-encoded).")

_NULLABLE_STRING: SchemaDict = {"type": "string", "nullable": True}
_METADATA: SchemaDict = {"type": "object"}
_USER_PROPERTIES: dict[str, SchemaDict] = {
    "user_id": STRING,
    "email": STRING,
    "email_verified": BOOL,
    "username": STRING,
    "name": STRING,
    "nickname": STRING,
    "given_name": STRING,
    "family_name": STRING,
    "picture": STRING,
    "created_at": DATE,
    "updated_at": DATE,
    "identities": {
        "type": "array",
        "items": object_schema(
            {"connection": STRING, "user_id": STRING, "provider": STRING, "isSocial": BOOL}
        ),
    },
    "blocked": BOOL,
    "app_metadata": _METADATA,
    "user_metadata": _METADATA,
    "last_login": DATE,
    "last_ip": _NULLABLE_STRING,
    "logins_count": INT,
    "last_password_reset": DATE,
}
_ALWAYS = [
    "user_id",
    "email",
    "email_verified",
    "name",
    "nickname",
    "picture",
    "created_at",
    "updated_at",
    "identities",
    "blocked",
    "app_metadata",
    "user_metadata",
]
_USER = object_schema(_USER_PROPERTIES, required=_ALWAYS)
RESPONSES = {
    "User": _USER,
    "UserFields": selection(_USER),
    # Auth0's users page differs from the other lists: it adds `length`.
    "UserFieldsList": object_schema(
        {
            "start": INT,
            "limit": INT,
            "length": INT,
            "users": {"type": "array", "items": ref("UserFields")},
            "total": INT,
        }
    ),
}

_USERS = "Users"
_PATHS = {
    "mgmt-users": Path(
        "/users",
        _USERS,
        {
            "GET": Operation(
                "get_users",
                "List or search users",
                (200, "Users (never with a password or its hash).", listing("UserFields")),
                (400,),
                parameters=USERS_QUERY,
                description="With include_totals=true: {start, limit, length, users, total}.",
            ),
            "POST": Operation(
                "post_users",
                "Create a user",
                (201, "User created.", ref("User")),
                (400, 409),
                body="UserCreate",
                description=f"400 `{WEAK_PASSWORD_MESSAGE}` for a password the policy refuses; "
                "409 when the email, username or user_id is taken.",
            ),
        },
    ),
    "mgmt-user": Path(
        "/users/{id}",
        _USERS,
        {
            "GET": Operation(
                "get_users_by_id",
                "Get a user",
                (200, "User.", ref("UserFields")),
                (404,),
                parameters=[USER_ID_PARAM, FIELDS, INCLUDE_FIELDS],
            ),
            "PATCH": Operation(
                "patch_users_by_id",
                "Update a user",
                (200, "User updated.", ref("User")),
                (400, 404, 409),
                parameters=[USER_ID_PARAM],
                body="UserUpdate",
                description="A password needs `connection`, sets last_password_reset and ends "
                "the user's sessions; blocked=true ends them too.",
            ),
            "DELETE": Operation(
                "delete_users_by_id",
                "Delete a user",
                NO_CONTENT,
                parameters=[USER_ID_PARAM],
            ),
        },
    ),
    "mgmt-users-by-email": Path(
        "/users-by-email",
        _USERS,
        {
            "GET": Operation(
                "get_users_by_email",
                "Search users by email address",
                (
                    200,
                    "The users with that email (none or one).",
                    {
                        "type": "array",
                        "items": ref("UserFields"),
                    },
                ),
                (400,),
                parameters=USERS_BY_EMAIL_QUERY,
            ),
        },
    ),
}
CONTRACT = Contract(requests=REQUESTS, responses=RESPONSES, paths=_PATHS)
