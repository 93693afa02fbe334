"""The OpenAPI 3 document of the Management API v2, served at /api/v2/openapi.json.

Assembled from each app's slice of the contract (its `api_schemas.Contract`: request schemas,
which the views enforce, response schemas and operations) and from the routes themselves: an
operation's `x-required-scopes` is read from its route's `scopes_by_method`, so each scope is
written once, where it is enforced. A route without a documented operation, or the reverse,
stops the document from being built. A test runs schemathesis against the live application to
prove every response matches what is written here.

Domain free: it knows the apps only through the contracts and routes handed to `document()`.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern

from config.api import View, ok, public
from config.api_schema import SchemaDict, Schemas, ref

STRING: SchemaDict = {"type": "string"}
BOOL: SchemaDict = {"type": "boolean"}
INT: SchemaDict = {"type": "integer"}
DATE: SchemaDict = {"type": "string", "format": "date-time", "nullable": True}


class RouteScopes(Protocol):
    """What a route declares per method (keys.bearer.Scopes)."""

    names: tuple[str, ...]
    any_one: bool


def object_schema(properties: dict[str, Any], required: list[str] | None = None) -> SchemaDict:
    """A closed object; every property required unless `required` says otherwise."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def selection(schema: SchemaDict) -> SchemaDict:
    """What GET returns with Auth0's `fields`/`include_fields`: any subset of the object."""
    return {
        **schema,
        "required": [],
        "description": "The fields selected by `fields` and `include_fields`; "
        "all of them without `fields`.",
    }


def totals(plural: str, item: str) -> SchemaDict:
    """A page with `include_totals=true`: `{total, start, limit, <plural>}`."""
    return object_schema(
        {"total": INT, "start": INT, "limit": INT, plural: {"type": "array", "items": ref(item)}}
    )


def listing(item: str, extra: str | None = None) -> SchemaDict:
    """A list endpoint's 200: a bare array, the totals object, or `extra` (checkpoints)."""
    forms = [{"type": "array", "items": ref(item)}, ref(f"{item}List")]
    if extra:
        forms.append(ref(extra))
    return {"oneOf": forms}


NO_CONTENT = (204, "Deleted (also when it did not exist).", None)

ERROR_SCHEMA: SchemaDict = {
    "type": "object",
    "required": ["statusCode", "error", "message"],
    "additionalProperties": False,
    "properties": {
        "statusCode": INT,
        "error": STRING,
        "message": STRING,
        "errorCode": STRING,
        "attributes": {"type": "object", "properties": {"error": STRING}},
    },
}

_ERROR_TEXT = {
    400: "Invalid request body, query or path (the message names the property).",
    401: "Missing authentication or invalid token.",
    403: "Insufficient scope.",
    404: "The object (or the path) does not exist.",
    409: "Conflict with an existing object.",
    429: "Too many requests with this token (config/rate_limits.py); retry after Retry-After.",
}


@dataclass(frozen=True)
class Operation:
    """One documented method of a path, without its scopes (those come from the route).

    `success` is (status, description, response schema or None); `errors` the statuses
    besides 400, 401, 403 and 429 (always documented); `body` the name of a request schema.
    """

    operation_id: str
    summary: str
    success: tuple[int, str, SchemaDict | None]
    errors: tuple[int, ...] = ()
    parameters: Sequence[SchemaDict] = ()
    body: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Path:
    """A documented path (`/clients/{id}`), its tag, and its operations by HTTP method."""

    template: str
    tag: str
    operations: Mapping[str, Operation]


@dataclass(frozen=True)
class Contract:
    """One app's slice of the Management API: request schemas (enforced by its views),
    response schemas, and its paths keyed by the URL name of the route that serves them."""

    requests: Schemas
    responses: Mapping[str, SchemaDict]
    paths: Mapping[str, Path] = field(default_factory=dict)


def _json(schema: SchemaDict) -> SchemaDict:
    return {"application/json": {"schema": schema}}


def _operation(operation: Operation, tag: str, scopes: RouteScopes) -> SchemaDict:
    status, text, schema = operation.success
    responses: dict[str, Any] = {str(status): {"description": text}}
    if schema is not None:
        responses[str(status)]["content"] = _json(schema)
    # 400 everywhere: unknown query parameters and malformed path parameters are refused.
    # 429 everywhere: every request with a valid token counts against its rate limit.
    for code in sorted({400, *operation.errors, 401, 403, 429}):
        responses[str(code)] = {"description": _ERROR_TEXT[code], "content": _json(ref("Error"))}
        if code in (401, 403):  # RFC 6750 section 3
            responses[str(code)]["headers"] = {
                "WWW-Authenticate": {
                    "required": True,
                    "description": "Bearer challenge (error=invalid_token or insufficient_scope).",
                    "schema": {"type": "string", "pattern": "^Bearer "},
                }
            }
        if code == 429:  # RFC 6585 section 4; RFC 9110 section 10.2.3
            responses[str(code)]["headers"] = {
                "Retry-After": {
                    "required": True,
                    "description": "Seconds until the token's rate-limit window ends.",
                    "schema": {"type": "string", "pattern": "^[0-9]+$"},
                }
            }
    names = list(scopes.names)
    required = (
        f"Required scope: any one of {', '.join(names)}."
        if scopes.any_one
        else f"Required scope: {' and '.join(names)}."
    )
    documented: SchemaDict = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": [tag],
        "security": [{"bearerAuth": []}],
        "x-required-scopes": names,
        "description": (operation.description + "\n\n" if operation.description else "") + required,
        "parameters": list(operation.parameters),
        "responses": responses,
    }
    if operation.body is not None:
        documented["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": ref(operation.body)},
                "application/x-www-form-urlencoded": {"schema": ref(operation.body)},
            },
        }
    return documented


def _paths(contracts: Sequence[Contract], routes: Iterable[URLPattern]) -> SchemaDict:
    declared = {name: path for contract in contracts for name, path in contract.paths.items()}
    paths: SchemaDict = {}
    for route in routes:
        scopes_by_method: Mapping[str, RouteScopes] | None = getattr(
            route.callback, "scopes_by_method", None
        )
        if scopes_by_method is None:  # the public views
            continue
        path = declared.pop(str(route.name), None)
        if path is None or set(path.operations) != set(scopes_by_method):
            raise ImproperlyConfigured(
                f"route {route.name}: methods {sorted(scopes_by_method)} are not the documented "
                f"{sorted(path.operations) if path else []}"
            )
        paths[path.template] = {
            method.lower(): _operation(operation, path.tag, scopes_by_method[method])
            for method, operation in path.operations.items()
        }
    if declared:
        raise ImproperlyConfigured(f"documented paths without a route: {sorted(declared)}")
    return paths


def document(contracts: Sequence[Contract], routes: Iterable[URLPattern]) -> SchemaDict:
    """The document served at /api/v2/openapi.json (OpenAPI 3.0.3).

    Raises ImproperlyConfigured when a route and the documented operations disagree.
    """
    schemas: SchemaDict = {}
    for contract in contracts:
        schemas.update(contract.requests.by_name)
    schemas["Error"] = ERROR_SCHEMA
    for contract in contracts:
        schemas.update(contract.responses)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Gatehouse Management API",
            "version": "2",
            "description": "Auth0-compatible Management API v2 subset: resource servers, "
            "clients, client grants, signing keys, tenant settings, users and logs. Authenticate "
            "with a Bearer access token "
            f"for the audience {settings.MANAGEMENT_API_IDENTIFIER} (client credentials at "
            f"{settings.TOKEN_ENDPOINT}). Errors are "
            "{statusCode, error, message, errorCode}.",
        },
        "servers": [{"url": settings.PUBLIC_URL + "/api/v2"}],
        "paths": _paths(contracts, routes),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
            "schemas": schemas,
        },
    }


def view(contracts: Sequence[Contract], routes: Sequence[URLPattern]) -> View:
    """The public view of /api/v2/openapi.json (like Auth0's), built at each request because
    the document names PUBLIC_URL."""

    @public
    def openapi_document(request: HttpRequest) -> JsonResponse:
        return ok(document(contracts, routes))

    return openapi_document
