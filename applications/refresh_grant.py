"""The refresh-token grant at the token endpoint (RFC 6749 section 6; OIDC Core section 12;
AUTH0_USER_FLOWS.md section 4.2), without HTTP objects: a TokenRequest in (read by
applications/token_request.py), a TokenResponse out or an OAuthError raised.

Order of checks: the request's own parameters (400), the client's authentication (401, the
code grant's rules, applications/client_auth.py), the client's grant types (403
unauthorized_client), then the token (applications/refresh_exchange.py: 403 invalid_grant
"Unknown or invalid refresh token." for an unknown, revoked, expired, idle, reused or
another client's token; auth0-spa-js keys on the substring "invalid refresh token").

`scope` (null and "" are absent): omitted, the family's scopes; a subset downscopes this
response only (the family keeps its scopes, and a rotating family still rotates); anything
the family was not granted is refused with 403 invalid_scope "Scopes not granted to the
refresh token: <scopes>" (RFC 6749 section 6: "MUST NOT include any scope not originally
granted"; 403 like Auth0's other grant refusals, the text is Gatehouse's), and the token is
not spent. `redirect_uri`, `audience` and the others are ignored: the family decides.

The response: a new access token for the family's API with `gty: "refresh_token"` (or a new
opaque /userinfo token when it has none), a new ID token when `openid` is among the scopes
(fresh profile claims, the same `sid` and `auth_time`, no `nonce`: OIDC Core section 12.2),
and a refresh token only when the family rotates. Tokens are signed after the commit, so no
RSA work happens while the family's lock is held.
"""

import datetime as dt
import logging
from collections.abc import Sequence

from django.conf import settings
from django.utils import timezone

from apis.models import Api
from applications import (
    client_auth,
    grant_lookup,
    id_tokens,
    refresh_exchange,
    refresh_tokens,
    user_access_tokens,
)
from applications.models import Application, RefreshTokenFamily
from applications.oauth import (
    GRANT_TYPES_URI,
    OAuthError,
    TokenRequest,
    TokenResponse,
    invalid_request,
    requested_scopes,
)
from applications.userinfo import OIDC_SCOPES

logger = logging.getLogger(__name__)

REFRESH_TOKEN = "refresh_token"
OFFLINE_ACCESS = "offline_access"
INVALID_REFRESH_TOKEN = "Unknown or invalid refresh token."
USER_BLOCKED = "user is blocked"  # auth0-spa-js logs the user out on this substring


def issues_refresh_token(application: Application, api: Api | None, scopes: Sequence[str]) -> bool:
    """Section 4.1: a code exchange issues a refresh token only when `offline_access` was
    granted, the API allows offline access and the client may use the refresh grant; else
    none, silently (and `offline_access` is left out of the response's `scope`)."""
    return (
        OFFLINE_ACCESS in scopes
        and api is not None
        and api.allow_offline_access
        and REFRESH_TOKEN in application.grant_type_list
    )


def _invalid_grant(description: str = INVALID_REFRESH_TOKEN, reason: str = "") -> OAuthError:
    return OAuthError(403, "invalid_grant", description, reason=reason)


def _api_of(family: RefreshTokenFamily) -> grant_lookup.ApiWithScopes | None:
    """The family's API with its scope values, None for a /userinfo-only family. A deleted
    API (also when another was created with its identifier since), or one that no longer
    allows offline access, makes its refresh tokens invalid.
    Called under the family's lock, before anything is written: the API comes from the
    connection's grant cache (no query on a warm connection)."""
    if not family.audience or family.audience == settings.USERINFO_AUDIENCE:
        return None
    found = grant_lookup.api_with_scopes(family.audience, in_transaction=True)
    if found is not None and found.api.created_since(family.created_at):
        found = None  # the family was for a deleted API of the same identifier
    if found is None or not found.api.allow_offline_access:
        reason = "API deleted" if found is None else "API no longer allows offline access"
        logger.info("refresh token refused: %s (family %s)", reason, family.pk)
        raise _invalid_grant(reason="api_deleted" if found is None else "no_offline_access")
    return found


def _scopes(
    family: RefreshTokenFamily,
    api: grant_lookup.ApiWithScopes | None,
    requested: list[str] | None,
) -> list[str]:
    """The scopes of this response: the family's (without any its API no longer defines),
    or the requested subset of them. Raises 403 invalid_scope for anything else."""
    known = set(OIDC_SCOPES) | {OFFLINE_ACCESS}
    if api is not None:
        known.update(api.scopes)
    granted = [value for value in family.scopes if value in known]
    if requested is None:
        return granted
    missing = [value for value in requested if value not in granted]
    if missing:
        logger.info("refresh refused: scopes %s not granted (family %s)", missing, family.pk)
        raise OAuthError(
            403,
            "invalid_scope",
            f"Scopes not granted to the refresh token: {' '.join(missing)}",
        )
    return requested


def exchange(request: TokenRequest, now: dt.datetime | None = None) -> TokenResponse:
    """Exchange a refresh token for tokens (RFC 6749 section 6). `now` (aware, default the
    current time) decides expiry and the overlap period and sets iat and exp.

    Raises OAuthError: 400 invalid_request for a missing client_id or refresh_token, 400
    invalid_scope for a malformed scope; 401 access_denied "Unauthorized" for an unknown
    client or a missing or wrong secret; 403 unauthorized_client when the client may not
    use the grant; 403 invalid_grant "Unknown or invalid refresh token." for every refused
    token, "user is blocked" for a blocked user; 403 invalid_scope for a scope the token was
    not granted; 500 server_error for an HS256 client without a stored secret. Lets
    signing.NoSigningKey and vault.UndecryptableSecret through (server faults, 503)."""
    now = now or timezone.now()
    if not request.client_id:
        raise invalid_request("Missing required parameter: client_id")
    if not request.refresh_token:
        raise invalid_request("Missing required parameter: refresh_token")
    requested = requested_scopes(request.scope)
    application = client_auth.authenticate(request, "refresh")
    if REFRESH_TOKEN not in application.grant_type_list:
        raise OAuthError(
            403,
            "unauthorized_client",
            f"Grant type '{REFRESH_TOKEN}' not allowed for the client.",
            error_uri=GRANT_TYPES_URI,
        )
    try:
        id_tokens.check_signable(application)
    except id_tokens.NoClientSecret as error:
        logger.error("cannot sign ID tokens: %s; rotate its secret to store one", error)
        raise OAuthError(
            500,
            "server_error",
            "The client is configured to sign ID tokens with HS256, but its secret is not "
            "stored. Rotate the client secret.",
        ) from error

    def check(family: RefreshTokenFamily) -> tuple[Api | None, list[str]]:
        # Under the family's lock, before the token is spent: a refusal here leaves it usable.
        if family.user.blocked:
            logger.info("refresh refused: user is blocked (family %s)", family.pk)
            raise _invalid_grant(USER_BLOCKED, "blocked_user")
        found = _api_of(family)
        return (None if found is None else found.api), _scopes(family, found, requested)

    try:
        result, (api, scopes) = refresh_exchange.exchange(
            request.refresh_token,
            application=application,
            check=check,
            now=now,
            scope_requested=requested is not None,
        )
    except refresh_tokens.Refused as error:
        # The reason code (refresh_tokens.REASONS) tells the log event a reuse from the rest.
        raise _invalid_grant(reason=error.reason) from error
    return _tokens(application, result, api, scopes, now)


def _tokens(
    application: Application,
    result: refresh_exchange.Exchanged,
    api: Api | None,
    scopes: list[str],
    now: dt.datetime,
) -> TokenResponse:
    family = result.family
    user = family.user
    if api is not None:
        access = user_access_tokens.mint_jwt(
            api=api,
            client_id=application.client_id,
            user=user,
            scopes=scopes,
            session_id=family.session_id,
            now=now,
            grant_type=REFRESH_TOKEN,
        )
    else:
        access = user_access_tokens.issue_opaque(
            application=application,
            user=user,
            scopes=scopes,
            code_digest=family.code_digest,
            now=now,
        )
    id_token = None
    if "openid" in scopes:
        id_token = id_tokens.sign(
            application,
            id_tokens.claims(
                application=application,
                user=user,
                scopes=scopes,
                issued_at=int(now.timestamp()),
                session_id=family.session_id,
                nonce="",  # OIDC Core section 12.2: no nonce in a refreshed ID token
                auth_time=family.auth_time,
            ),
        )
    return TokenResponse(
        access_token=access.token,
        expires_in=access.expires_in,
        scope=" ".join(scopes),
        id_token=id_token,
        refresh_token=result.refresh_token,
        audience=api.identifier if api is not None else "",
        client_name=application.name,
        user_id=user.user_id,
        user_name=user.email,
    )
