"""The grant behind a token request, read fast: the client, its API and its granted scopes.

This is the token endpoint's whole success path on the database side (RFC 6749 section 4.4):
one hand-written query, on PostgreSQL through a prepared server-side-binding cursor, and its
result kept per connection by applications/grant_cache.py until the database says something
it was read from changed. `oauth` decides what a grant allows; this module only reads it.

The grants that act for a user (the refresh and code grants) read the same way, through the
same cache, the client (`application`) and an API with its scope values (`api_with_scopes`).
"""

from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import models

from apis.models import SINGLETON_ID, Api, Scope, TenantSettings
from applications import grant_cache, prepared_sql
from applications.models import CLIENT_CREDENTIALS, Application, ClientGrant

Value = TypeVar("Value")
ModelT = TypeVar("ModelT", bound=models.Model)


@dataclass(frozen=True)
class Grant:
    """What minting needs about one (application, API) grant, read in a single query.

    `client_id`, `client_name` and `secret_digest` (hex HMAC-SHA256, see
    applications/credentials.py) are the application's (the name for the token's log event);
    `grant_types` is its space-separated grant types. `audience` is the API's
    identifier, `signing_alg` a SigningAlg value ("RS256" or "HS256"),
    `encrypted_signing_secret` its HS256 secret as stored (vault-encrypted, "" for RS256) and
    `token_lifetime` its token lifetime in seconds, `token_dialect` a TokenDialect value or ""
    (never set, which means access_token). `scopes` holds the granted scope values, sorted,
    possibly empty.
    """

    client_id: str
    secret_digest: str
    grant_types: str
    client_name: str
    audience: str
    signing_alg: str
    encrypted_signing_secret: str
    token_lifetime: int
    token_dialect: str
    scopes: tuple[str, ...]

    @property
    def allows_client_credentials(self) -> bool:
        """Whether the application may use the client-credentials grant (RFC 6749 section 4.4)."""
        return CLIENT_CREDENTIALS in self.grant_types.split(" ")  # as Application does


@cache
def _grant_sql() -> str:
    # Hand-written because this is the token endpoint's whole success path: one query for
    # the client, the API and the granted scopes (one row per scope). Building the same
    # thing through the ORM costs about 20 times more CPU per request than executing it.
    # Table and column names come from the models, so migrations stay the source of truth.
    through = ClientGrant.scopes.through
    field = ClientGrant.scopes.field
    # Identifiers come from the models and the values are bound parameters.
    return (
        "SELECT a.client_id, a.secret_digest, a.grant_types, p.identifier, p.signing_alg, "  # noqa: S608
        "p.encrypted_signing_secret, p.token_lifetime, p.token_dialect, a.name, s.value "
        f"FROM {ClientGrant._meta.db_table} g "
        f"JOIN {Application._meta.db_table} a ON a.id = g.application_id "
        f"JOIN {Api._meta.db_table} p ON p.id = g.api_id "
        f"LEFT JOIN {through._meta.db_table} gs ON gs.{field.m2m_column_name()} = g.id "
        f"LEFT JOIN {Scope._meta.db_table} s ON s.id = gs.{field.m2m_reverse_name()} "
        "WHERE a.client_id = %s AND p.identifier = %s "
        "ORDER BY s.value"
    )


def _fetch_rows(client_id: str, audience: str) -> list[tuple[Any, ...]]:
    # On PostgreSQL, planning this five-table join costs about ten times more than running
    # it (measured: ~1 ms against ~0.09 ms), so it runs prepared (applications/prepared_sql.py).
    return prepared_sql.fetchall(_grant_sql(), [client_id, audience])


def find(client_id: str, audience: str) -> Grant | None:
    """The grant of the application `client_id` for the API whose identifier is `audience`
    (both as sent in the token request), or None when there is none: no such application, no
    such API, or no grant between them. A found grant comes from this connection's cache when
    nothing has changed since it was read; None is always read afresh. One query, none on a
    cache hit (plus grant_cache's LISTEN, once per PostgreSQL connection)."""
    return grant_cache.cached((client_id, audience), lambda: _read(client_id, audience))


# A key no grant can have: grants are keyed by (client_id, audience) pairs.
_DEFAULT_AUDIENCE_KEY = ("default_audience",)


def default_audience() -> str | None:
    """The identifier of the tenant's default audience (apis.models.TenantSettings), or None
    when there is none. Only token requests that name no API ask, so a request that names
    one never pays for it; the answer is kept in the connection's cache beside the grants and
    forgotten like them when the database reports a change (the settings table has the same
    NOTIFY trigger, migration 0003). One query, none on a cache hit."""
    return grant_cache.cached(_DEFAULT_AUDIENCE_KEY, _read_default_audience)


def _read_default_audience() -> str | None:
    return (
        TenantSettings.objects.filter(pk=SINGLETON_ID)
        .values_list("default_audience__identifier", flat=True)
        .first()
    )


def _read(client_id: str, audience: str) -> Grant | None:
    rows = _fetch_rows(client_id, audience)
    if not rows:
        return None
    first = rows[0]
    return Grant(
        client_id=first[0],
        secret_digest=first[1],
        grant_types=first[2],
        audience=first[3],
        signing_alg=first[4],
        encrypted_signing_secret=first[5],
        token_lifetime=first[6],
        token_dialect=first[7],
        client_name=first[8],
        scopes=tuple(row[9] for row in rows if row[9] is not None),
    )


def _copy(instance: ModelT) -> ModelT:
    # Each caller gets its own (shallow) copy of a cached model instance, so setting a field
    # in one request never changes what the next one reads. Its lists (callbacks, origins)
    # are shared: read them, never change them in place. Built as Model.__getstate__ builds
    # a copy of the instance's state (its fields, and its _state with a fields cache of its
    # own), without copy.copy's detour through pickling, which looks the model up again.
    state = instance._state
    return prepared_sql.bare(
        type(instance),
        instance.__dict__.items(),
        state.db,
        adding=state.adding,
        fields_cache=state.fields_cache,
    )


def _copy_of(instance: ModelT | None) -> ModelT | None:
    return None if instance is None else _copy(instance)


def application(client_id: str) -> Application | None:
    """The application whose client_id is `client_id`, or None. From this connection's
    cache when nothing changed since it was read (applications/grant_cache.py; the
    applications table has the NOTIFY trigger, migration 0002): no query on a hit, one on a
    miss; None is always read afresh. Outside a transaction only."""
    found = grant_cache.cached(
        ("application", "client_id", client_id),
        lambda: Application.objects.filter(client_id=client_id).first(),
    )
    return _copy_of(found)


@dataclass(frozen=True)
class ApiWithScopes:
    """An API (its model instance, a copy of the cached one) and the values of the scopes it
    defines now."""

    api: Api
    scopes: frozenset[str]


def _read_api(identifier: str) -> ApiWithScopes | None:
    api = Api.objects.filter(identifier=identifier).first()
    if api is None:
        return None
    return ApiWithScopes(api, frozenset(api.scopes.values_list("value", flat=True)))


def api_with_scopes(identifier: str, *, in_transaction: bool = False) -> ApiWithScopes | None:
    """The API whose identifier is `identifier` with its scope values, or None. Cached like
    `application` (APIs and scopes have the NOTIFY trigger): no query on a hit, two on a
    miss. `in_transaction`: the caller is inside a transaction it opened and that has not
    written to the APIs, scopes, applications or grants (grant_cache.cached)."""
    found = grant_cache.cached(
        ("api", "identifier", identifier),
        lambda: _read_api(identifier),
        in_transaction=in_transaction,
    )
    if found is None:
        return None
    return ApiWithScopes(_copy(found.api), found.scopes)
