"""Registering and changing APIs (resource servers) and their scopes.

Every entry point validates the whole change before writing and writes in one transaction,
so the console, the CLI and the Management API share the same rules. Errors are Django
ValidationErrors keyed by field name.
"""

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from apis.models import Api, Scope, SigningAlg
from keys import vault
from logs import audit

MANAGEMENT_API_NAME = "Gatehouse Management API"
# Section 10 of AUTH0_COMPAT.md: resource servers, clients, client keys, client grants, keys;
# Auth0's tenant settings, users and logs scopes. `bootstrap` adds any missing to the system API.
MANAGEMENT_API_SCOPES: tuple[tuple[str, str], ...] = (
    ("read:resource_servers", "Read Resource Servers"),
    ("create:resource_servers", "Create Resource Servers"),
    ("update:resource_servers", "Update Resource Servers"),
    ("delete:resource_servers", "Delete Resource Servers"),
    ("read:clients", "Read Clients"),
    ("create:clients", "Create Clients"),
    ("update:clients", "Update Clients"),
    ("delete:clients", "Delete Clients"),
    ("read:client_keys", "Read Client Keys"),
    ("update:client_keys", "Update Client Keys"),
    ("read:client_summary", "Read Client Summary"),
    ("read:client_credentials", "Read Client Credentials"),
    ("create:client_credentials", "Create Client Credentials"),
    ("update:client_credentials", "Update Client Credentials"),
    ("delete:client_credentials", "Delete Client Credentials"),
    ("read:client_grants", "Read Client Grants"),
    ("create:client_grants", "Create Client Grants"),
    ("update:client_grants", "Update Client Grants"),
    ("delete:client_grants", "Delete Client Grants"),
    ("read:grants", "Read Grants"),
    ("delete:grants", "Delete Grants"),
    ("read:signing_keys", "Read Signing Keys"),
    ("create:signing_keys", "Create Signing Keys"),
    ("update:signing_keys", "Update Signing Keys"),
    ("read:tenant_settings", "Read Tenant Settings"),
    ("update:tenant_settings", "Update Tenant Settings"),
    ("read:users", "Read Users"),
    ("create:users", "Create Users"),
    ("update:users", "Update Users"),
    ("delete:users", "Delete Users"),
    ("read:refresh_tokens", "Read Refresh Tokens"),
    ("delete:refresh_tokens", "Delete Refresh Tokens"),
    ("read:sessions", "Read Sessions"),
    ("delete:sessions", "Delete Sessions"),
    ("read:logs", "Read Logs"),
    ("read:attack_protection", "Read Attack Protection"),
    ("update:attack_protection", "Update Attack Protection"),
)

# Fields a user may change after creation. identifier and signing_alg are immutable; the
# HS256 secret changes only through rotate_signing_secret and set_signing_secret.
EDITABLE_FIELDS = (
    "name",
    "token_lifetime",
    "token_lifetime_for_web",
    "allow_offline_access",
    "skip_consent_for_verifiable_first_party_clients",
    "token_dialect",
    "enforce_policies",
)
# Auth0's rule for a signing secret a caller chooses.
MIN_SIGNING_SECRET_LENGTH = 16
# Auth0's dialects that add a `permissions` claim from RBAC, which Gatehouse does not have.
RBAC_TOKEN_DIALECTS = ("access_token_authz", "rfc9068_profile_authz")


@dataclass(frozen=True)
class ScopeSpec:
    value: str
    description: str = ""


class SystemApiProtected(Exception):
    """The system Management API cannot be deleted, and its identifier and scopes are fixed."""


def new_signing_secret() -> str:
    """256 random bits for an HS256 API, as base64url text (the HMAC key is its UTF-8 bytes)."""
    return secrets.token_urlsafe(32)


def _refuse_rbac(fields: dict[str, Any]) -> None:
    """RBAC settings are refused by name, before the model's generic choice error."""
    dialect = fields.get("token_dialect")
    if dialect in RBAC_TOKEN_DIALECTS:
        raise ValidationError(
            {
                "token_dialect": f"token_dialect {dialect} needs RBAC permissions, which "
                "Gatehouse does not support yet"
            }
        )
    if fields.get("enforce_policies") is True:
        raise ValidationError(
            {
                "enforce_policies": "enforce_policies true needs RBAC roles and permissions, "
                "which Gatehouse does not support yet"
            }
        )


def _encrypted_chosen_secret(signing_alg: str, secret: str) -> str:
    """A caller's HS256 secret, checked and encrypted for storage (keys/vault.py)."""
    if signing_alg != SigningAlg.HS256:
        raise ValidationError(
            {
                "signing_secret": "Only HS256 APIs have a signing secret: this API's tokens "
                "are signed with the tenant's RS256 keys."
            }
        )
    if len(secret) < MIN_SIGNING_SECRET_LENGTH:
        raise ValidationError(
            {
                "signing_secret": "The signing secret must be at least "
                f"{MIN_SIGNING_SECRET_LENGTH} characters long."
            }
        )
    return vault.encrypt(secret.encode())


def _validated_scopes(api: Api, scopes: Sequence[ScopeSpec]) -> list[Scope]:
    rows = []
    seen: set[str] = set()
    for spec in scopes:
        scope = Scope(api=api, value=spec.value, description=spec.description)
        try:
            scope.full_clean(exclude=["api"], validate_unique=False)
        except ValidationError as error:
            raise ValidationError(
                {"scopes": [f"{spec.value!r}: {m}" for m in error.messages]}
            ) from error
        if spec.value in seen:
            raise ValidationError({"scopes": [f"Duplicate scope: {spec.value}."]})
        seen.add(spec.value)
        rows.append(scope)
    return rows


def with_web_lifetime(settings_fields: dict[str, Any]) -> dict[str, Any]:
    """`settings_fields` plus, when only `token_lifetime` (seconds) is given, the web lifetime
    Auth0 would pick: its default (7200 seconds) lowered to fit under the lifetime, since the
    web lifetime may not exceed it (Auth0's resource server settings)."""
    lifetime = settings_fields.get("token_lifetime")
    if not isinstance(lifetime, int) or "token_lifetime_for_web" in settings_fields:
        return settings_fields
    default = Api._meta.get_field("token_lifetime_for_web").get_default()
    return {**settings_fields, "token_lifetime_for_web": max(0, min(default, lifetime))}


def create_api(
    *,
    name: str,
    identifier: str,
    signing_alg: str = SigningAlg.RS256,
    scopes: Sequence[ScopeSpec] = (),
    is_system: bool = False,
    signing_secret: str | None = None,
    **settings_fields: object,
) -> tuple[Api, str | None]:
    """Create an API with its scopes. Returns the API and, for HS256, the secret Gatehouse
    generated, to be shown once; None when the caller chose `signing_secret` (HS256 only, at
    least 16 characters: it already has it) and for RS256.

    Raises ValidationError (keyed by field) and writes nothing when anything is invalid: a
    `token_lifetime` under the web lifetime's default needs a `token_lifetime_for_web` too
    (callers that take only a lifetime use `with_web_lifetime`); the RBAC dialects and
    `enforce_policies=True` are refused with that reason.
    """
    unknown = set(settings_fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    _refuse_rbac(settings_fields)
    api = Api(name=name, identifier=identifier, signing_alg=signing_alg, is_system=is_system)
    for field, value in settings_fields.items():
        setattr(api, field, value)
    secret = None
    if signing_secret is not None:
        api.encrypted_signing_secret = _encrypted_chosen_secret(signing_alg, signing_secret)
    elif signing_alg == SigningAlg.HS256:
        secret = new_signing_secret()
        api.encrypted_signing_secret = vault.encrypt(secret.encode())
    api.full_clean()  # includes the identifier uniqueness check
    scope_rows = _validated_scopes(api, scopes)
    try:
        with transaction.atomic():
            api.save(force_insert=True)
            Scope.objects.bulk_create(scope_rows)
            _logged("Create a resource server", api, None, api.to_dict(scopes=scope_rows))
    except IntegrityError as error:  # a concurrent create with the same identifier
        raise ValidationError(
            {"identifier": "An API with this identifier already exists."}
        ) from error
    return api, secret


def update_api(api: Api, **changes: object) -> Api:
    """Change editable settings. Nothing is saved unless every change is valid; the RBAC
    dialects and `enforce_policies=True` are refused with that reason."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"unexpected fields: {sorted(unknown)}")
    _refuse_rbac(changes)
    candidate = Api.objects.get(pk=api.pk)
    before = candidate.to_dict()
    for field, value in changes.items():
        setattr(candidate, field, value)
    candidate.full_clean(validate_unique=False)
    with transaction.atomic():
        candidate.save(update_fields=[*changes, "updated_at"])
        _logged("Update a resource server", candidate, before, candidate.to_dict())
    return candidate


def delete_api(api: Api) -> None:
    """Delete an API with its scopes and every client grant for it (one transaction)."""
    if api.is_system:
        raise SystemApiProtected("The system API cannot be deleted.")
    before = api.to_dict()
    with transaction.atomic():
        _logged("Delete a resource server", api, before, None)
        api.delete()


def add_scope(api: Api, value: str, description: str = "") -> Scope:
    if api.is_system:
        raise SystemApiProtected("The system API's scopes cannot be changed.")
    (scope,) = _validated_scopes(api, [ScopeSpec(value, description)])
    if Scope.objects.filter(api=api, value=value).exists():
        raise ValidationError({"value": f"The scope {value} already exists."})
    before = api.to_dict()
    try:
        with transaction.atomic():
            scope.save()
            _logged("Update a resource server", api, before, api.to_dict(scopes=None))
    except IntegrityError as error:
        raise ValidationError({"value": f"The scope {value} already exists."}) from error
    return scope


def delete_scope(scope: Scope) -> None:
    """Delete a scope; every client grant loses it in the same transaction."""
    if scope.api.is_system:
        raise SystemApiProtected("The system API's scopes cannot be changed.")
    api = scope.api
    before = api.to_dict()
    with transaction.atomic():
        scope.delete()
        _logged("Update a resource server", api, before, api.to_dict())


def replace_scopes(api: Api, scopes: Sequence[ScopeSpec]) -> list[Scope]:
    """Make the API's scopes exactly `scopes`: new ones added, descriptions updated, dropped
    ones deleted (and removed from every grant), all in one transaction."""
    if api.is_system:
        raise SystemApiProtected("The system API's scopes cannot be changed.")
    wanted = {row.value: row for row in _validated_scopes(api, scopes)}
    before = api.to_dict()
    with transaction.atomic():
        existing = {
            scope.value: scope for scope in Scope.objects.select_for_update().filter(api=api)
        }
        Scope.objects.filter(pk__in=[s.pk for v, s in existing.items() if v not in wanted]).delete()
        for value, row in wanted.items():
            if value in existing:
                if existing[value].description != row.description:
                    existing[value].description = row.description
                    existing[value].save(update_fields=["description"])
            else:
                row.save()
        after = list(Scope.objects.filter(api=api))
        _logged("Update a resource server", api, before, api.to_dict(scopes=after))
    return after


def reveal_signing_secret(api: Api) -> str:
    if api.signing_alg != SigningAlg.HS256:
        raise ValueError("only HS256 APIs have a signing secret")
    return vault.decrypt(api.encrypted_signing_secret).decode()


def set_signing_secret(api: Api, secret: str) -> None:
    """Rotate an HS256 API to a secret the caller chose (at least 16 characters); tokens
    signed with the old one stop verifying. ValidationError, and nothing changes, for a
    shorter secret or an RS256 API."""
    _save_signing_secret(api, _encrypted_chosen_secret(api.signing_alg, secret))


def rotate_signing_secret(api: Api) -> str:
    """A new HS256 secret; tokens signed with the old one stop verifying."""
    if api.signing_alg != SigningAlg.HS256:
        raise ValueError("only HS256 APIs have a signing secret")
    secret = new_signing_secret()
    _save_signing_secret(api, vault.encrypt(secret.encode()))
    return secret


def _save_signing_secret(api: Api, encrypted: str) -> None:
    # The log says that the secret changed; events.changes redacts both sides of it.
    before = {"signing_secret": api.encrypted_signing_secret}
    api.encrypted_signing_secret = encrypted
    with transaction.atomic():
        api.save(update_fields=["encrypted_signing_secret", "updated_at"])
        _logged(
            "Rotate a resource server's signing secret",
            api,
            before,
            {"signing_secret": encrypted},
        )


def _logged(
    description: str,
    api: Api,
    before: Mapping[str, object] | None,
    after: Mapping[str, object] | None,
) -> None:
    """The change's `sapi` log event (logs/audit.py), in the caller's transaction."""
    audit.changed(
        description,
        object_type="resource_server",
        object_id=api.id,
        before=before,
        after=after,
        audience=api.identifier,
    )


def reencrypt_signing_secrets() -> int:
    count = 0
    with transaction.atomic():
        for api in Api.objects.select_for_update().exclude(encrypted_signing_secret=""):
            api.encrypted_signing_secret = vault.reencrypt(api.encrypted_signing_secret)
            api.save(update_fields=["encrypted_signing_secret"])
            count += 1
    return count


def ensure_management_api() -> Api:
    """The system API, at PUBLIC_URL/api/v2/, with exactly the Management API scopes."""
    identifier = settings.MANAGEMENT_API_IDENTIFIER
    with transaction.atomic():
        api = Api.objects.select_for_update().filter(is_system=True).first()
        if api is None:
            api = Api.objects.create(
                name=MANAGEMENT_API_NAME, identifier=identifier, is_system=True
            )
        elif api.identifier != identifier:  # PUBLIC_URL changed since the last bootstrap
            api.identifier = identifier
            api.save(update_fields=["identifier", "updated_at"])
        have = set(Scope.objects.filter(api=api).values_list("value", flat=True))
        Scope.objects.bulk_create(
            [
                Scope(api=api, value=value, description=description)
                for value, description in MANAGEMENT_API_SCOPES
                if value not in have
            ]
        )
    return api
