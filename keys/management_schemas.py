"""What the Management API v2 accepts: request body schemas and query parameters.

These are published as-is in the OpenAPI document (keys/management_openapi.py) and are the
very schemas the views validate against (keys/management_api.py): what is documented is what
is enforced. Limits that belong to the domain (token lifetime, name and scope patterns, grant
types, application types) are restated here because `keys` must not import `apis` or
`applications`; a test compares them.
"""

from typing import Any

MAX_TOKEN_LIFETIME = 2_592_000
NAME_PATTERN = r"^[^<>\u0000]+$"  # Auth0's ^[^<>]+$; NUL cannot be stored
TEXT_PATTERN = r"^[^\u0000]*$"
IDENTIFIER_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"  # not blank
SCOPE_PATTERN = r"^[\x21\x23-\x5B\x5D-\x7E]+$"
SIGNING_ALGS = ["RS256", "HS256"]
APP_TYPES = ["non_interactive", "regular_web", "spa", "native"]
GRANT_TYPES = [
    "authorization_code",
    "implicit",
    "refresh_token",
    "client_credentials",
    "password",
    "urn:ietf:params:oauth:grant-type:device_code",
]
AUTH_METHODS = ["client_secret_post", "client_secret_basic", "none"]
CLIENT_ID_PATTERN = r"^[A-Za-z0-9]{1,64}$"
GRANT_ID_PATTERN = r"^cgr_[A-Za-z0-9]{1,60}$"
KID_PATTERN = r"^[A-Za-z0-9_-]{43}$"  # RFC 7638 SHA-256 thumbprint, base64url


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    parameter = {"name": name, "in": "query", "required": False, "description": description}
    parameter["schema"] = {**schema, "description": description}
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    return parameter


PAGE = _query(
    "page",
    {"type": "integer", "minimum": 0, "maximum": 1_000_000},
    "Page index of the results to return. First page is 0.",
)
PER_PAGE = _query(
    "per_page",
    {"type": "integer", "minimum": 1, "maximum": 100},
    "Number of results per page. Defaults to 50.",
)
INCLUDE_TOTALS = _query(
    "include_totals",
    {"type": "boolean"},
    "Return results inside an object that contains the total result count (true) "
    "or as a direct array of results (false, default).",
)
# Auth0 lets any one of these read clients (AUTH0_COMPAT section 5).
CLIENT_READ_SCOPES = ("read:clients", "read:client_keys", "read:client_summary")
FIELDS = _query(
    "fields",
    {"type": "string", "maxLength": 1000, "pattern": TEXT_PATTERN},
    "Comma-separated list of fields to include or exclude (based on include_fields) "
    "in the result. Leave empty to retrieve all fields.",
)
INCLUDE_FIELDS = _query(
    "include_fields",
    {"type": "boolean"},
    "Whether specified fields are to be included (true, default) or excluded (false).",
)
FROM = _query(
    "from",
    {"type": "string", "maxLength": 64, "pattern": TEXT_PATTERN},
    "Optional id from which to start selection (the `next` of the previous page).",
)
TAKE = _query(
    "take",
    {"type": "integer", "minimum": 1, "maximum": 100},
    "Number of results per page when paging by checkpoint. Defaults to 50.",
)
# One object's GET: only the field selection.
SINGLE_OBJECT_QUERY = [FIELDS, INCLUDE_FIELDS]
RESOURCE_SERVERS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    FIELDS,
    INCLUDE_FIELDS,
    _query(
        "identifiers",
        {
            "type": "array",
            "maxItems": 10,
            "items": {"type": "string", "minLength": 1, "maxLength": 600, "pattern": TEXT_PATTERN},
        },
        "An optional filter on the resource server identifier. Must be URL encoded "
        "and may be specified multiple times (max 10).",
    ),
]
CLIENTS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    FROM,
    TAKE,
    FIELDS,
    INCLUDE_FIELDS,
    _query(
        "app_type",
        {"type": "string", "maxLength": 200, "pattern": TEXT_PATTERN},
        "Optionally filter by a comma-separated list of application types.",
    ),
    _query(
        "is_global",
        {"type": "boolean"},
        "Optional filter on the global client parameter (Gatehouse has no global clients).",
    ),
    _query(
        "is_first_party",
        {"type": "boolean"},
        "Optional filter on whether or not a client is a first-party client "
        "(every Gatehouse client is).",
    ),
]
CLIENT_GRANTS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    FROM,
    TAKE,
    _query(
        "audience",
        {"type": "string", "maxLength": 600, "pattern": TEXT_PATTERN},
        "Optional filter on audience.",
    ),
    _query(
        "client_id",
        {"type": "string", "maxLength": 64, "pattern": TEXT_PATTERN},
        "Optional filter on client_id.",
    ),
]


def _path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {**schema, "description": description},
    }


RS_ID_PARAM = _path(
    "id",
    {"type": "string", "minLength": 1, "maxLength": 600, "pattern": TEXT_PATTERN},
    "The id or the URL-encoded identifier of the resource server.",
)
CLIENT_ID_PARAM = _path("id", {"type": "string", "pattern": CLIENT_ID_PATTERN}, "ID of the client.")
GRANT_ID_PARAM = _path(
    "id", {"type": "string", "pattern": GRANT_ID_PATTERN}, "ID of the client grant."
)
KID_PARAM = _path("kid", {"type": "string", "pattern": KID_PATTERN}, "Key id of the key.")

_NAME = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NAME_PATTERN}
_LIFETIME = {"type": "integer", "minimum": 0, "maximum": MAX_TOKEN_LIFETIME}
# Auth0's grant options for organizations and all-scope grants. Gatehouse has neither, so each
# is accepted only with the value that means "not used" (what Terraform and the SDKs send when
# they send it at all), and ignored; any other value is a 400.
_GRANT_OPTIONS_NOT_SUPPORTED = {
    "organization_usage": {
        "type": "string",
        "enum": ["deny"],
        "description": "Gatehouse has no organizations: only deny.",
    },
    "allow_any_organization": {
        "type": "boolean",
        "enum": [False],
        "description": "Gatehouse has no organizations: only false.",
    },
    "allow_all_scopes": {
        "type": "boolean",
        "enum": [False],
        "description": "Grants list their scopes: only false.",
    },
}

_SCOPE_VALUE = {
    "type": "string",
    "minLength": 1,
    "maxLength": 280,
    "pattern": SCOPE_PATTERN,
    "description": "Value of this scope.",
}

REQUEST_SCHEMAS: dict[str, dict[str, Any]] = {
    "ResourceServerScopeInput": {
        "type": "object",
        "additionalProperties": False,
        "required": ["value"],
        "properties": {
            "value": _SCOPE_VALUE,
            "description": {
                "type": "string",
                "maxLength": 500,
                "pattern": TEXT_PATTERN,
                "description": "User-friendly description of this scope.",
            },
        },
    },
    "ResourceServerCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["identifier"],
        "properties": {
            "name": {**_NAME, "description": "Friendly name for this resource server."},
            "identifier": {
                "type": "string",
                "minLength": 1,
                "maxLength": 600,
                "pattern": IDENTIFIER_PATTERN,
                "description": "Unique identifier for the API used as the audience parameter "
                "on authorization calls. Can not be changed once set.",
            },
            "scopes": {
                "type": "array",
                "items": ref("ResourceServerScopeInput"),
                "description": "List of permissions (scopes) that this API uses.",
            },
            "signing_alg": {
                "type": "string",
                "enum": SIGNING_ALGS,
                "description": "Algorithm used to sign JWTs. RS256 (default) or HS256.",
            },
            "allow_offline_access": {
                "type": "boolean",
                "description": "Whether refresh tokens can be issued for this API (true).",
            },
            "skip_consent_for_verifiable_first_party_clients": {
                "type": "boolean",
                "description": "Whether to skip user consent for first-party clients (true).",
            },
            "token_lifetime": {
                **_LIFETIME,
                "description": "Expiration value (in seconds) for access tokens issued for "
                "this API from the token endpoint.",
            },
            "token_lifetime_for_web": {
                **_LIFETIME,
                "description": "Expiration value (in seconds) for access tokens issued for "
                "this API via implicit grant. Cannot be greater than token_lifetime.",
            },
        },
    },
    "ClientGrantCreate": {
        "type": "object",
        "additionalProperties": False,
        "required": ["client_id", "audience"],
        "properties": {
            "client_id": {
                "type": "string",
                "minLength": 1,
                "maxLength": 64,
                "pattern": TEXT_PATTERN,
                "description": "ID of the client.",
            },
            "audience": {
                "type": "string",
                "minLength": 1,
                "maxLength": 600,
                "pattern": TEXT_PATTERN,
                "description": "The audience (API identifier) of this client grant.",
            },
            "scope": {
                "type": "array",
                "uniqueItems": True,
                "items": _SCOPE_VALUE,
                "description": "Scopes allowed for this client grant.",
            },
            "subject_type": {
                "type": "string",
                "enum": ["client"],
                "description": "Machine-to-machine grants only: client.",
            },
            **_GRANT_OPTIONS_NOT_SUPPORTED,
        },
    },
    "ClientGrantUpdate": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "scope": {
                "type": "array",
                "nullable": True,
                "uniqueItems": True,
                "items": _SCOPE_VALUE,
                "description": "Scopes allowed for this client grant (null clears them).",
            },
            **_GRANT_OPTIONS_NOT_SUPPORTED,
        },
    },
}
_UPDATABLE_RS = (
    "name",
    "scopes",
    "allow_offline_access",
    "skip_consent_for_verifiable_first_party_clients",
    "token_lifetime",
    "token_lifetime_for_web",
)
REQUEST_SCHEMAS["ResourceServerUpdate"] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        name: REQUEST_SCHEMAS["ResourceServerCreate"]["properties"][name] for name in _UPDATABLE_RS
    },
}
# The system API's identifier and scopes are fixed (Auth0 answers this on its own API too).
REQUEST_SCHEMAS["SystemResourceServerUpdate"] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        name: schema
        for name, schema in REQUEST_SCHEMAS["ResourceServerUpdate"]["properties"].items()
        if name != "scopes"
    },
}
_CLIENT_FIELDS = {
    "name": {**_NAME, "description": "Name of this client (min length: 1 character)."},
    "description": {
        "type": "string",
        "maxLength": 140,
        "pattern": TEXT_PATTERN,
        "description": "Free text description of this client (max length: 140 characters).",
    },
    "app_type": {
        "type": "string",
        "enum": APP_TYPES,
        "description": "The type of application this client represents.",
    },
    "grant_types": {
        "type": "array",
        "uniqueItems": True,
        "items": {"type": "string", "enum": GRANT_TYPES},
        "description": "List of grant types supported for this application.",
    },
    "token_endpoint_auth_method": {
        "type": "string",
        "enum": AUTH_METHODS,
        "description": "Defines the requested authentication method for the token endpoint.",
    },
}
REQUEST_SCHEMAS["ClientCreate"] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name"],
    "properties": _CLIENT_FIELDS,
}
REQUEST_SCHEMAS["ClientUpdate"] = {
    "type": "object",
    "additionalProperties": False,
    "properties": _CLIENT_FIELDS,
}
