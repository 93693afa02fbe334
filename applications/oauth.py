"""The OAuth 2.0 client-credentials exchange (RFC 6749 section 4.4), without HTTP objects.

`token_request.parse` reads a TokenRequest off the wire; `exchange` authenticates the client
and issues a token; `issue_token` is the one path that mints every token (the endpoint, the
`mint_token` command and the console's Test tab).
Every failure is an OAuthError carrying its status and RFC 6749 section 5.2 body, with
Auth0's texts where Auth0 has them.
"""

import datetime as dt
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from apis.models import SCOPE_TOKEN_CHARACTERS, Api, SigningAlg, TokenDialect
from applications import credentials, grant_lookup
from applications.models import Application
from keys import signing

GRANT_TYPES_URI = "https://auth0.com/docs/clients/client-grant-types"
NO_AUDIENCE = "No audience parameter was provided, and no default audience has been configured"
# Why client authentication failed (OAuthError.reason; the client sees "Unauthorized").
UNKNOWN_CLIENT = "unknown_client"
WRONG_CLIENT_SECRET = "wrong_client_secret"
CLIENT_SECRET_REQUIRED = "client_secret_required"


class OAuthError(Exception):
    """A refused token request: `status` is the HTTP status (400, 401, 403, 404, 405, 413 or
    503), `error` and `description` the RFC 6749 section 5.2 error code and text, `error_uri`
    an optional link. `basic_challenge` asks for a WWW-Authenticate: Basic header, owed to a
    client that authenticated with HTTP Basic (section 5.2, invalid_client). `reason` is a
    short code saying why (say "wrong_client_secret" or a refresh_tokens reason), for the
    log event only: the client never sees it (Auth0 answers many refusals with one text)."""

    def __init__(
        self,
        status: int,
        error: str,
        description: str,
        *,
        basic_challenge: bool = False,
        error_uri: str | None = None,
        reason: str = "",
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.basic_challenge = basic_challenge
        self.error_uri = error_uri
        self.reason = reason

    def to_dict(self) -> dict[str, str]:
        """The RFC 6749 section 5.2 JSON body: error, error_description and, when set,
        error_uri (all strings)."""
        body = {"error": self.error, "error_description": self.description}
        if self.error_uri:
            body["error_uri"] = self.error_uri
        return body


def invalid_request(description: str) -> OAuthError:
    """RFC 6749 section 5.2 invalid_request, status 400: a malformed or incomplete request."""
    return OAuthError(400, "invalid_request", description)


@dataclass(frozen=True)
class TokenRequest:
    """A client-credentials token request (RFC 6749 section 4.4.2) as sent: each parameter a
    string, or None when absent. `client_id` and `client_secret` come from the body or from
    HTTP Basic (section 2.3.1), and `used_basic_auth` says which. `audience` is Auth0's name
    for the API; `resource` is RFC 8707's (section 2), already known to be an absolute URI
    without a fragment, or None. `scope` is space-separated (section 3.3). Nothing else is
    checked yet: `exchange` decides."""

    grant_type: str | None
    client_id: str | None
    client_secret: str | None
    audience: str | None
    scope: str | None
    resource: str | None = None
    used_basic_auth: bool = False
    # The authorization-code grant's parameters (RFC 6749 section 4.1.3, RFC 7636 section
    # 4.5), read by applications/code_exchange.py.
    code: str | None = None
    redirect_uri: str | None = None
    code_verifier: str | None = None
    # The refresh grant's (RFC 6749 section 6), read by applications/refresh_grant.py.
    refresh_token: str | None = None


@dataclass(frozen=True)
class TokenResponse:
    """An issued token (RFC 6749 section 4.4.3): a signed JWT, its lifetime in seconds, and
    the space-separated scopes it carries ("" for none). `id_token` is set only by the
    authorization-code and refresh grants when `openid` was granted (OIDC Core sections
    3.1.3.3 and 12.2); `refresh_token` only when one is issued (AUTH0_USER_FLOWS.md 4.1).

    `audience`, `client_name`, `user_id` (Auth0's `auth0|...`) and `user_name` (the email)
    say for whom it was issued, for the token's log event; they are not in the response
    body ("" when there is none: no user in client credentials, no API for /userinfo)."""

    access_token: str
    expires_in: int
    scope: str
    token_type: str = "Bearer"
    id_token: str | None = None
    refresh_token: str | None = None
    audience: str = ""
    client_name: str = ""
    user_id: str = ""
    user_name: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The RFC 6749 section 5.1 JSON body, in Auth0's key order: access_token,
        refresh_token and id_token (when issued), scope (left out when empty), expires_in
        (int, seconds) and token_type ("Bearer")."""
        body: dict[str, Any] = {"access_token": self.access_token}
        if self.refresh_token is not None:
            body["refresh_token"] = self.refresh_token
        if self.id_token is not None:
            body["id_token"] = self.id_token
        if self.scope:
            body["scope"] = self.scope
        body["expires_in"] = self.expires_in
        body["token_type"] = self.token_type
        return body


# RFC 6749 section 3.3: scope = scope-token *( SP scope-token ). Anything else, whatever
# Python calls whitespace (U+00A0, U+0085, U+3000, ...), is neither a separator nor part of
# a scope.
_NOT_IN_SCOPE = re.compile(rf"[^\x20{SCOPE_TOKEN_CHARACTERS}]")


def requested_scopes(scope: str | None) -> list[str] | None:
    """The scopes a `scope` parameter asks for (RFC 6749 section 3.3), in order, without
    repeats; None when it is absent or blank (only spaces), which asks for every granted scope.

    Only the space character U+0020 separates scopes (runs of it, and spaces around, are
    tolerated). Raises OAuthError 400 invalid_scope (section 5.2) naming the first character
    that is neither a space nor a scope-token character."""
    if scope is None:
        return None
    bad = _NOT_IN_SCOPE.search(scope)
    if bad is not None:
        raise OAuthError(
            400,
            "invalid_scope",
            f"Invalid scope: U+{ord(bad.group()):04X} is not allowed. Scopes are separated by "
            'spaces (U+0020) and hold printable ASCII characters other than " and \\.',
        )
    values = [value for value in scope.split(" ") if value]
    return list(dict.fromkeys(values)) or None


def _named_audience(request: TokenRequest) -> str | None:
    """The API the request names: `audience`, or RFC 8707's `resource` (section 2), which
    Gatehouse reads as the same thing; None when it names none (empty is absent, RFC 6749
    section 3.2). Both naming different APIs is invalid_request: nothing says which to pick."""
    audience, resource = request.audience or None, request.resource or None
    if audience is not None and resource is not None and audience != resource:
        raise invalid_request(
            "The audience and resource parameters name different APIs "
            f'("{audience}" and "{resource}"): send one of them, or the same value in both.'
        )
    return audience or resource


def _unauthorized(request: TokenRequest, reason: str) -> OAuthError:
    # Wrong secret and unknown client look the same (Auth0's body for both).
    return OAuthError(
        401,
        "access_denied",
        "Unauthorized",
        basic_challenge=request.used_basic_auth,
        reason=reason,
    )


def _unauthorized_client() -> OAuthError:
    return OAuthError(
        403,
        "unauthorized_client",
        "Grant type 'client_credentials' not allowed for the client.",
        error_uri=GRANT_TYPES_URI,
    )


def _authenticated(request: TokenRequest) -> Application:
    """The application the request authenticates as (client_id and secret, read on their own
    when no grant was found), or the 401 an unknown client and a wrong secret share."""
    application = Application.objects.filter(client_id=request.client_id).first()
    if application is None:
        raise _unauthorized(request, UNKNOWN_CLIENT)
    if not credentials.verify_secret(request.client_secret or "", application.secret_digest):
        raise _unauthorized(request, WRONG_CLIENT_SECRET)
    return application


def _no_grant(application: Application, audience: str) -> OAuthError:
    """Why an authenticated application without a grant for `audience` gets no token."""
    if not application.allows_client_credentials:
        return _unauthorized_client()
    if not Api.objects.filter(identifier=audience).exists():
        return OAuthError(403, "access_denied", f"Service not enabled within domain: {audience}")
    return OAuthError(
        403,
        "access_denied",
        f'Client "{application.client_id}" is not authorized to access resource server '
        f'"{audience}". You need to create a "client-grant" associated to this API.',
    )


def exchange(request: TokenRequest, now: dt.datetime | None = None) -> TokenResponse:
    """Authenticate the client and issue a token for the requested audience and scopes
    (RFC 6749 section 4.4): all of the grant's scopes when `scope` is absent or blank, else
    exactly the requested ones, each of which must be granted. The API is the one `audience`
    or `resource` names (RFC 8707), else the tenant's default audience (read only then, and
    kept in the connection's grant cache). `now` (an aware datetime, default the current
    time) sets iat and exp.

    Raises OAuthError (section 5.2, with Auth0's codes and texts): 400 invalid_request
    (also when `audience` and `resource` name different APIs), unsupported_grant_type, or
    invalid_scope for a scope that is not space-separated scope-tokens (section 3.3); 401
    access_denied for an unknown client or a wrong or missing secret, which look the same;
    403 unauthorized_client when the application may not use client credentials, 403
    access_denied when it has no grant for the audience, asks for a scope it was not
    granted, or names no audience where the tenant has no default. Lets
    signing.NoSigningKey and vault.UndecryptableSecret through: those are the server's
    faults, not the client's."""
    if not request.grant_type:
        raise invalid_request("Missing required parameter: grant_type")
    if request.grant_type != "client_credentials":
        raise OAuthError(
            400, "unsupported_grant_type", f"Unsupported grant type: {request.grant_type}"
        )
    if not request.client_id:
        raise invalid_request("Missing required parameter: client_id")
    audience = _named_audience(request)
    requested = requested_scopes(request.scope)  # syntax is checked before anything else
    if not request.client_secret:
        raise _unauthorized(request, CLIENT_SECRET_REQUIRED)
    if audience is None:
        audience = grant_lookup.default_audience()
    if audience is None:  # Auth0's 403, told only to an authenticated client
        application = _authenticated(request)
        if not application.allows_client_credentials:
            raise _unauthorized_client()
        raise OAuthError(403, "access_denied", NO_AUDIENCE)
    grant = grant_lookup.find(request.client_id, audience)
    if grant is None:  # a refusal; only now is the application looked up on its own
        raise _no_grant(_authenticated(request), audience)
    if not credentials.verify_secret(request.client_secret, grant.secret_digest):
        raise _unauthorized(request, WRONG_CLIENT_SECRET)
    return _mint(grant, requested, now)


def issue_token(
    client_id: str, audience: str, scope: str | None = None, now: dt.datetime | None = None
) -> TokenResponse:
    """Mint a token for an application without its secret: for trusted callers only
    (the CLI and the console's Test tab), with the same rules as the endpoint. `scope` is
    space-separated, None or blank for all granted scopes; `now` as in `exchange`.

    Raises OAuthError 404 invalid_client for an unknown client_id, else the same 400
    invalid_scope and 403s as `exchange`."""
    requested = requested_scopes(scope)
    grant = grant_lookup.find(client_id, audience)
    if grant is None:
        application = Application.objects.filter(client_id=client_id).first()
        if application is None:
            raise OAuthError(404, "invalid_client", f"Unknown client: {client_id}")
        raise _no_grant(application, audience)
    return _mint(grant, requested, now)


def _claims(
    grant: grant_lookup.Grant, scopes: list[str] | tuple[str, ...], issued_at: int
) -> dict[str, Any]:
    """The access token's claims in the API's dialect.

    access_token (also when never set): Auth0's client-credentials claims, in its order:
    iss, sub (`<client_id>@clients`), aud, iat, exp, scope (only when non-empty), gty, azp,
    jti. rfc9068_profile: RFC 9068 section 2.2's iss, exp, aud, sub, client_id, iat and jti,
    with scope as in section 2.2.3 (space-separated, only when non-empty) and no gty or azp.
    `sub` stays `<client_id>@clients`: section 2.2 wants an identifier of the client when no
    resource owner is involved, and the suffix keeps it apart from any user subject.
    """
    claims: dict[str, Any] = {
        "iss": settings.ISSUER,
        "sub": f"{grant.client_id}@clients",
        "aud": grant.audience,
        "iat": issued_at,
        "exp": issued_at + grant.token_lifetime,
    }
    if scopes:
        claims["scope"] = " ".join(scopes)
    if grant.token_dialect == TokenDialect.RFC9068_PROFILE:
        claims["client_id"] = grant.client_id
    else:
        claims["gty"] = "client-credentials"
        claims["azp"] = grant.client_id
    claims["jti"] = secrets.token_urlsafe(16)
    return claims


def _mint(
    grant: grant_lookup.Grant, requested: list[str] | None, now: dt.datetime | None
) -> TokenResponse:
    if not grant.allows_client_credentials:
        raise _unauthorized_client()
    if requested is None:
        scopes: list[str] | tuple[str, ...] = grant.scopes
    else:
        missing = [value for value in requested if value not in grant.scopes]
        if missing:
            raise OAuthError(
                403, "access_denied", f"Client has not been granted scopes: {' '.join(missing)}"
            )
        scopes = requested
    issued_at = int((now or timezone.now()).timestamp())
    claims = _claims(grant, scopes, issued_at)
    typ = "at+jwt" if grant.token_dialect == TokenDialect.RFC9068_PROFILE else "JWT"
    if grant.signing_alg == SigningAlg.HS256:
        access_token = signing.sign_hs256(claims, grant.encrypted_signing_secret, typ)
    else:
        access_token = signing.sign_rs256(claims, typ)
    return TokenResponse(
        access_token=access_token,
        expires_in=grant.token_lifetime,
        scope=claims.get("scope", ""),
        audience=grant.audience,
        client_name=grant.client_name,
    )
