"""Management API v2: clients (/api/v2/clients) and client grants (/api/v2/client-grants).

Auth0's shapes (AUTH0_COMPAT.md sections 5 and 6). A client's secret appears only in the
responses to create and rotate-secret; every other response is built without it.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse

from apis.models import Api
from applications import clients, refresh_settings
from applications.api_schemas import (
    CLIENT_GRANTS_QUERY,
    CLIENT_ID_PARAM,
    CLIENTS_QUERY,
    GRANT_ID_PARAM,
    REQUESTS,
)
from applications.client_settings_schemas import IGNORED_FIELDS
from applications.models import REFRESH_TOKEN_COLUMNS, Application, ClientGrant, IdTokenAlg
from config.api import (
    ApiError,
    by_checkpoint,
    checkpoint_paging,
    conflict,
    created,
    field_selection,
    invalid_body,
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
from keys.bearer import needs, needs_any, require, route
from keys.models import SigningKey


def _tenant_key() -> SigningKey | None:
    # Auth0 lists the tenant's signing certificate on every client.
    return SigningKey.objects.current()


def _client_or_404(client_id: str) -> Application:
    read_path(client_id, CLIENT_ID_PARAM)
    application = Application.objects.filter(client_id=client_id).first()
    if application is None:
        raise not_found("The client does not exist", "inexistent_client")
    return application


# Rotating a secret, by its endpoint or by PATCH's rotate_secret, takes update:client_keys.
ROTATE_SECRET_SCOPE = needs("update:client_keys")

# Domain field -> the Management API property that sets it, for error messages.
_PROPERTY_OF = {
    "id_token_alg": "jwt_configuration.alg",
    "id_token_lifetime": "jwt_configuration.lifetime_in_seconds",
    **{column: f"refresh_token.{member}" for member, column in REFRESH_TOKEN_COLUMNS.items()},
}


def _client_error(error: ValidationError) -> ApiError:
    """A domain ValidationError as invalid_body on the property the caller sent."""
    if hasattr(error, "error_dict"):
        field, messages = next(iter(error.message_dict.items()))
        message = messages[0]
        if message == clients.HS256_NEEDS_A_READABLE_SECRET:
            message += ' Send "rotate_secret": true with it.'
        return invalid_body(message, _PROPERTY_OF.get(field, field))
    return invalid_body_from(error)


def _domain_fields(body: dict[str, Any], current_alg: str) -> dict[str, Any]:
    """A validated ClientCreate/ClientUpdate body as applications.clients arguments: the
    ignored Auth0 fields dropped, jwt_configuration flattened, refresh_token null dropped
    (it changes nothing) and otherwise kept as its members (create_application takes them;
    update_client flattens them into columns)."""
    for name in IGNORED_FIELDS:
        body.pop(name, None)
    if body.get("refresh_token", {}) is None:
        del body["refresh_token"]
    jwt_configuration = body.pop("jwt_configuration", {})
    if "alg" in jwt_configuration:
        body["id_token_alg"] = jwt_configuration["alg"]
    if "lifetime_in_seconds" in jwt_configuration:
        body["id_token_lifetime"] = jwt_configuration["lifetime_in_seconds"]
    # secret_encoded true asks for HMAC with base64-decoded secret bytes; Gatehouse signs with
    # the secret as issued, so say so rather than sign with a key the client does not expect.
    if jwt_configuration.get("secret_encoded") and (
        body.get("id_token_alg", current_alg) == IdTokenAlg.HS256
    ):
        raise invalid_body(
            "HS256 ID tokens are signed with the client secret as issued, not base64-decoded: "
            "secret_encoded must be false",
            "jwt_configuration.secret_encoded",
        )
    return body


def list_clients(request: HttpRequest) -> JsonResponse:
    """Paged by page/per_page, or by from/take with client_id as the checkpoint."""
    query = read_query(request, CLIENTS_QUERY)
    applications = Application.objects.all()
    if "app_type" in query:
        applications = applications.filter(app_type__in=query["app_type"].split(","))
    if "is_first_party" in query:
        applications = applications.filter(is_first_party=query["is_first_party"])
    # No client here is global (Application.to_dict says so).
    if query.get("is_global") is True:
        applications = applications.none()
    key, select = _tenant_key(), field_selection(query)

    def render(application: Application) -> dict[str, object]:
        return select(application.to_dict(key))

    if checkpoint_paging(query):
        return by_checkpoint(
            applications.order_by("client_id"), query, "clients", render, key="client_id"
        )
    return paged(applications.order_by("name", "client_id"), query, "clients", render)


def create_client(request: HttpRequest) -> JsonResponse:
    read_query(request, [])
    body = _domain_fields(read_body(request, REQUESTS, "ClientCreate"), IdTokenAlg.RS256)
    try:
        application, secret = clients.create_application(**body)
    except ValidationError as error:
        raise _client_error(error) from error
    return created(application.to_dict(_tenant_key(), client_secret=secret))


def get_client(request: HttpRequest, client_id: str) -> JsonResponse:
    select = field_selection(read_query(request, SINGLE_OBJECT_QUERY))
    return ok(select(_client_or_404(client_id).to_dict(_tenant_key())))


def update_client(request: HttpRequest, client_id: str) -> JsonResponse:
    """All or nothing. `is_first_party` is fixed at creation (Auth0's new model): only its
    current value is accepted, so a Terraform plan that repeats it applies. `rotate_secret`
    (a Gatehouse extension) rotates the secret in the same transaction and returns it."""
    read_query(request, [])
    application = _client_or_404(client_id)
    body = _domain_fields(read_body(request, REQUESTS, "ClientUpdate"), application.id_token_alg)
    if body.pop("is_first_party", application.is_first_party) != application.is_first_party:
        raise invalid_body(
            "is_first_party cannot be changed after the client is created; create a new client",
            "is_first_party",
        )
    body.update(refresh_settings.columns_from(body.pop("refresh_token", {})))
    secret = None
    rotate = body.pop("rotate_secret", False)
    if rotate:
        require(request, ROTATE_SECRET_SCOPE)
    try:
        if rotate:
            application, secret = clients.update_and_rotate_secret(application, **body)
        elif body:
            application = clients.update_application(application, **body)
    except ValidationError as error:
        raise _client_error(error) from error
    return ok(application.to_dict(_tenant_key(), client_secret=secret))


def delete_client(request: HttpRequest, client_id: str) -> HttpResponse:
    """204 even when it does not exist; its grants go with it."""
    read_query(request, [])
    found = Application.objects.filter(client_id=read_path(client_id, CLIENT_ID_PARAM)).first()
    if found is not None:
        clients.delete_application(found)
    return no_content()


def rotate_client_secret(request: HttpRequest, client_id: str) -> JsonResponse:
    """200 with the client and its new secret; the old secret stops working at once."""
    read_query(request, [])
    application = _client_or_404(client_id)
    secret = clients.rotate_client_secret(application)
    return ok(application.to_dict(_tenant_key(), client_secret=secret))


# --- client grants ------------------------------------------------------------------------


def _grants() -> Any:
    return ClientGrant.objects.select_related("application", "api").prefetch_related("scopes")


def _grant_or_404(grant_id: str) -> ClientGrant:
    read_path(grant_id, GRANT_ID_PARAM)
    grant = _grants().filter(pk=grant_id).first()
    if grant is None:
        raise not_found("The grant does not exist.", "inexistent_client_grant")
    return grant


def list_client_grants(request: HttpRequest) -> JsonResponse:
    """Paged by page/per_page (Auth0's offset paging) or by from/take (checkpoints)."""
    query = read_query(request, CLIENT_GRANTS_QUERY)
    grants = _grants()
    if "audience" in query:
        grants = grants.filter(api__identifier=query["audience"])
    if "client_id" in query:
        grants = grants.filter(application__client_id=query["client_id"])
    if checkpoint_paging(query):
        return by_checkpoint(grants.order_by("id"), query, "client_grants", ClientGrant.to_dict)
    return paged(grants.order_by("created_at", "id"), query, "client_grants", ClientGrant.to_dict)


def create_client_grant(request: HttpRequest) -> JsonResponse:
    read_query(request, [])
    body = read_body(request, REQUESTS, "ClientGrantCreate")
    api = Api.objects.filter(identifier=body["audience"]).first()
    if api is None:
        raise not_found(
            f"No resource with identifier {body['audience']}", "inexistent_resource_server"
        )
    application = Application.objects.filter(client_id=body["client_id"]).first()
    if application is None:
        raise not_found("The client does not exist", "inexistent_client")
    try:
        grant = clients.create_grant(application, api, body.get("scope", []))
    except ValidationError as error:
        raise invalid_body_from(error) from error
    except clients.GrantExists as error:
        raise conflict(
            "A client grant for this client and audience already exists", "client_grant_conflict"
        ) from error
    return created(_grant_or_404(grant.pk).to_dict())


def get_client_grant(request: HttpRequest, grant_id: str) -> JsonResponse:
    read_query(request, [])
    return ok(_grant_or_404(grant_id).to_dict())


def update_client_grant(request: HttpRequest, grant_id: str) -> JsonResponse:
    """PATCH `scope`: the grant's whole scope list (null or [] clears it)."""
    read_query(request, [])
    grant = _grant_or_404(grant_id)
    body = read_body(request, REQUESTS, "ClientGrantUpdate")
    if "scope" in body:
        try:
            clients.update_grant_scopes(grant, body["scope"] or [])
        except ValidationError as error:
            raise invalid_body_from(error) from error
    return ok(_grant_or_404(grant_id).to_dict())


def delete_client_grant(request: HttpRequest, grant_id: str) -> HttpResponse:
    """204 even when it does not exist."""
    read_query(request, [])
    if grant := ClientGrant.objects.filter(pk=read_path(grant_id, GRANT_ID_PARAM)).first():
        clients.delete_grant(grant)
    return no_content()


# Auth0 lets any one of these read clients (AUTH0_COMPAT section 5). No secret is ever readable
# here (client secrets are stored as digests), so read:client_keys reads what read:clients does.
READ_CLIENTS = needs_any("read:clients", "read:client_keys", "read:client_summary")

client_list = route(
    GET=(list_clients, READ_CLIENTS),
    POST=(create_client, needs("create:clients")),
)
client = route(
    GET=(get_client, READ_CLIENTS),
    PATCH=(update_client, needs("update:clients")),
    DELETE=(delete_client, needs("delete:clients")),
)
client_secret_rotation = route(POST=(rotate_client_secret, ROTATE_SECRET_SCOPE))
client_grant_list = route(
    GET=(list_client_grants, needs("read:client_grants")),
    POST=(create_client_grant, needs("create:client_grants")),
)
client_grant = route(
    GET=(get_client_grant, needs("read:client_grants")),
    PATCH=(update_client_grant, needs("update:client_grants")),
    DELETE=(delete_client_grant, needs("delete:client_grants")),
)
