"""Logout requests (AUTH0_USER_FLOWS.md section 6): Auth0's `/v2/logout` and OpenID Connect
RP-Initiated Logout 1.0 at `/oidc/logout`. Decides where the browser may go afterwards and
whether the user must confirm; the views (applications/logout_endpoints.py) end the session.

A return URL is honoured only when it is in the Allowed Logout URLs of the client named by
`client_id` or by the `id_token_hint`'s audience (redirect_uris.logout_url_allowed: query
and fragment ignored, one-label wildcards). Gatehouse has no tenant-level list, so a return
URL without a client is refused: an allow-list nobody configured must not become an open
redirect.
"""

import base64
import binascii
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from applications import redirect_uris
from applications.authorization_responses import with_parameters
from applications.models import Application, IdTokenAlg
from keys import signing

MAX_HINT_LENGTH = 8192
MAX_VALUE_LENGTH = 2048


class LogoutRefused(Exception):
    """The request names a return URL it may not use, or a hint that does not verify: an
    error page (`error`, `description`), never a redirect."""

    def __init__(self, description: str, error: str = "invalid_request") -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class Logout:
    """What to do: `redirect_to` ("" for the signed-out page) and whether the user must be
    asked first (RP-Initiated Logout section 2, without a usable hint)."""

    redirect_to: str
    confirm: bool
    application: Application | None


def not_allowed(parameter: str, url: str) -> str:
    """Auth0's text for a return URL outside the allow-list (section 6)."""
    return (
        f'The "{parameter}" querystring parameter "{url}" is not defined as a valid URL in '
        '"Allowed Logout URLs".'
    )


def _value(params: Mapping[str, str], name: str, limit: int = MAX_VALUE_LENGTH) -> str:
    value = params.get(name) or ""
    if len(value) > limit or "\x00" in value:
        raise LogoutRefused(f"Parameter '{name}' is malformed.")
    return value


def _application(client_id: str) -> Application:
    application = None
    if len(client_id) <= 128 and client_id.isascii() and client_id.isprintable():
        application = Application.objects.filter(client_id=client_id).first()
    if application is None:
        raise LogoutRefused("Unknown client.")
    return application


def _return_url(application: Application | None, parameter: str, url: str) -> str:
    if application is None or not redirect_uris.logout_url_allowed(
        application.allowed_logout_urls, url
    ):
        raise LogoutRefused(not_allowed(parameter, url))
    return url


def v2(params: Mapping[str, str]) -> Logout:
    """/v2/logout?client_id&returnTo[&federated]: never asks; `federated` is accepted and
    ignored (no upstream identity provider). `client_id` alone returns to the client's
    first Allowed Logout URL when that is a plain URL, else to the signed-out page."""
    client_id, return_to = _value(params, "client_id"), _value(params, "returnTo")
    application = _application(client_id) if client_id else None
    if return_to:
        return Logout(_return_url(application, "returnTo", return_to), False, application)
    urls = application.allowed_logout_urls if application is not None else []
    first = urls[0] if urls and "*" not in urls[0] else ""
    return Logout(first, False, application)


@dataclass(frozen=True)
class _Hint:
    application: Application
    sid: str


def _unverified_claims(token: str) -> dict[str, Any]:
    """The payload of a compact JWS, read without trusting it (RFC 7515 section 7.1), only to
    learn which client's key and audience to verify it with."""
    try:
        segment = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (IndexError, ValueError, binascii.Error):
        claims = None
    if not isinstance(claims, dict):  # a JSON array, string or number is no claim set
        raise LogoutRefused("The id_token_hint is not a valid ID token.")
    return claims


def _verified_hint(token: str) -> _Hint:
    """The client and session an ID token names, if Gatehouse signed it for that client.

    Signature, issuer and audience are checked (keys.signing.verify); expiry is not: the
    RP-Initiated Logout spec (section 2) says an expired ID token is still a good hint, and
    a 10-hour ID token often is expired when the user logs out. So `now` is the token's own
    `iat`, which makes verify()'s expiry check accept any token that was valid when issued.
    """
    unverified = _unverified_claims(token)
    audience, issued_at = unverified.get("aud"), unverified.get("iat")
    if isinstance(audience, list) and len(audience) == 1:
        audience = audience[0]
    if not isinstance(audience, str) or not audience:
        raise LogoutRefused("The id_token_hint is not a valid ID token.")
    if isinstance(issued_at, bool) or not isinstance(issued_at, int | float):
        raise LogoutRefused("The id_token_hint is not a valid ID token.")
    try:
        application = _application(audience)
        secret = (
            application.encrypted_secret if application.id_token_alg == IdTokenAlg.HS256 else None
        )
        claims = signing.verify(
            token,
            audience=audience,
            now=dt.datetime.fromtimestamp(issued_at, tz=dt.UTC),
            hs256_encrypted_secret=secret or None,
        )
    except (LogoutRefused, signing.InvalidToken, OverflowError, ValueError, OSError) as error:
        raise LogoutRefused("The id_token_hint is not a valid ID token.") from error
    sid = claims.get("sid")
    return _Hint(application, sid if isinstance(sid, str) else "")


def oidc(params: Mapping[str, str], current_sid: str | None) -> Logout:
    """/oidc/logout (RP-Initiated Logout 1.0 section 2; Auth0's rules in section 6).

    The client is the hint's audience or `client_id` (both given: they must agree). A
    `logout_hint` with a hint must equal its `sid`. No confirmation is needed when a verified
    hint, or a `logout_hint`, names the browser's current session, or there is no session to
    end; otherwise the user is asked. `state` is echoed on the redirect.
    """
    token = _value(params, "id_token_hint", MAX_HINT_LENGTH)
    logout_hint = _value(params, "logout_hint")
    client_id = _value(params, "client_id")
    return_to = _value(params, "post_logout_redirect_uri")
    state = params.get("state")
    hint = _verified_hint(token) if token else None
    application: Application | None = None
    if hint is not None:
        application = hint.application
        if client_id and client_id != application.client_id:
            raise LogoutRefused("The client_id does not match the id_token_hint's audience.")
        if logout_hint and logout_hint != hint.sid:
            raise LogoutRefused("The logout_hint does not match the id_token_hint's session.")
    elif client_id:
        application = _application(client_id)
    redirect_to = ""
    if return_to:
        redirect_to = _return_url(application, "post_logout_redirect_uri", return_to)
        if state is not None and len(state) <= MAX_VALUE_LENGTH:
            redirect_to = with_parameters(redirect_to, {"state": state})
    named_sid = hint.sid if hint is not None else logout_hint
    confirm = current_sid is not None and named_sid != current_sid
    return Logout(redirect_to, confirm, application)
