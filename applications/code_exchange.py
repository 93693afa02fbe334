"""The authorization-code grant at the token endpoint (RFC 6749 section 4.1.3, RFC 7636
section 4.5, OIDC Core section 3.1.3), without HTTP objects: a TokenRequest in (read by
applications/token_request.py), a TokenResponse out or an OAuthError raised, with Auth0's
statuses and texts (AUTH0_USER_FLOWS.md section 3.3).

Order of checks: the request's own parameters (400), the client's authentication (401), the
client's grant types (403), then the code itself (403 invalid_grant), which is spent by the
first attempt that reaches it (applications/codes.py). Then the tokens: an access token for
the code's API, or an opaque /userinfo token when it names none
(applications/user_access_tokens.py), and an ID token when `openid` was granted
(applications/id_tokens.py).

Client authentication (section 3.1): a confidential client (client_secret_post or
client_secret_basic) must send its secret, in the body or in HTTP Basic whatever its
configured method (Auth0 is lenient there too). A public client (`none`) sends only its
client_id and must have bound its code to a PKCE challenge (RFC 9700 section 2.1.1); a
secret it sends anyway is checked, and a wrong one refused like any wrong secret.

Nothing logged here holds the code, the verifier or the secret: only the client_id and why.
"""

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from applications import (
    codes,
    credentials,
    grant_lookup,
    id_tokens,
    refresh_grant,
    refresh_tokens,
    user_access_tokens,
)
from applications.models import Application, AuthorizationCode, TokenEndpointAuthMethod
from applications.oauth import (
    CLIENT_SECRET_REQUIRED,
    GRANT_TYPES_URI,
    UNKNOWN_CLIENT,
    WRONG_CLIENT_SECRET,
    OAuthError,
    TokenRequest,
    TokenResponse,
    invalid_request,
)
from applications.userinfo import OIDC_SCOPES
from keys import signing

logger = logging.getLogger(__name__)

AUTHORIZATION_CODE = "authorization_code"
INVALID_CODE = "Invalid authorization code"
PKCE_FAILED = "Failed to verify code verifier"
USER_BLOCKED = "user is blocked"  # auth0-spa-js logs the user out on this substring


def _unauthorized(
    request: TokenRequest, reason: str, code: str, *, known: bool = True
) -> OAuthError:
    # Section 9 complaint 13: the client sees Auth0's terse body, the log says why. An
    # unknown client_id is not logged: it may be a secret pasted into the wrong field.
    client = repr(request.client_id) if known else "(unknown)"
    logger.info("code exchange refused for client %s: %s", client, reason)
    return OAuthError(
        401,
        "access_denied",
        "Unauthorized",
        basic_challenge=request.used_basic_auth,
        reason=code,
    )


def _invalid_grant(
    client_id: str, reason: str, description: str = INVALID_CODE, code: str = ""
) -> OAuthError:
    logger.info("code exchange refused for client %r: %s", client_id, reason)
    return OAuthError(403, "invalid_grant", description, reason=code)


def _authenticated(request: TokenRequest) -> Application:
    """The client the request authenticates as (RFC 6749 section 2.3.1), or the 401 that an
    unknown client, a missing secret and a wrong one share."""
    # From the connection's grant cache: no query on a warm connection.
    application = grant_lookup.application(request.client_id) if request.client_id else None
    if application is None:
        raise _unauthorized(request, "unknown client", UNKNOWN_CLIENT, known=False)
    secret = request.client_secret or None
    if secret is not None and not credentials.verify_secret(secret, application.secret_digest):
        raise _unauthorized(request, "wrong client secret", WRONG_CLIENT_SECRET)
    if secret is None and application.token_endpoint_auth_method != TokenEndpointAuthMethod.NONE:
        raise _unauthorized(
            request,
            "client secret required (token_endpoint_auth_method is "
            f"{application.token_endpoint_auth_method}; public clients use none)",
            CLIENT_SECRET_REQUIRED,
        )
    return application


def _granted_scopes(
    row: AuthorizationCode, api: grant_lookup.ApiWithScopes | None, offline: bool = False
) -> list[str]:
    """The scopes the tokens carry: the code's, without any the server no longer knows.

    OIDC scopes stay; an API scope stays only while the API still defines it (a scope
    deleted in the code's lifetime is not granted). `offline_access` stays only when
    `offline` (a refresh token is issued): section 4.1 says to leave it out of `scope` when
    none is."""
    known = set(OIDC_SCOPES)
    if api is not None:
        known.update(api.scopes)
    if offline:
        known.add(refresh_grant.OFFLINE_ACCESS)
    return [value for value in dict.fromkeys(row.scopes) if value in known]


def _issue_refresh_token(
    application: Application, row: AuthorizationCode, now: dt.datetime
) -> str | None:
    """A refresh token for the code when section 4.1 says one is due (offline_access
    granted, the API allows offline access, the client may use the refresh grant), else
    None. Called in the code's transaction: a replay racing this exchange waits for it and
    then revokes the family (applications/codes.py)."""
    if refresh_grant.OFFLINE_ACCESS not in row.scopes:
        return None  # the common case costs no query
    # The transaction has written only the code: the grant cache may serve the API.
    api = grant_lookup.api_with_scopes(row.audience, in_transaction=True)
    if not refresh_grant.issues_refresh_token(
        application, None if api is None else api.api, row.scopes
    ):
        return None
    return refresh_tokens.issue(
        application=application,
        user=row.user,
        audience=row.audience,
        scopes=_granted_scopes(row, api, offline=True),
        session_id=row.session_id,
        auth_time=row.auth_time,
        code_digest=row.digest,
        now=now,
    )


def _check_redeemed(application: Application, row: AuthorizationCode) -> None:
    """Refusals that depend on the redeemed code's bindings, not on the code being valid."""
    if not row.code_challenge and application.token_endpoint_auth_method == (
        TokenEndpointAuthMethod.NONE
    ):
        # /authorize requires PKCE of public clients; a code without it (issued before the
        # client became public) is not redeemable by an unauthenticated client.
        raise _invalid_grant(
            application.client_id, "public client, code without PKCE", PKCE_FAILED, "no_pkce"
        )
    if row.user.blocked:
        raise _invalid_grant(application.client_id, "user is blocked", USER_BLOCKED, "blocked_user")


def _names_an_api(row: AuthorizationCode) -> bool:
    # "" is /authorize's "no audience"; the tenant's userinfo audience means the same.
    return bool(row.audience) and row.audience != settings.USERINFO_AUDIENCE


def _spend(
    request: TokenRequest, application: Application, now: dt.datetime
) -> tuple[AuthorizationCode, user_access_tokens.AccessToken | None, str | None]:
    """Redeem the code and, when it names no API, store its opaque /userinfo token, or when
    one is due start its refresh-token family, in one transaction: a replay racing this
    exchange waits for it and then revokes them (applications/codes.py). Returns the code,
    that /userinfo token (None for an API's code) and the refresh token (or None).
    A refusal is raised only after the commit, so every attempt still spends the code."""
    refusal: OAuthError | None = None
    with transaction.atomic():
        try:
            row = codes.redeem(
                request.code or "",
                application=application,
                redirect_uri=request.redirect_uri or None,
                code_verifier=request.code_verifier or None,
                now=now,
            )
            _check_redeemed(application, row)
            opaque, refresh_token = None, None
            if _names_an_api(row):
                refresh_token = _issue_refresh_token(application, row, now)
            else:
                opaque = user_access_tokens.issue_opaque(
                    application=application,
                    user=row.user,
                    scopes=_granted_scopes(row, None),
                    code_digest=row.digest,
                    now=now,
                )
        except codes.CodeRejected as error:
            reason, description = _REJECTIONS[error.reason]
            refusal = _invalid_grant(application.client_id, reason, description, error.reason)
        except OAuthError as error:
            refusal = error
    if refusal is not None:
        raise refusal
    return row, opaque, refresh_token


def _tokens(
    application: Application,
    row: AuthorizationCode,
    opaque: user_access_tokens.AccessToken | None,
    refresh_token: str | None,
    now: dt.datetime,
) -> TokenResponse:
    """The response for a spent code (section 3.2): signed after the commit, so no RSA
    work happens while SQLite's write lock is held."""
    if opaque is None:
        api = grant_lookup.api_with_scopes(row.audience)  # after the commit: from the cache
        if api is None:
            raise _invalid_grant(
                application.client_id, "the code's API no longer exists", code="api_deleted"
            )
        scopes = _granted_scopes(row, api, offline=refresh_token is not None)
        access = user_access_tokens.mint_jwt(
            api=api.api,
            client_id=application.client_id,
            user=row.user,
            scopes=scopes,
            session_id=row.session_id,
            now=now,
        )
    else:
        scopes, access = _granted_scopes(row, None), opaque
    id_token = None
    if "openid" in scopes:
        id_token = id_tokens.sign(
            application,
            id_tokens.claims(
                application=application,
                user=row.user,
                scopes=scopes,
                issued_at=int(now.timestamp()),
                session_id=row.session_id,
                nonce=row.nonce,
                auth_time=row.auth_time if row.include_auth_time else None,
            ),
        )
    return TokenResponse(
        access_token=access.token,
        expires_in=access.expires_in,
        scope=" ".join(scopes),
        id_token=id_token,
        refresh_token=refresh_token,
        audience=row.audience if opaque is None else "",
        client_name=application.name,
        user_id=row.user.user_id,
        user_name=row.user.email,
    )


_REJECTIONS = {
    "invalid": ("unknown, expired or another client's code", INVALID_CODE),
    "reused": ("code reused; what it issued is revoked", INVALID_CODE),
    "redirect_uri": ("redirect_uri differs from the authorize request", INVALID_CODE),
    "code_verifier": ("PKCE verification failed", PKCE_FAILED),
}


def exchange(request: TokenRequest, now: dt.datetime | None = None) -> TokenResponse:
    """Exchange an authorization code for tokens (RFC 6749 section 4.1.3). `now` (aware,
    default the current time) decides the code's expiry and sets iat and exp.

    Raises OAuthError: 400 invalid_request for a missing client_id or code; 401
    access_denied "Unauthorized" for an unknown client or a missing or wrong secret; 403
    unauthorized_client when the client may not use this grant; 403 invalid_grant "Invalid
    authorization code" for an unknown, expired, used or foreign code and a redirect_uri
    that differs from the authorize request's, "Failed to verify code verifier" for a PKCE
    failure, "user is blocked" for a blocked user; 500 server_error when a client that signs
    ID tokens with HS256 has no stored secret (checked before the code is spent). Lets
    signing.NoSigningKey through before the code is spent (the client may retry), and
    vault.UndecryptableSecret (an HS256 secret the server can no longer decrypt) after.
    """
    now = now or timezone.now()
    if not request.client_id:
        raise invalid_request("Missing required parameter: client_id")
    if not request.code:
        raise invalid_request("Missing required parameter: code")
    application = _authenticated(request)
    if AUTHORIZATION_CODE not in application.grant_type_list:
        raise OAuthError(
            403,
            "unauthorized_client",
            f"Grant type '{AUTHORIZATION_CODE}' not allowed for the client.",
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
    # A tenant without a signing key fails here, before the code is spent (503, retry).
    signing.current_kid()
    row, opaque, refresh_token = _spend(request, application, now)
    return _tokens(application, row, opaque, refresh_token, now)
