"""The apis app's slices of the Management API contract: resource servers
(/api/v2/resource-servers) and the tenant's settings (/api/v2/tenants/settings).

Request schemas (enforced by apis/api.py, published in the OpenAPI document), response schemas
and documented operations, in Auth0's shapes (AUTH0_COMPAT.md section 4). Limits come from
apis.models, so the contract cannot drift from the domain.
"""

from django.db.models import CharField

from apis import resource_servers
from apis.models import (
    MAX_TOKEN_LIFETIME,
    NAME_PATTERN,
    SCOPE_PATTERN,
    Api,
    Scope,
    SigningAlg,
    TokenDialect,
)
from config.api_schema import (
    FIELDS,
    INCLUDE_FIELDS,
    INCLUDE_TOTALS,
    PAGE,
    PER_PAGE,
    SINGLE_OBJECT_QUERY,
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


def _max_length(model: type[Api] | type[Scope], name: str) -> int:
    field = model._meta.get_field(name)
    assert isinstance(field, CharField) and field.max_length is not None
    return field.max_length


# The model's pattern, with NUL added: PostgreSQL cannot store it, so it is refused up front.
STORABLE_NAME_PATTERN = NAME_PATTERN.replace("]", "\\u0000]", 1)
NAME: SchemaDict = {
    "type": "string",
    "minLength": 1,
    "maxLength": _max_length(Api, "name"),
    "pattern": STORABLE_NAME_PATTERN,
}
IDENTIFIER_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"  # not blank (Api.clean)
SCOPE_VALUE: SchemaDict = {
    "type": "string",
    "minLength": 1,
    "maxLength": _max_length(Scope, "value"),
    "pattern": SCOPE_PATTERN,
    "description": "Value of this scope.",
}
_LIFETIME = {"type": "integer", "minimum": 0, "maximum": MAX_TOKEN_LIFETIME}
_IDENTIFIER_LENGTH = _max_length(Api, "identifier")

RESOURCE_SERVERS_QUERY = [
    PAGE,
    PER_PAGE,
    INCLUDE_TOTALS,
    FIELDS,
    INCLUDE_FIELDS,
    query(
        "identifiers",
        {
            "type": "array",
            "maxItems": 10,
            "items": {
                "type": "string",
                "minLength": 1,
                "maxLength": _IDENTIFIER_LENGTH,
                "pattern": TEXT_PATTERN,
            },
        },
        "An optional filter on the resource server identifier. Must be URL encoded "
        "and may be specified multiple times (max 10).",
    ),
]
RS_ID_PARAM = path_param(
    "id",
    {"type": "string", "minLength": 1, "maxLength": _IDENTIFIER_LENGTH, "pattern": TEXT_PATTERN},
    "The id or the URL-encoded identifier of the resource server.",
)

# Auth0's resource-server options for features Gatehouse does not have. Each is accepted only
# with the value that means "not used" (what Terraform and the deploy CLI send when they send
# it at all), and ignored; any other value is a 400 naming the reason.
_OPTIONS_NOT_USED: dict[str, SchemaDict] = {
    "subject_type_authorization": {
        "type": "object",
        "additionalProperties": False,
        "description": "Which applications may get tokens for this API: for users, every "
        "application (allow_all); for machine-to-machine, those with a client grant.",
        "properties": {
            "user": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "policy": {
                        "type": "string",
                        # Accepting deny_all and ignoring it would let users get tokens
                        # for an API its owner meant to close to them.
                        "enum": ["allow_all"],
                        "description": "Any application may get user tokens for this API; "
                        "Gatehouse has no per-API user access policy: only allow_all.",
                    }
                },
            },
            "client": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "policy": {
                        "type": "string",
                        "enum": ["require_client_grant"],
                        "description": "Applications always need a client grant: only "
                        "require_client_grant.",
                    }
                },
            },
        },
    },
    "token_encryption": {
        "type": "object",
        "nullable": True,
        "enum": [None],
        "description": "Gatehouse does not encrypt access tokens: only null.",
    },
    "consent_policy": {
        "type": "string",
        "nullable": True,
        "enum": [None],
        "description": "Gatehouse has no transactional consent with MFA: only null.",
    },
    "authorization_details": {
        "type": "array",
        "nullable": True,
        "items": {"type": "object"},
        "maxItems": 0,
        "description": "Gatehouse has no rich authorization requests (RFC 9396): only null or [].",
    },
    "proof_of_possession": {
        "type": "object",
        "nullable": True,
        "enum": [None],
        "description": "Gatehouse issues bearer tokens only: only null.",
    },
    "allow_online_access": {
        "type": "boolean",
        "enum": [False],
        "description": "Gatehouse has no online refresh tokens: only false.",
    },
}
OPTIONS_NOT_USED = tuple(_OPTIONS_NOT_USED)
_SIGNING_SECRET: SchemaDict = {
    "type": "string",
    "minLength": resource_servers.MIN_SIGNING_SECRET_LENGTH,
    "pattern": TEXT_PATTERN,
    "description": "The secret used to sign tokens when using symmetric algorithms (HS256); "
    f"at least {resource_servers.MIN_SIGNING_SECRET_LENGTH} characters.",
}

_CREATE: SchemaDict = {
    "type": "object",
    "additionalProperties": False,
    "required": ["identifier"],
    "properties": {
        "name": {**NAME, "description": "Friendly name for this resource server."},
        "identifier": {
            "type": "string",
            "minLength": 1,
            "maxLength": _IDENTIFIER_LENGTH,
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
            "enum": list(SigningAlg.values),
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
        "signing_secret": _SIGNING_SECRET,
        "token_dialect": {
            "type": "string",
            "enum": [
                TokenDialect.ACCESS_TOKEN,
                "access_token_authz",
                TokenDialect.RFC9068_PROFILE,
                "rfc9068_profile_authz",
            ],
            "description": "Dialect of issued access tokens: access_token (default) or "
            "rfc9068_profile (RFC 9068). The *_authz dialects need RBAC (400).",
        },
        "enforce_policies": {
            "type": "boolean",
            "description": "Whether RBAC is enforced: only false (Gatehouse has no RBAC).",
        },
        **_OPTIONS_NOT_USED,
    },
}
# PATCH takes what the domain lets change after creation, `scopes` (the whole list), a new
# HS256 `signing_secret` and the unused options.
_UPDATE: SchemaDict = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        name: schema
        for name, schema in _CREATE["properties"].items()
        if name in resource_servers.EDITABLE_FIELDS
        or name in ("scopes", "signing_secret", *OPTIONS_NOT_USED)
    },
}

# Tenant settings (/api/v2/tenants/settings): of Auth0's many, Gatehouse has default_audience,
# and refuses the others rather than accept what it would ignore.
_DEFAULT_AUDIENCE: SchemaDict = {
    "type": "string",
    "maxLength": _IDENTIFIER_LENGTH,
    "pattern": TEXT_PATTERN,
    "description": "The identifier of the API a token request that names no audience is for; "
    "empty for none.",
}
_TENANT_SETTINGS_UPDATE: SchemaDict = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"default_audience": _DEFAULT_AUDIENCE},
}
_TENANT_SETTINGS = object_schema(
    {"default_audience": {**STRING, "description": _DEFAULT_AUDIENCE["description"]}}
)
_TENANT_SETTINGS_PATH = Path(
    "/tenants/settings",
    "Tenants",
    {
        "GET": Operation(
            "get_settings",
            "Get tenant settings",
            (200, "Tenant settings.", ref("TenantSettingsFields")),
            parameters=SINGLE_OBJECT_QUERY,
            description='`default_audience` is "" when none is set.',
        ),
        "PATCH": Operation(
            "patch_settings",
            "Update tenant settings",
            (200, "Tenant settings updated.", ref("TenantSettings")),
            body="TenantSettingsUpdate",
            description="`default_audience` must be the identifier of an existing API, "
            'exactly, or "" to clear it (400 otherwise). Deleting that API clears it. '
            "Auth0's other tenant settings are not supported and are refused (400).",
        ),
    },
)

REQUESTS = Schemas(
    {
        "ResourceServerScopeInput": {
            "type": "object",
            "additionalProperties": False,
            "required": ["value"],
            "properties": {
                "value": SCOPE_VALUE,
                "description": {
                    "type": "string",
                    "maxLength": _max_length(Scope, "description"),
                    "pattern": TEXT_PATTERN,
                    "description": "User-friendly description of this scope.",
                },
            },
        },
        "ResourceServerCreate": _CREATE,
        "ResourceServerUpdate": _UPDATE,
        # The system API's identifier and scopes are fixed (Auth0 answers this on its own API).
        "SystemResourceServerUpdate": {
            **_UPDATE,
            "properties": {k: v for k, v in _UPDATE["properties"].items() if k != "scopes"},
        },
        "TenantSettingsUpdate": _TENANT_SETTINGS_UPDATE,
    }
)

_RESOURCE_SERVER = object_schema(
    {
        "id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
        "name": STRING,
        "identifier": STRING,
        "is_system": BOOL,
        "scopes": {"type": "array", "items": ref("Scope")},
        "signing_alg": {"type": "string", "enum": list(SigningAlg.values)},
        "signing_secret": {
            "type": "string",
            "description": "HS256 only, and only in the response to a create request that "
            "let Gatehouse generate it.",
        },
        "allow_offline_access": BOOL,
        "skip_consent_for_verifiable_first_party_clients": BOOL,
        "token_lifetime": INT,
        "token_lifetime_for_web": INT,
        "token_dialect": {"type": "string", "enum": list(TokenDialect.values)},
        "enforce_policies": BOOL,
    },
    required=[
        "id",
        "name",
        "identifier",
        "scopes",
        "signing_alg",
        "allow_offline_access",
        "skip_consent_for_verifiable_first_party_clients",
        "token_lifetime",
        "token_lifetime_for_web",
    ],
)
RESPONSES = {
    "Scope": object_schema({"value": STRING, "description": STRING}, required=["value"]),
    "ResourceServer": _RESOURCE_SERVER,
    "ResourceServerList": totals("resource_servers", "ResourceServer"),
    # With `fields`, a GET returns any subset of the object.
    "ResourceServerFields": selection(_RESOURCE_SERVER),
    "ResourceServerFieldsList": totals("resource_servers", "ResourceServerFields"),
    "TenantSettings": _TENANT_SETTINGS,
    "TenantSettingsFields": selection(_TENANT_SETTINGS),
}

_TAG = "Resource Servers"
CONTRACT = Contract(
    requests=REQUESTS,
    responses=RESPONSES,
    paths={
        "mgmt-resource-servers": Path(
            "/resource-servers",
            _TAG,
            {
                "GET": Operation(
                    "get_resource_servers",
                    "Get resource servers",
                    (200, "Resource servers.", listing("ResourceServerFields")),
                    (400,),
                    parameters=RESOURCE_SERVERS_QUERY,
                ),
                "POST": Operation(
                    "post_resource_servers",
                    "Create a resource server",
                    (201, "Resource server created.", ref("ResourceServer")),
                    (400, 409),
                    body="ResourceServerCreate",
                    description="409 when the identifier is taken. 400 also when "
                    "token_lifetime_for_web is greater than token_lifetime, a scope is "
                    "repeated, signing_secret is sent for an RS256 API, or an RBAC setting is "
                    "asked for. An HS256 API created without signing_secret returns its "
                    "generated secret, once; a chosen secret is never returned.",
                ),
            },
        ),
        "mgmt-resource-server": Path(
            "/resource-servers/{id}",
            _TAG,
            {
                "GET": Operation(
                    "get_resource_servers_by_id",
                    "Get a resource server",
                    (200, "Resource server.", ref("ResourceServerFields")),
                    (404,),
                    parameters=[RS_ID_PARAM, *SINGLE_OBJECT_QUERY],
                ),
                "PATCH": Operation(
                    "patch_resource_servers_by_id",
                    "Update a resource server",
                    (200, "Resource server updated.", ref("ResourceServer")),
                    (400, 404),
                    parameters=[RS_ID_PARAM],
                    body="ResourceServerUpdate",
                    description="`scopes` replaces the whole list; scopes dropped from it are "
                    "removed from every client grant. The system API rejects `scopes` (400). "
                    "`signing_secret` rotates an HS256 API's secret (400 for RS256).",
                ),
                "DELETE": Operation(
                    "delete_resource_servers_by_id",
                    "Delete a resource server",
                    NO_CONTENT,
                    (400,),
                    parameters=[RS_ID_PARAM],
                    description="Deletes its client grants too. 400 for the system API.",
                ),
            },
        ),
        "mgmt-tenant-settings": _TENANT_SETTINGS_PATH,
    },
)
