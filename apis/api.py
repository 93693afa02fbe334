"""Management API v2: resource servers (/api/v2/resource-servers) and the tenant's settings
(/api/v2/tenants/settings), in Auth0's shapes.

`{id}` is the id or the URL-encoded identifier. The route captures the rest of the path
(`<path:ref>`), which every server hands over already percent-decoded, so `https%3A%2F%2Fa%2F`
arrives as `https://a/` under the test client, runserver, live_server and gunicorn alike; an id
(24 hex characters) never contains '/', so anything else is looked up as an identifier.
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse

from apis import resource_servers
from apis import tenant_settings as settings_domain
from apis.api_schemas import OPTIONS_NOT_USED, REQUESTS, RESOURCE_SERVERS_QUERY, RS_ID_PARAM
from apis.models import Api, TenantSettings
from apis.resource_servers import ScopeSpec, SystemApiProtected
from config.api import (
    ApiError,
    conflict,
    created,
    field_selection,
    invalid_body_from,
    no_content,
    not_found,
    ok,
    paged,
    read_body,
    read_path,
    read_query,
)
from config.api_schema import SINGLE_OBJECT_QUERY
from keys.bearer import needs, route
from logs import audit

_API_ID = re.compile(r"[0-9a-f]{24}")


def _find(ref: str) -> Api | None:
    read_path(ref, RS_ID_PARAM)
    apis = Api.objects.prefetch_related("scopes")
    if _API_ID.fullmatch(ref):
        api = apis.filter(pk=ref).first()
        if api is not None:
            return api
    return apis.filter(identifier=ref).first()


def _find_or_404(ref: str) -> Api:
    api = _find(ref)
    if api is None:
        raise not_found("The resource server does not exist", "inexistent_resource_server")
    return api


def _duplicate() -> ApiError:
    return conflict(
        "A resource server with the same identifier already exists", "resource_server_conflict"
    )


def _scope_specs(scopes: list[dict[str, str]]) -> list[ScopeSpec]:
    return [ScopeSpec(scope["value"], scope.get("description", "")) for scope in scopes]


def _drop_unused_options(body: dict[str, Any]) -> None:
    # The schema let them through only with the value that means "not used".
    for name in OPTIONS_NOT_USED:
        body.pop(name, None)


def list_resource_servers(request: HttpRequest) -> JsonResponse:
    query = read_query(request, RESOURCE_SERVERS_QUERY)
    apis = Api.objects.prefetch_related("scopes").order_by("-is_system", "name", "id")
    if "identifiers" in query:
        apis = apis.filter(identifier__in=query["identifiers"])
    select = field_selection(query)
    return paged(apis, query, "resource_servers", lambda api: select(api.to_dict()))


def create_resource_server(request: HttpRequest) -> JsonResponse:
    read_query(request, [])
    body = read_body(request, REQUESTS, "ResourceServerCreate")
    identifier = body.pop("identifier")
    # Auth0 lets the name be omitted; Gatehouse names every API, so it takes the identifier
    # (up to the name's 200 characters; identifiers may have 600).
    name = body.pop("name", identifier[:200])
    scopes = _scope_specs(body.pop("scopes", []))
    _drop_unused_options(body)
    if Api.objects.filter(identifier=identifier).exists():
        raise _duplicate()
    try:
        api, secret = resource_servers.create_api(
            name=name,
            identifier=identifier,
            scopes=scopes,
            signing_secret=body.pop("signing_secret", None),
            **resource_servers.with_web_lifetime(body),
        )
    except ValidationError as error:
        if Api.objects.filter(identifier=identifier).exists():  # created meanwhile
            raise _duplicate() from error
        raise invalid_body_from(error) from error
    result: dict[str, Any] = Api.objects.prefetch_related("scopes").get(pk=api.pk).to_dict()
    # HS256: the caller needs a secret it had generated; one it chose is not echoed (Auth0).
    if secret is not None:
        result["signing_secret"] = secret
    return created(result)


def get_resource_server(request: HttpRequest, ref: str) -> JsonResponse:
    select = field_selection(read_query(request, SINGLE_OBJECT_QUERY))
    return ok(select(_find_or_404(ref).to_dict()))


def update_resource_server(request: HttpRequest, ref: str) -> JsonResponse:
    """PATCH: `scopes` replaces the whole list (dropped scopes leave every grant);
    `signing_secret` rotates an HS256 API to that secret. All or nothing."""
    read_query(request, [])
    api = _find_or_404(ref)
    schema = "SystemResourceServerUpdate" if api.is_system else "ResourceServerUpdate"
    body = read_body(request, REQUESTS, schema)
    scopes = body.pop("scopes", None)
    signing_secret = body.pop("signing_secret", None)
    _drop_unused_options(body)
    try:
        with transaction.atomic(), audit.one_operation():
            if body:
                api = resource_servers.update_api(api, **body)
            if signing_secret is not None:
                resource_servers.set_signing_secret(api, signing_secret)
            if scopes is not None:
                resource_servers.replace_scopes(api, _scope_specs(scopes))
    except ValidationError as error:
        raise invalid_body_from(error) from error
    return ok(_find_or_404(api.pk).to_dict())


def delete_resource_server(request: HttpRequest, ref: str) -> HttpResponse:
    """204 even when it does not exist (Auth0 does the same)."""
    read_query(request, [])
    api = _find(ref)
    if api is not None:
        try:
            resource_servers.delete_api(api)
        except SystemApiProtected as error:
            raise ApiError(
                400, "The system resource server cannot be deleted.", "operation_not_supported"
            ) from error
    return no_content()


def get_tenant_settings(request: HttpRequest) -> JsonResponse:
    select = field_selection(read_query(request, SINGLE_OBJECT_QUERY))
    return ok(select(TenantSettings.objects.current().to_dict()))


def update_tenant_settings(request: HttpRequest) -> JsonResponse:
    """PATCH: only what the body names changes; `default_audience: ""` clears it."""
    read_query(request, [])
    body = read_body(request, REQUESTS, "TenantSettingsUpdate")
    if "default_audience" in body:
        try:
            settings_domain.update(default_audience=body["default_audience"])
        except ValidationError as error:
            raise invalid_body_from(error) from error
    return ok(TenantSettings.objects.current().to_dict())


resource_server_list = route(
    GET=(list_resource_servers, needs("read:resource_servers")),
    POST=(create_resource_server, needs("create:resource_servers")),
)
resource_server = route(
    GET=(get_resource_server, needs("read:resource_servers")),
    PATCH=(update_resource_server, needs("update:resource_servers")),
    DELETE=(delete_resource_server, needs("delete:resource_servers")),
)
tenant_settings = route(
    GET=(get_tenant_settings, needs("read:tenant_settings")),
    PATCH=(update_tenant_settings, needs("update:tenant_settings")),
)
