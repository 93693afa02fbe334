"""Access tokens issued to an application on behalf of a user (AUTH0_USER_FLOWS.md sections
1.5 and 5.2): a JWT for an API, or an opaque token good only at /userinfo.

Minted after the authorization-code exchange (applications/code_exchange.py) has decided
who gets what; nothing here checks a client or a code. The JWT is signed like a
client-credentials token (applications/oauth.py): the tenant's current RS256 key with its
`kid`, or the API's own HS256 secret, in the API's token dialect.
"""

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from apis.models import Api, SigningAlg, TokenDialect
from applications.models import Application, OpaqueAccessToken
from keys import digests, signing
from users.models import User

OPAQUE_PURPOSE = "userinfo-access-token"
# Auth0's lifetime of a /userinfo-only token from the code flow (section 1.5).
OPAQUE_LIFETIME = 86400  # seconds


@dataclass(frozen=True)
class AccessToken:
    """An access token and its lifetime in seconds (RFC 6749 section 5.1 `expires_in`)."""

    token: str
    expires_in: int


def audience_claim(api: Api, scopes: Sequence[str]) -> str | list[str]:
    """`aud` of a user's token for `api`: `[api, <issuer>userinfo]` when `openid` was granted
    on an RS256 API, so the same token is good at /userinfo; else the API's identifier alone,
    a string (section 1.5; an HS256 token cannot be verified by /userinfo's keys)."""
    if "openid" in scopes and api.signing_alg == SigningAlg.RS256:
        return [api.identifier, settings.USERINFO_AUDIENCE]
    return api.identifier


def jwt_claims(
    *,
    api: Api,
    client_id: str,
    user: User,
    scopes: Sequence[str],
    session_id: str,
    issued_at: int,
    grant_type: str | None = None,
) -> dict[str, Any]:
    """The claims of a user's access token in the API's dialect.

    access_token (also when never set): Auth0's iss, sub (the user_id), aud, iat, exp, scope
    (only when non-empty), gty (only `grant_type` "refresh_token" after a refresh; none
    from the code flow, section 5.2), azp. rfc9068_profile: RFC 9068 section 2.2's iss,
    exp, aud, sub, client_id, iat, jti, scope. Both also carry `jti` (a unique id, as
    client-credentials tokens do) and `sid` (the sign-in session) when there is one: section
    10 point 6 leaves them open, and they let a later revocation or logout name the token.
    """
    claims: dict[str, Any] = {
        "iss": settings.ISSUER,
        "sub": user.user_id,
        "aud": audience_claim(api, scopes),
        "iat": issued_at,
        "exp": issued_at + api.token_lifetime,
    }
    if scopes:
        claims["scope"] = " ".join(scopes)
    if api.token_dialect == TokenDialect.RFC9068_PROFILE:
        claims["client_id"] = client_id
    else:
        if grant_type is not None:
            claims["gty"] = grant_type
        claims["azp"] = client_id
    if session_id:
        claims["sid"] = session_id
    claims["jti"] = secrets.token_urlsafe(16)
    return claims


def mint_jwt(
    *,
    api: Api,
    client_id: str,
    user: User,
    scopes: Sequence[str],
    session_id: str,
    now: dt.datetime,
    grant_type: str | None = None,
) -> AccessToken:
    """A signed access token for `api`, valid for the API's token_lifetime from `now`;
    `grant_type` "refresh_token" marks one issued by the refresh grant (`gty`). Lets
    signing.NoSigningKey and vault.UndecryptableSecret through (server faults)."""
    claims = jwt_claims(
        api=api,
        client_id=client_id,
        user=user,
        scopes=scopes,
        session_id=session_id,
        issued_at=int(now.timestamp()),
        grant_type=grant_type,
    )
    typ = "at+jwt" if api.token_dialect == TokenDialect.RFC9068_PROFILE else "JWT"
    if api.signing_alg == SigningAlg.HS256:
        token = signing.sign_hs256(claims, api.encrypted_signing_secret, typ)
    else:
        token = signing.sign_rs256(claims, typ)
    return AccessToken(token, api.token_lifetime)


def issue_opaque(
    *,
    application: Application,
    user: User,
    scopes: Sequence[str],
    code_digest: str,
    now: dt.datetime,
) -> AccessToken:
    """A random 256-bit token good only at /userinfo, stored as its digest, linked to the
    code it was issued from (so a replay of that code revokes it, applications/codes.py)."""
    token = secrets.token_urlsafe(32)
    OpaqueAccessToken.objects.create(
        digest=opaque_digest(token),
        application=application,
        user=user,
        scopes=list(scopes),
        code_digest=code_digest,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=OPAQUE_LIFETIME),
    )
    return AccessToken(token, OPAQUE_LIFETIME)


def opaque_digest(token: str) -> str:
    """The stored digest of an opaque /userinfo token."""
    return digests.digest(OPAQUE_PURPOSE, token)
