"""The OpenAPI 3 document of the Management API v2, served at /api/v2/openapi.json.

Maintained by hand beside the code: the request schemas and query parameters come from
keys/management_schemas.py, which the views enforce, and a test runs schemathesis against the
live application to prove every response matches what is written here.
"""

from typing import Any

from django.conf import settings

from keys.management_schemas import (
    APP_TYPES,
    AUTH_METHODS,
    CLIENT_GRANTS_QUERY,
    CLIENT_ID_PARAM,
    CLIENT_READ_SCOPES,
    CLIENTS_QUERY,
    GRANT_ID_PARAM,
    KID_PARAM,
    REQUEST_SCHEMAS,
    RESOURCE_SERVERS_QUERY,
    RS_ID_PARAM,
    SIGNING_ALGS,
    SINGLE_OBJECT_QUERY,
    ref,
)

_STRING = {"type": "string"}
_BOOL = {"type": "boolean"}
_INT = {"type": "integer"}
_DATE = {"type": "string", "format": "date-time", "nullable": True}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def _selection(schema: dict[str, Any]) -> dict[str, Any]:
    """What GET returns with Auth0's `fields`/`include_fields`: any subset of the object."""
    return {
        **schema,
        "required": [],
        "description": "The fields selected by `fields` and `include_fields`; "
        "all of them without `fields`.",
    }


def _totals(plural: str, item: str) -> dict[str, Any]:
    return _object(
        {"total": _INT, "start": _INT, "limit": _INT, plural: {"type": "array", "items": ref(item)}}
    )


_CLIENT_PROPERTIES = {
    "client_id": _STRING,
    "name": _STRING,
    "description": _STRING,
    "app_type": {"type": "string", "enum": APP_TYPES},
    "grant_types": {"type": "array", "items": _STRING},
    "token_endpoint_auth_method": {"type": "string", "enum": AUTH_METHODS},
    "is_first_party": _BOOL,
    "oidc_conformant": _BOOL,
    "global": _BOOL,
    "callbacks": {"type": "array", "items": _STRING},
    "allowed_clients": {"type": "array", "items": _STRING},
    "client_aliases": {"type": "array", "items": _STRING},
    "jwt_configuration": _object(
        {"alg": _STRING, "lifetime_in_seconds": _INT, "secret_encoded": _BOOL}
    ),
    "signing_keys": {
        "type": "array",
        "items": _object({"cert": _STRING, "pkcs7": _STRING, "subject": _STRING}),
    },
}

RESPONSE_SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": {
        "type": "object",
        "required": ["statusCode", "error", "message"],
        "additionalProperties": False,
        "properties": {
            "statusCode": _INT,
            "error": _STRING,
            "message": _STRING,
            "errorCode": _STRING,
            "attributes": {"type": "object", "properties": {"error": _STRING}},
        },
    },
    "Scope": _object({"value": _STRING, "description": _STRING}, required=["value"]),
    "ResourceServer": _object(
        {
            "id": {"type": "string", "pattern": "^[0-9a-f]{24}$"},
            "name": _STRING,
            "identifier": _STRING,
            "is_system": _BOOL,
            "scopes": {"type": "array", "items": ref("Scope")},
            "signing_alg": {"type": "string", "enum": SIGNING_ALGS},
            "signing_secret": {
                "type": "string",
                "description": "HS256 only, and only in the response to the create request.",
            },
            "allow_offline_access": _BOOL,
            "skip_consent_for_verifiable_first_party_clients": _BOOL,
            "token_lifetime": _INT,
            "token_lifetime_for_web": _INT,
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
    ),
    "ResourceServerList": _totals("resource_servers", "ResourceServer"),
    # Without its secret: the secret is only ever in create and rotate-secret responses.
    "Client": _object(_CLIENT_PROPERTIES),
    "ClientWithSecret": _object({**_CLIENT_PROPERTIES, "client_secret": _STRING}),
    "ClientList": _totals("clients", "Client"),
    "ClientGrant": _object(
        {
            "id": _STRING,
            "client_id": _STRING,
            "audience": _STRING,
            "scope": {"type": "array", "items": _STRING},
        }
    ),
    "ClientGrantList": _totals("client_grants", "ClientGrant"),
    "ClientFieldsCheckpoint": _object(
        {
            "clients": {"type": "array", "items": ref("ClientFields")},
            "next": {"type": "string", "description": "Pass as `from` to get the next page."},
        },
        required=["clients"],
    ),
    "ClientGrantCheckpoint": _object(
        {
            "client_grants": {"type": "array", "items": ref("ClientGrant")},
            "next": {"type": "string", "description": "Pass as `from` to get the next page."},
        },
        required=["client_grants"],
    ),
    "SigningKey": _object(
        {
            "kid": _STRING,
            "cert": _STRING,
            "pkcs7": _STRING,
            "fingerprint": _STRING,
            "thumbprint": _STRING,
            "current": _BOOL,
            "next": _BOOL,
            "previous": _BOOL,
            "current_since": _DATE,
            "current_until": _DATE,
            "revoked": _BOOL,
            "revoked_at": _DATE,
        }
    ),
    "SigningKeyRef": _object({"kid": _STRING, "cert": _STRING}),
}
# With `fields`, a GET returns any subset of these objects.
RESPONSE_SCHEMAS["ResourceServerFields"] = _selection(RESPONSE_SCHEMAS["ResourceServer"])
RESPONSE_SCHEMAS["ResourceServerFieldsList"] = _totals("resource_servers", "ResourceServerFields")
RESPONSE_SCHEMAS["ClientFields"] = _selection(RESPONSE_SCHEMAS["Client"])
RESPONSE_SCHEMAS["ClientFieldsList"] = _totals("clients", "ClientFields")

_ERROR_TEXT = {
    400: "Invalid request body, query or path (the message names the property).",
    401: "Missing authentication or invalid token.",
    403: "Insufficient scope.",
    404: "The object (or the path) does not exist.",
    409: "Conflict with an existing object.",
}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _operation(
    operation_id: str,
    summary: str,
    scopes: list[str],
    success: tuple[int, str, dict[str, Any] | None],
    errors: tuple[int, ...],
    *,
    parameters: list[dict[str, Any]] = (),  # type: ignore[assignment]
    body: str | None = None,
    tag: str,
    description: str = "",
    any_scope: bool = False,
) -> dict[str, Any]:
    status, text, schema = success
    responses: dict[str, Any] = {str(status): {"description": text}}
    if schema is not None:
        responses[str(status)]["content"] = _json(schema)
    # 400 everywhere: unknown query parameters and malformed path parameters are refused.
    for code in sorted({400, *errors, 401, 403}):
        responses[str(code)] = {"description": _ERROR_TEXT[code], "content": _json(ref("Error"))}
        if code in (401, 403):  # RFC 6750 section 3
            responses[str(code)]["headers"] = {
                "WWW-Authenticate": {
                    "required": True,
                    "description": "Bearer challenge (error=invalid_token or insufficient_scope).",
                    "schema": {"type": "string", "pattern": "^Bearer "},
                }
            }
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": summary,
        "tags": [tag],
        "security": [{"bearerAuth": []}],
        "x-required-scopes": scopes,
        "description": (description + "\n\n" if description else "")
        + (
            f"Required scope: any one of {', '.join(scopes)}."
            if any_scope
            else f"Required scope: {' and '.join(scopes)}."
        ),
        "parameters": list(parameters),
        "responses": responses,
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": ref(body)},
                "application/x-www-form-urlencoded": {"schema": ref(body)},
            },
        }
    return operation


_NO_CONTENT = (204, "Deleted (also when it did not exist).", None)


def _listing(item: str, extra: str | None = None) -> dict[str, Any]:
    forms = [{"type": "array", "items": ref(item)}, ref(f"{item}List")]
    if extra:
        forms.append(ref(extra))
    return {"oneOf": forms}


def _paths() -> dict[str, Any]:
    rs, cl, cg, sk = "Resource Servers", "Clients", "Client Grants", "Signing Keys"
    return {
        "/resource-servers": {
            "get": _operation(
                "get_resource_servers",
                "Get resource servers",
                ["read:resource_servers"],
                (200, "Resource servers.", _listing("ResourceServerFields")),
                (400,),
                parameters=RESOURCE_SERVERS_QUERY,
                tag=rs,
            ),
            "post": _operation(
                "post_resource_servers",
                "Create a resource server",
                ["create:resource_servers"],
                (201, "Resource server created.", ref("ResourceServer")),
                (400, 409),
                body="ResourceServerCreate",
                tag=rs,
                description="409 when the identifier is taken. 400 also when "
                "token_lifetime_for_web is greater than token_lifetime, or a scope is repeated.",
            ),
        },
        "/resource-servers/{id}": {
            "get": _operation(
                "get_resource_servers_by_id",
                "Get a resource server",
                ["read:resource_servers"],
                (200, "Resource server.", ref("ResourceServerFields")),
                (404,),
                parameters=[RS_ID_PARAM, *SINGLE_OBJECT_QUERY],
                tag=rs,
            ),
            "patch": _operation(
                "patch_resource_servers_by_id",
                "Update a resource server",
                ["update:resource_servers"],
                (200, "Resource server updated.", ref("ResourceServer")),
                (400, 404),
                parameters=[RS_ID_PARAM],
                body="ResourceServerUpdate",
                tag=rs,
                description="`scopes` replaces the whole list; scopes dropped from it are "
                "removed from every client grant. The system API rejects `scopes` (400).",
            ),
            "delete": _operation(
                "delete_resource_servers_by_id",
                "Delete a resource server",
                ["delete:resource_servers"],
                _NO_CONTENT,
                (400,),
                parameters=[RS_ID_PARAM],
                tag=rs,
                description="Deletes its client grants too. 400 for the system API.",
            ),
        },
        "/clients": {
            "get": _operation(
                "get_clients",
                "Get clients",
                list(CLIENT_READ_SCOPES),
                (
                    200,
                    "Clients (never with their secrets).",
                    _listing("ClientFields", "ClientFieldsCheckpoint"),
                ),
                (400,),
                parameters=CLIENTS_QUERY,
                tag=cl,
                any_scope=True,
            ),
            "post": _operation(
                "post_clients",
                "Create a client",
                ["create:clients"],
                (201, "Client created, with its secret (shown once).", ref("ClientWithSecret")),
                (400,),
                body="ClientCreate",
                tag=cl,
                description="400 also for a public client (spa, native) with the "
                "client_credentials grant or a secret-based token_endpoint_auth_method.",
            ),
        },
        "/clients/{id}": {
            "get": _operation(
                "get_clients_by_id",
                "Get a client",
                list(CLIENT_READ_SCOPES),
                (200, "Client.", ref("ClientFields")),
                (404,),
                parameters=[CLIENT_ID_PARAM, *SINGLE_OBJECT_QUERY],
                tag=cl,
                any_scope=True,
            ),
            "patch": _operation(
                "patch_clients_by_id",
                "Update a client",
                ["update:clients"],
                (200, "Client updated.", ref("Client")),
                (400, 404),
                parameters=[CLIENT_ID_PARAM],
                body="ClientUpdate",
                tag=cl,
            ),
            "delete": _operation(
                "delete_clients_by_id",
                "Delete a client",
                ["delete:clients"],
                _NO_CONTENT,
                (),
                parameters=[CLIENT_ID_PARAM],
                tag=cl,
            ),
        },
        "/clients/{id}/rotate-secret": {
            "post": _operation(
                "post_rotate_secret",
                "Rotate a client secret",
                ["update:client_keys"],
                (200, "Client with its new secret (shown once).", ref("ClientWithSecret")),
                (404,),
                parameters=[CLIENT_ID_PARAM],
                tag=cl,
                description="The old secret stops working at once. No request body.",
            ),
        },
        "/client-grants": {
            "get": _operation(
                "get_client_grants",
                "Get client grants",
                ["read:client_grants"],
                (200, "Client grants.", _listing("ClientGrant", "ClientGrantCheckpoint")),
                (400,),
                parameters=CLIENT_GRANTS_QUERY,
                tag=cg,
                description="Paged by page/per_page/include_totals, or by from/take "
                "(checkpoint: `next` is present while more results remain).",
            ),
            "post": _operation(
                "post_client_grants",
                "Create a client grant",
                ["create:client_grants"],
                (201, "Client grant created.", ref("ClientGrant")),
                (400, 404, 409),
                body="ClientGrantCreate",
                tag=cg,
                description="404 for an unknown audience or client; 409 when the client "
                "already has a grant for the audience; 400 for a scope the API does not have.",
            ),
        },
        "/client-grants/{id}": {
            "get": _operation(
                "get_client_grants_by_id",
                "Get a client grant",
                ["read:client_grants"],
                (200, "Client grant.", ref("ClientGrant")),
                (404,),
                parameters=[GRANT_ID_PARAM],
                tag=cg,
            ),
            "patch": _operation(
                "patch_client_grants_by_id",
                "Update a client grant",
                ["update:client_grants"],
                (200, "Client grant updated.", ref("ClientGrant")),
                (400, 404),
                parameters=[GRANT_ID_PARAM],
                body="ClientGrantUpdate",
                tag=cg,
            ),
            "delete": _operation(
                "delete_client_grants_by_id",
                "Delete a client grant",
                ["delete:client_grants"],
                _NO_CONTENT,
                (),
                parameters=[GRANT_ID_PARAM],
                tag=cg,
            ),
        },
        "/keys/signing": {
            "get": _operation(
                "get_signing_keys",
                "Get all application signing keys",
                ["read:signing_keys"],
                (200, "Signing keys.", {"type": "array", "items": ref("SigningKey")}),
                (),
                tag=sk,
            ),
        },
        "/keys/signing/rotate": {
            "post": _operation(
                "post_signing_keys",
                "Rotate the application signing key",
                ["create:signing_keys", "update:signing_keys"],
                (201, "The key that now signs (until now the next key).", ref("SigningKeyRef")),
                (),
                tag=sk,
                description="No request body.",
            ),
        },
        "/keys/signing/{kid}": {
            "get": _operation(
                "get_signing_key",
                "Get an application signing key by its key id",
                ["read:signing_keys"],
                (200, "Signing key.", ref("SigningKey")),
                (404,),
                parameters=[KID_PARAM],
                tag=sk,
            ),
        },
        "/keys/signing/{kid}/revoke": {
            "put": _operation(
                "put_signing_keys",
                "Revoke an application signing key by its key id",
                ["update:signing_keys"],
                (200, "The revoked key.", ref("SigningKeyRef")),
                (400, 404),
                parameters=[KID_PARAM],
                tag=sk,
                description="400 for the current key (rotate first) or a revoked key. "
                "No request body.",
            ),
        },
    }


def document() -> dict[str, Any]:
    """The document served at /api/v2/openapi.json."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Gatehouse Management API",
            "version": "2",
            "description": "Auth0-compatible Management API v2 subset: resource servers, "
            "clients, client grants and signing keys. Authenticate with a Bearer access token "
            f"for the audience {settings.MANAGEMENT_API_IDENTIFIER} (client credentials at "
            f"{settings.PUBLIC_URL}/oauth/token). Errors are "
            "{statusCode, error, message, errorCode}.",
        },
        "servers": [{"url": settings.PUBLIC_URL + "/api/v2"}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
            "schemas": {**REQUEST_SCHEMAS, **RESPONSE_SCHEMAS},
        },
    }
