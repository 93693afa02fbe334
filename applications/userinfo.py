"""What /userinfo and ID tokens say about a user (OIDC Core sections 5.1, 5.3 and 5.4;
AUTH0_USER_FLOWS.md sections 5.1 and 5.3), and which user an access token at /userinfo
speaks for.

Claims follow the granted scopes: `profile` gives name, nickname, picture, updated_at,
given_name and family_name; `email` gives email and email_verified. A claim with no value is
left out (OIDC Core section 5.3.2: not present "with a null or empty string value").

A /userinfo token is either the opaque token of a code exchange without an audience
(applications/user_access_tokens.py), or a JWT access token whose `aud` contains the
tenant's `<issuer>userinfo` (verified by keys/signing.py: RS256 with a published key, `iss`,
`aud`, `exp`). Either way the user must still exist and not be blocked.
"""

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from django.conf import settings
from django.utils import timezone

from applications import user_access_tokens
from applications.models import OpaqueAccessToken
from keys import signing
from users.models import USER_ID_PREFIX, User

# Longer than any token Gatehouse issues (an RS256 JWT with many scopes stays far below).
MAX_TOKEN_CHARS = 8192
# RFC 6750 section 2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
_B64TOKEN = re.compile(r"[A-Za-z0-9\-._~+/]+=*")
# Scopes whose claims Gatehouse can give (OIDC Core section 5.4, without address and phone).
OIDC_SCOPES = ("openid", "profile", "email")


class InvalidBearer(Exception):
    """The bearer token does not let its holder read this user's claims: `description` is
    RFC 6750 section 3's error_description for the `invalid_token` challenge, safe to show
    the holder (it names no secret)."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class Bearer(NamedTuple):
    """What a valid /userinfo token stands for: the user, the scopes it carries, and the
    client it was issued to (`azp` or RFC 9068's `client_id`, or the opaque token's
    application), whose origins may read the answer (applications/cors_origins.py)."""

    user: User
    scopes: list[str]
    client_id: str


def iso_timestamp(moment: dt.datetime) -> str:
    """Auth0's timestamp text: ISO 8601 in UTC with milliseconds and `Z`
    (`2023-01-25T19:00:26.187Z`, AUTH0_USER_FLOWS.md section 7.1)."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def profile_claims(user: User, scopes: Sequence[str]) -> dict[str, Any]:
    """The user's claims for the granted `scopes`, in the order of a real Auth0 ID token
    (given_name, family_name, nickname, name, picture, updated_at, email, email_verified);
    `sub` is not among them. Empty values are left out."""
    claims: dict[str, Any] = {}
    if "profile" in scopes:
        for name in ("given_name", "family_name", "nickname", "name", "picture"):
            value = getattr(user, name)
            if value:
                claims[name] = value
        claims["updated_at"] = iso_timestamp(user.updated_at)
    if "email" in scopes:
        claims["email"] = user.email
        claims["email_verified"] = user.email_verified
    return claims


def userinfo_claims(user: User, scopes: Sequence[str]) -> dict[str, Any]:
    """The /userinfo response body (OIDC Core section 5.3.2): `sub` always, then the claims
    the token's scopes allow."""
    return {"sub": user.user_id, **profile_claims(user, scopes)}


def _user_by_user_id(user_id: object) -> User | None:
    if not isinstance(user_id, str) or not user_id.startswith(USER_ID_PREFIX):
        return None
    return User.objects.filter(pk=user_id.removeprefix(USER_ID_PREFIX)).first()


def _from_jwt(token: str, now: dt.datetime) -> tuple[User | None, list[str], str]:
    try:
        claims = signing.verify(token, audience=settings.USERINFO_AUDIENCE, now=now)
    except signing.InvalidToken as error:
        expired = str(error) == "token has expired"
        raise InvalidBearer(
            "The access token expired." if expired else "The access token is not valid."
        ) from error
    scope = claims.get("scope")
    scopes = scope.split(" ") if isinstance(scope, str) else []
    # The client the token was issued to: `azp` in Auth0's dialect, `client_id` in RFC 9068
    # section 2.2's. Its origins alone may read the answer (an answer for no client would
    # be readable by every registered origin), so a token that names none is refused.
    client_id = claims.get("azp", claims.get("client_id"))
    if not isinstance(client_id, str):
        raise InvalidBearer("The access token is not valid.")
    return _user_by_user_id(claims.get("sub")), scopes, client_id


def _from_opaque(token: str, now: dt.datetime) -> tuple[User | None, list[str], str]:
    row = (
        OpaqueAccessToken.objects.select_related("user", "application")
        .filter(digest=user_access_tokens.opaque_digest(token))
        .first()
    )
    if row is None:
        raise InvalidBearer("The access token is not valid.")
    if row.expires_at <= now:
        raise InvalidBearer("The access token expired.")
    return row.user, list(row.scopes), row.application.client_id


def read_bearer(token: str, now: dt.datetime | None = None) -> Bearer:
    """The user a /userinfo bearer token speaks for, the scopes it carries and its client; raises
    InvalidBearer for an unknown, revoked, expired, forged or foreign token (a JWT whose
    `aud` lacks the userinfo audience, an HS256 API token, an ID token), and for a user who
    was deleted or blocked since. A compact JWS has two dots; anything else is looked up as
    an opaque token by its digest, so no string reaches a query."""
    now = now or timezone.now()
    if len(token) > MAX_TOKEN_CHARS or not _B64TOKEN.fullmatch(token):
        raise InvalidBearer("The access token is not valid.")
    read = _from_jwt if token.count(".") == 2 else _from_opaque
    user, scopes, client_id = read(token, now)
    if user is None:
        raise InvalidBearer("The access token is not valid.")
    if user.blocked:
        # The substring auth0-spa-js looks for (AUTH0_USER_FLOWS.md section 3.3).
        raise InvalidBearer("user is blocked")
    return Bearer(user, scopes, client_id)
