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
    DEFAULT_ID_TOKEN_LIFETIME,
    Application,
    AppType,
    ClientGrant,
    IdTokenAlg,
    TokenEndpointAuthMethod,
)
from keys import vault
from logs import audit

# `is_first_party` is not here: it is fixed when the application is created (Auth0 calls it
# immutable in its new model; AUTH0_USER_FLOWS.md section 2.2).
EDITABLE_FIELDS: tuple[str, ...] = (
    "name",
    "description",
    "app_type",
    "grant_types",
    "token_endpoint_auth_method",
    "callbacks",
    "allowed_logout_urls",
    "web_origins",
    "allowed_origins",
    "allow_loopback_any_port",
    "id_token_alg",
    "id_token_lifetime",
)
# The `refresh_token` object's columns (applications/refresh_settings.py).
EDITABLE_FIELDS += tuple(refresh_settings.COLUMNS.values())
HS256_NEEDS_A_READABLE_SECRET = (
    "HS256 signs ID tokens with the client secret, and Gatehouse keeps only a digest of this "
    "application's current secret: rotate the secret in the same change to switch to HS256."
)


class GrantExists(Exception):
    """The application already has a grant for this API (one per pair)."""


def create_application(
    *,
    name: str,
    app_type: str = AppType.NON_INTERACTIVE,
    description: str = "",
    grant_types: Sequence[str] | None = None,
    token_endpoint_auth_method: str | None = None,
    callbacks: Sequence[str] = (),
    allowed_logout_urls: Sequence[str] = (),
    web_origins: Sequence[str] = (),
    allowed_origins: Sequence[str] = (),
    is_first_party: bool = True,
    allow_loopback_any_port: bool = False,
    id_token_alg: str = IdTokenAlg.RS256,
    id_token_lifetime: int = DEFAULT_ID_TOKEN_LIFETIME,
    refresh_token: Mapping[str, Any] | None = None,
) -> tuple[Application, str]:
    """Create an application. Returns it with its client secret, which is never shown again.

    With `id_token_alg` HS256 the secret is also kept encrypted (keys/vault.py), since it is
    the HMAC key of the application's ID tokens. ValidationError (keyed by field) for any
    rule of Application.clean(): URLs per AUTH0_USER_FLOWS.md section 1.3, HS256 only for
    confidential clients, and the grant-type rules. `refresh_token` holds members of
    Auth0's `refresh_token` object; the others get the defaults of the application type
    (refresh_settings.defaults_for)."""
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
        callbacks=list(callbacks),
        allowed_logout_urls=list(allowed_logout_urls),
        web_origins=list(web_origins),
        allowed_origins=list(allowed_origins),
        is_first_party=is_first_party,
        allow_loopback_any_port=allow_loopback_any_port,
        id_token_alg=id_token_alg,
        id_token_lifetime=id_token_lifetime,
        **refresh_settings.defaults_for(app_type),
    )
    for column, value in refresh_settings.columns_from(dict(refresh_token or {})).items():
        setattr(application, column, value)
    application.full_clean()
    _keep_secret_for_hs256(application, secret)
    with transaction.atomic():
        application.save(force_insert=True)
        _logged("Create a client", application, None, _state(application))
    return application, secret


def _state(application: Application) -> dict[str, object]:
    """What the log compares: the Management API shape, and the secret's digest so that a
    rotation shows as a change (logs.events.changes redacts both sides; it is never stored)."""
    return {**application.to_dict(None), "client_secret": application.secret_digest}


def _logged(
    description: str,
    application: Application,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
) -> None:
    """The change's `sapi` log event (logs/audit.py), in the caller's transaction."""
    audit.changed(
        description,
        object_type="client",
        object_id=application.client_id,
        before=before,
        after=after,
    )


def _keep_secret_for_hs256(application: Application, secret: str | None) -> None:
    """Keep the secret encrypted exactly while ID tokens are HS256-signed with it. `secret` is
    a secret being issued now, or None to keep what is stored; RS256 clears it."""
    if application.id_token_alg != IdTokenAlg.HS256:
        application.encrypted_secret = ""
    elif secret is not None:
        application.encrypted_secret = vault.encrypt(secret.encode())
    elif not application.encrypted_secret:
        raise ValidationError({"id_token_alg": HS256_NEEDS_A_READABLE_SECRET})


def _update(
    application: Application, changes: dict[str, object], *, rotate: bool
) -> tuple[Application, str | None]:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    if "grant_types" in changes and not isinstance(changes["grant_types"], str):
        changes["grant_types"] = " ".join(changes["grant_types"])  # type: ignore[arg-type]
    with transaction.atomic():
        candidate = Application.objects.select_for_update().get(pk=application.pk)
        before = _state(candidate)
        for field, value in changes.items():
            setattr(candidate, field, value)
        candidate.full_clean(validate_unique=False)
        secret = credentials.new_client_secret() if rotate else None
        _keep_secret_for_hs256(candidate, secret)
        written = [*changes, "encrypted_secret", "updated_at"]
        if secret is not None:
            candidate.secret_digest = credentials.digest_secret(secret)
            written.append("secret_digest")
        candidate.save(update_fields=written)
        _logged("Update a client", candidate, before, _state(candidate))
    return candidate, secret


def update_application(application: Application, **changes: object) -> Application:
    """Change EDITABLE_FIELDS, all or nothing. ValidationError (keyed by field) for a broken
    rule, among them switching to HS256 without a readable secret (HS256_NEEDS_A_READABLE_
    SECRET: use update_and_rotate_secret); switching to RS256 forgets the stored secret."""
    return _update(application, dict(changes), rotate=False)[0]


def update_and_rotate_secret(
    application: Application, **changes: object
) -> tuple[Application, str]:
    """update_application() and rotate_client_secret() in one transaction: how an existing
    application switches to HS256. Returns the application and its new secret, shown once."""
    candidate, secret = _update(application, dict(changes), rotate=True)
    assert secret is not None
    return candidate, secret


def rotate_client_secret(application: Application) -> str:
    """A new secret; the old one stops working at once. Returns the new one, shown once.
    An HS256 application's ID tokens are signed with the new one from now on."""
    secret = credentials.new_client_secret()
    before = _state(application)
    application.secret_digest = credentials.digest_secret(secret)
    _keep_secret_for_hs256(application, secret)
    with transaction.atomic():
        application.save(update_fields=["secret_digest", "encrypted_secret", "updated_at"])
        _logged("Rotate a client secret", application, before, _state(application))
    return secret


def delete_application(application: Application) -> None:
    """Delete the application and its grants (one transaction, logged)."""
    before = _state(application)
    with transaction.atomic():
        _logged("Delete a client", application, before, None)
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
            _grant_logged("Create a client grant", grant, None, _grant_state(grant, scopes))
    except IntegrityError as error:
        raise GrantExists(
            f"{application.client_id} already has a grant for {api.identifier}"
        ) from error
    return grant


def update_grant_scopes(grant: ClientGrant, scope_values: Sequence[str]) -> ClientGrant:
    scopes = _scopes_of(grant.api, scope_values)
    with transaction.atomic():
        before = _grant_state(grant, list(grant.scopes.all()))
        grant.scopes.set(scopes)
        _grant_logged("Update a client grant", grant, before, _grant_state(grant, scopes))
    return grant


def authorize(application: Application, api: Api, scope_values: Sequence[str]) -> ClientGrant:
    """Create the grant, or replace its scopes when it exists (what the console's toggle does)."""
    scopes = _scopes_of(api, scope_values)
    with transaction.atomic():
        grant, created = ClientGrant.objects.get_or_create(application=application, api=api)
        before = None if created else _grant_state(grant, list(grant.scopes.all()))
        grant.scopes.set(scopes)
        description = "Create a client grant" if created else "Update a client grant"
        _grant_logged(description, grant, before, _grant_state(grant, scopes))
    return grant


def delete_grant(grant: ClientGrant) -> None:
    with transaction.atomic():
        before = _grant_state(grant, list(grant.scopes.all()))
        _grant_logged("Delete a client grant", grant, before, None)
        grant.delete()


def _grant_state(grant: ClientGrant, scopes: Sequence[Scope]) -> dict[str, object]:
    return grant.to_dict(sorted(scope.value for scope in scopes))


def _grant_logged(
    description: str,
    grant: ClientGrant,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
) -> None:
    audit.changed(
        description,
        object_type="client_grant",
        object_id=grant.id,
        before=before,
        after=after,
        audience=grant.api.identifier,
        details={"client_id": grant.application.client_id},
    )
