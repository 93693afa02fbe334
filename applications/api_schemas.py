"""The clients' and client grants' slice of the Management API contract.

Request schemas (enforced by applications/api.py, published in the OpenAPI document), response
schemas and documented operations for /api/v2/clients and /api/v2/client-grants, in Auth0's
shapes (AUTH0_COMPAT.md sections 5 and 6). Enumerations and limits come from
applications.models and apis.models, so the contract cannot drift from the domain.
"""

from typing import Any

from apis.api_schemas import NAME, SCOPE_VALUE
from applications.client_settings_schemas import BROWSER_FIELDS, IGNORED_FIELDS, ROTATE_SECRET
from applications.models import (
    KNOWN_GRANT_TYPES,
    Application,
    AppType,
    ExpirationType,
    IdTokenAlg,
    RotationType,
    TokenEndpointAuthMethod,
)
from config.api_schema import (
    FIELDS,
    FROM,
    ID_SCHEMA,
    INCLUDE_FIELDS,
    INCLUDE_TOTALS,
    PAGE,
    PER_PAGE,
    SINGLE_OBJECT_QUERY,
    TAKE,
    TEXT_PATTERN,
    SchemaDict,
    Schemas,
    path_param,
    query,
    ref,
)
from config.openapi import (
    BOOL,
    INT,
    NO_CONTENT,
    STRING,
    Contract,
    Operation,
    Path,
    listing,
    object_schema,
    selection,
    totals,
)

_DESCRIPTION_LENGTH = Application._meta.get_field("description").max_length

CLIENTS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    FROM,
    TAKE,
    FIELDS,
    INCLUDE_FIELDS,
    query(
        "app_type",
        {"type": "string", "maxLength": 200, "pattern": TEXT_PATTERN},
        "Optionally filter by a comma-separated list of application types.",
    ),
    query(
        "is_global",
        {"type": "boolean"},
        "Optional filter on the global client parameter (Gatehouse has no global clients).",
    ),
    query(
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
    query(
        "audience",
        {"type": "string", "maxLength": 600, "pattern": TEXT_PATTERN},
        "Optional filter on audience.",
    ),
    query(
        "client_id",
        {"type": "string", "maxLength": 64, "pattern": TEXT_PATTERN},
        "Optional filter on client_id.",
    ),
]
# Any id up to MAX_ID_LENGTH is looked up (a missing one is a 404), not only ours.
CLIENT_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the client.")
GRANT_ID_PARAM = path_param("id", ID_SCHEMA, "ID of the client grant.")

# Auth0's grant options for organizations and all-scope grants. Gatehouse has neither, so each
# is accepted only with the value that means "not used" (what Terraform and the SDKs send when
# they send it at all), and ignored; any other value is a 400.
_GRANT_OPTIONS_NOT_SUPPORTED: dict[str, Any] = {
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
_CLIENT_FIELDS: dict[str, SchemaDict] = {
    "name": {**NAME, "description": "Name of this client (min length: 1 character)."},
    "description": {
        "type": "string",
        "maxLength": _DESCRIPTION_LENGTH,
        "pattern": TEXT_PATTERN,
        "description": "Free text description of this client "
        f"(max length: {_DESCRIPTION_LENGTH} characters).",
    },
    "app_type": {
        "type": "string",
        "enum": list(AppType.values),
        "description": "The type of application this client represents.",
    },
    "grant_types": {
        "type": "array",
        "items": {"type": "string", "enum": list(KNOWN_GRANT_TYPES)},
        "uniqueItems": True,
        "description": "List of grant types supported for this application.",
    },
    "token_endpoint_auth_method": {
        "type": "string",
        "enum": list(TokenEndpointAuthMethod.values),
        "description": "Defines the requested authentication method for the token endpoint.",
    },
    **BROWSER_FIELDS,
    **IGNORED_FIELDS,
}
REQUESTS = Schemas(
    {
        "ClientCreate": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name"],
            "properties": _CLIENT_FIELDS,
        },
        "ClientUpdate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                **_CLIENT_FIELDS,
                "rotate_secret": ROTATE_SECRET,
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
                    "items": SCOPE_VALUE,
                    "uniqueItems": True,
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
                    "items": SCOPE_VALUE,
                    "uniqueItems": True,
                    "description": "Scopes allowed for this client grant (null clears them).",
                },
                **_GRANT_OPTIONS_NOT_SUPPORTED,
            },
        },
    }
)

_CLIENT_PROPERTIES = {
    "client_id": STRING,
    "name": STRING,
    "description": STRING,
    "app_type": {"type": "string", "enum": list(AppType.values)},
    "grant_types": {"type": "array", "items": STRING},
    "token_endpoint_auth_method": {
        "type": "string",
        "enum": list(TokenEndpointAuthMethod.values),
    },
    "is_first_party": BOOL,
    "oidc_conformant": BOOL,
    "sso_disabled": BOOL,
    "cross_origin_authentication": BOOL,
    "is_token_endpoint_ip_header_trusted": BOOL,
    "global": BOOL,
    "callbacks": {"type": "array", "items": STRING},
    "allowed_logout_urls": {"type": "array", "items": STRING},
    "web_origins": {"type": "array", "items": STRING},
    "allowed_origins": {"type": "array", "items": STRING},
    "allow_loopback_any_port": BOOL,
    "allowed_clients": {"type": "array", "items": STRING},
    "client_aliases": {"type": "array", "items": STRING},
    "jwt_configuration": object_schema(
        {
            "alg": {"type": "string", "enum": list(IdTokenAlg.values)},
            "lifetime_in_seconds": INT,
            "secret_encoded": BOOL,
        }
    ),
    "refresh_token": object_schema(
        {
            "rotation_type": {"type": "string", "enum": list(RotationType.values)},
            "expiration_type": {"type": "string", "enum": list(ExpirationType.values)},
            "leeway": INT,
            "token_lifetime": INT,
            "infinite_token_lifetime": BOOL,
            "idle_token_lifetime": INT,
            "infinite_idle_token_lifetime": BOOL,
        }
    ),
    "signing_keys": {
        "type": "array",
        "items": object_schema({"cert": STRING, "pkcs7": STRING, "subject": STRING}),
    },
}
_CLIENT = object_schema(_CLIENT_PROPERTIES)
_NEXT = {"type": "string", "description": "Pass as `from` to get the next page."}
RESPONSES = {
    # Without its secret: the secret is only ever in create and rotate-secret responses.
    "Client": _CLIENT,
    "ClientWithSecret": object_schema({**_CLIENT_PROPERTIES, "client_secret": STRING}),
    # PATCH: with client_secret only when it rotated the secret (`rotate_secret`).
    "ClientUpdated": object_schema(
        {**_CLIENT_PROPERTIES, "client_secret": STRING}, required=list(_CLIENT_PROPERTIES)
    ),
    "ClientList": totals("clients", "Client"),
    "ClientFields": selection(_CLIENT),
    "ClientFieldsList": totals("clients", "ClientFields"),
    "ClientFieldsCheckpoint": object_schema(
        {"clients": {"type": "array", "items": ref("ClientFields")}, "next": _NEXT},
        required=["clients"],
    ),
    "ClientGrant": object_schema(
        {
            "id": STRING,
            "client_id": STRING,
            "audience": STRING,
            "scope": {"type": "array", "items": STRING},
        }
    ),
    "ClientGrantList": totals("client_grants", "ClientGrant"),
    "ClientGrantCheckpoint": object_schema(
        {"client_grants": {"type": "array", "items": ref("ClientGrant")}, "next": _NEXT},
        required=["client_grants"],
    ),
}

_CLIENTS, _GRANTS = "Clients", "Client Grants"
_PATHS = {
    "mgmt-clients": Path(
        "/clients",
        _CLIENTS,
        {
            "GET": Operation(
                "get_clients",
                "Get clients",
                (
                    200,
                    "Clients (never with their secrets).",
                    listing("ClientFields", "ClientFieldsCheckpoint"),
                ),
                (400,),
                parameters=CLIENTS_QUERY,
            ),
            "POST": Operation(
                "post_clients",
                "Create a client",
                (201, "Client created, with its secret (shown once).", ref("ClientWithSecret")),
                (400,),
                body="ClientCreate",
                description="400 also for a public client (spa, native) with the "
                "client_credentials grant, a secret-based token_endpoint_auth_method or "
                "HS256 ID tokens, and for a URL that may not be registered (userinfo, "
                "fragment, a wildcard outside the leftmost host label). An HS256 client's "
                "secret is also stored encrypted: it is the ID tokens' HMAC key.",
            ),
        },
    ),
    "mgmt-client": Path(
        "/clients/{id}",
        _CLIENTS,
        {
            "GET": Operation(
                "get_clients_by_id",
                "Get a client",
                (200, "Client.", ref("ClientFields")),
                (404,),
                parameters=[CLIENT_ID_PARAM, *SINGLE_OBJECT_QUERY],
            ),
            "PATCH": Operation(
                "patch_clients_by_id",
                "Update a client",
                (200, "Client updated.", ref("ClientUpdated")),
                (400, 404),
                parameters=[CLIENT_ID_PARAM],
                body="ClientUpdate",
                description="All or nothing. 400 also for a URL that may not be registered "
                "(userinfo, fragment, a wildcard outside the leftmost host label), a change "
                "of is_first_party, HS256 for a public client, and a switch to HS256 "
                "without `rotate_secret: true`. jwt_configuration.alg RS256 forgets the "
                "stored secret.",
            ),
            "DELETE": Operation(
                "delete_clients_by_id",
                "Delete a client",
                NO_CONTENT,
                parameters=[CLIENT_ID_PARAM],
            ),
        },
    ),
    "mgmt-client-rotate-secret": Path(
        "/clients/{id}/rotate-secret",
        _CLIENTS,
        {
            "POST": Operation(
                "post_rotate_secret",
                "Rotate a client secret",
                (200, "Client with its new secret (shown once).", ref("ClientWithSecret")),
                (404,),
                parameters=[CLIENT_ID_PARAM],
                description="The old secret stops working at once. No request body.",
            ),
        },
    ),
    "mgmt-client-grants": Path(
        "/client-grants",
        _GRANTS,
        {
            "GET": Operation(
                "get_client_grants",
                "Get client grants",
                (200, "Client grants.", listing("ClientGrant", "ClientGrantCheckpoint")),
                (400,),
                parameters=CLIENT_GRANTS_QUERY,
                description="Paged by page/per_page/include_totals, or by from/take "
                "(checkpoint: `next` is present while more results remain).",
            ),
            "POST": Operation(
                "post_client_grants",
                "Create a client grant",
                (201, "Client grant created.", ref("ClientGrant")),
                (400, 404, 409),
                body="ClientGrantCreate",
                description="404 for an unknown audience or client; 409 when the client "
                "already has a grant for the audience; 400 for a scope the API does not have.",
            ),
        },
    ),
    "mgmt-client-grant": Path(
        "/client-grants/{id}",
        _GRANTS,
        {
            "GET": Operation(
                "get_client_grants_by_id",
                "Get a client grant",
                (200, "Client grant.", ref("ClientGrant")),
                (404,),
                parameters=[GRANT_ID_PARAM],
            ),
            "PATCH": Operation(
                "patch_client_grants_by_id",
                "Update a client grant",
                (200, "Client grant updated.", ref("ClientGrant")),
                (400, 404),
                parameters=[GRANT_ID_PARAM],
                body="ClientGrantUpdate",
            ),
            "DELETE": Operation(
                "delete_client_grants_by_id",
                "Delete a client grant",
                NO_CONTENT,
                parameters=[GRANT_ID_PARAM],
            ),
        },
    ),
}
CONTRACT = Contract(requests=REQUESTS, responses=RESPONSES, paths=_PATHS)
