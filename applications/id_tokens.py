"""ID tokens (OIDC Core section 2 and 3.1.3.6; AUTH0_USER_FLOWS.md section 5.1).

Claims in the order of a real Auth0 ID token: the profile claims of the granted scopes
(applications/userinfo.py), then iss (the issuer with its trailing slash), sub (the
user_id), aud (the client_id, a string), iat, exp (iat + the client's ID token lifetime,
36000 s by default), sid (the sign-in session), nonce (exactly as sent to /authorize, only
when sent) and auth_time (only when max_age was sent, OIDC Core section 3.1.2.1). No at_hash
or c_hash: they belong to the implicit and hybrid flows (section 3.3.2.11), not the code
flow.

Signed RS256 with the tenant's current key and its `kid` (the default; auth0-spa-js accepts
nothing else), or HS256 with the client's own secret when the client's `id_token_alg` says so
(Auth0's `jwt_configuration.alg`; the secret is kept encrypted for that purpose only).
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings

from applications.models import Application, IdTokenAlg
from applications.userinfo import profile_claims
from keys import signing
from users.models import User


class NoClientSecret(Exception):
    """The client signs ID tokens with HS256 but no secret is stored to sign with: a server
    misconfiguration (rotate the client's secret to store one), never the caller's fault."""


def claims(
    *,
    application: Application,
    user: User,
    scopes: Sequence[str],
    issued_at: int,
    session_id: str,
    nonce: str,
    auth_time: dt.datetime | None,
) -> dict[str, Any]:
    """The ID token's claims. `nonce` "" and `session_id` "" mean not sent and no session;
    `auth_time` None leaves the claim out."""
    body = profile_claims(user, scopes)
    body.update(
        {
            "iss": settings.ISSUER,
            "sub": user.user_id,
            "aud": application.client_id,
            "iat": issued_at,
            "exp": issued_at + application.id_token_lifetime,
        }
    )
    if session_id:
        body["sid"] = session_id
    if nonce:
        body["nonce"] = nonce
    if auth_time is not None:
        body["auth_time"] = int(auth_time.timestamp())
    return body


def check_signable(application: Application) -> None:
    """Raise NoClientSecret when `application` could not sign an ID token: checked before a
    code is spent, so a misconfigured client does not burn its users' codes."""
    if application.id_token_alg == IdTokenAlg.HS256 and not application.encrypted_secret:
        raise NoClientSecret(f"client {application.client_id} has no stored HS256 secret")


def sign(application: Application, body: dict[str, Any]) -> str:
    """The compact JWS of `body` with the client's ID token algorithm. Raises NoClientSecret
    (see check_signable); lets signing.NoSigningKey and vault.UndecryptableSecret through."""
    if application.id_token_alg == IdTokenAlg.HS256:
        check_signable(application)
        return signing.sign_hs256(body, application.encrypted_secret)
    return signing.sign_rs256(body)
