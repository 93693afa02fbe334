"""Creating applications, rotating their secrets, and authorizing them for APIs (grants).

Shared by the console, the CLI and the Management API. Errors are ValidationErrors keyed by
field; every write that touches several rows runs in one transaction.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apis.models import Api, Scope
from applications import credentials, refresh_settings
from applications.models import (
    DEFAULT_GRANT_TYPES,
    Application,
    AppType,
    ClientGrant,
    TokenEndpointAuthMethod,
)

EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "app_type",
    "grant_types",
    "token_endpoint_auth_method",
)
# The `refresh_token` object's columns (applications/refresh_settings.py).
EDITABLE_FIELDS += tuple(refresh_settings.COLUMNS.values())


class GrantExists(Exception):
    """The application already has a grant for this API (one per pair)."""


def create_application(
    *,
    name: str,
    app_type: str = AppType.NON_INTERACTIVE,
    description: str = "",
    grant_types: Sequence[str] | None = None,
    token_endpoint_auth_method: str | None = None,
    refresh_token: Mapping[str, Any] | None = None,
) -> tuple[Application, str]:
    """Create an application. Returns it with its client secret, which is never shown again.
    `refresh_token` holds members of Auth0's `refresh_token` object; the others get the
    defaults of the application type (refresh_settings.defaults_for)."""
    if grant_types is None:
        grant_types = DEFAULT_GRANT_TYPES.get(app_type, [])
    if token_endpoint_auth_method is None:
        token_endpoint_auth_method = (
            TokenEndpointAuthMethod.NONE
            if app_type in AppType.public_clients()
            else TokenEndpointAuthMethod.CLIENT_SECRET_POST
        )
    secret = credentials.new_client_secret()
    application = Application(
        name=name,
        description=description,
        app_type=app_type,
        grant_types=" ".join(grant_types),
        token_endpoint_auth_method=token_endpoint_auth_method,
        secret_digest=credentials.digest_secret(secret),
        **refresh_settings.defaults_for(app_type),
    )
    for column, value in refresh_settings.columns_from(dict(refresh_token or {})).items():
        setattr(application, column, value)
    application.full_clean()
    application.save(force_insert=True)
    return application, secret


def update_application(application: Application, **changes: object) -> Application:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    if "grant_types" in changes and not isinstance(changes["grant_types"], str):
        changes["grant_types"] = " ".join(changes["grant_types"])  # type: ignore[arg-type]
    candidate = Application.objects.get(pk=application.pk)
    for field, value in changes.items():
        setattr(candidate, field, value)
    candidate.full_clean(validate_unique=False)
    candidate.save(update_fields=[*changes, "updated_at"])
    return candidate


def rotate_client_secret(application: Application) -> str:
    """A new secret; the old one stops working at once. Returns the new one, shown once."""
    secret = credentials.new_client_secret()
    application.secret_digest = credentials.digest_secret(secret)
    application.save(update_fields=["secret_digest", "updated_at"])
    return secret


def delete_application(application: Application) -> None:
    with transaction.atomic():
        application.delete()


def _scopes_of(api: Api, values: Sequence[str]) -> list[Scope]:
    if len(set(values)) != len(values):
        raise ValidationError({"scope": "Scopes must be unique."})
    scopes = list(Scope.objects.filter(api=api, value__in=values))
    missing = sorted(set(values) - {scope.value for scope in scopes})
    if missing:
        raise ValidationError({"scope": f"Not a scope of {api.identifier}: {', '.join(missing)}."})
    return scopes


def create_grant(application: Application, api: Api, scope_values: Sequence[str]) -> ClientGrant:
    scopes = _scopes_of(api, scope_values)
    try:
        with transaction.atomic():
            grant = ClientGrant.objects.create(application=application, api=api)
            grant.scopes.set(scopes)
    except IntegrityError as error:
        raise GrantExists(
            f"{application.client_id} already has a grant for {api.identifier}"
        ) from error
    return grant


def update_grant_scopes(grant: ClientGrant, scope_values: Sequence[str]) -> ClientGrant:
    scopes = _scopes_of(grant.api, scope_values)
    with transaction.atomic():
        grant.scopes.set(scopes)
    return grant


def authorize(application: Application, api: Api, scope_values: Sequence[str]) -> ClientGrant:
    """Create the grant, or replace its scopes when it exists (what the console's toggle does)."""
    scopes = _scopes_of(api, scope_values)
    with transaction.atomic():
        grant, _ = ClientGrant.objects.get_or_create(application=application, api=api)
        grant.scopes.set(scopes)
    return grant


def delete_grant(grant: ClientGrant) -> None:
    with transaction.atomic():
        grant.delete()
