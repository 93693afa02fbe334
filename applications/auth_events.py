"""The Auth0 log events of authentication and token outcomes (issue 12 section 1; Auth0's
"Log Event Type Codes", https://auth0.com/docs/deploy-monitor/logs/log-event-type-codes).

Called by the HTTP edge (applications/endpoints.py, authorize_endpoints.py,
logout_endpoints.py), which knows both the request and the outcome; the protocol modules stay
request-free and only report what they decided (TokenResponse's audience, client name and
user; OAuthError.reason; revocation.Revoked; passwords.SignIn). Every event goes through
logs.events.enqueue: buffered, written off the request path (logs/buffer.py), because these
are the hot paths.

What an event never holds: a client secret, code, code verifier, token, password or session
cookie. Only the facts named here are passed; nothing from a request body is copied
wholesale. The one value taken as typed is the identifier of a failed sign-in for an unknown
account (`fu`), and only when it looks like an email address (see `sign_in_failed`).
"""

import re

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest

from applications.models import Application
from applications.oauth import OAuthError, TokenRequest, TokenResponse
from applications.refresh_tokens import REUSE_DETECTED
from logs import events, types
from users.models import User

# The one database connection of Gatehouse's end users (Auth0's default name for it).
CONNECTION = "Username-Password-Authentication"
# A client_id as sent is kept only in the shape of one (32 letters and digits, Auth0's and
# ours): a client that pastes its 64-character secret into client_id must not have it logged,
# whole or cut.
CLIENT_ID_SHAPE = re.compile(r"[A-Za-z0-9]{1,32}")
# The query and fragment of a URL quoted in a refusal's text (a returnTo that was not
# allowed): clients put tokens there, and the log keeps only where it pointed.
URL_TAIL = re.compile(r'(\b[A-Za-z][A-Za-z0-9+.-]*://[^\s"?#]*)[?#][^\s"]*')
# A grant type as sent, kept in `details` of a refusal: enough for any registered URN.
MAX_GRANT_TYPE = 100

CLIENT_CREDENTIALS = "client_credentials"
AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"  # noqa: S105 - a grant type's name
_SUCCESS = {
    CLIENT_CREDENTIALS: types.SUCCESS_CLIENT_CREDENTIALS,
    AUTHORIZATION_CODE: types.SUCCESS_CODE_EXCHANGE,
    REFRESH_TOKEN: types.SUCCESS_REFRESH,
}
_FAILURE = {
    CLIENT_CREDENTIALS: types.FAILED_CLIENT_CREDENTIALS,
    AUTHORIZATION_CODE: types.FAILED_CODE_EXCHANGE,
    REFRESH_TOKEN: types.FAILED_REFRESH,
}


def loggable_client_id(given: str | None) -> str:
    """`given` when it has the shape of a client_id, else "" (never a pasted secret)."""
    return given if given and CLIENT_ID_SHAPE.fullmatch(given) else ""


def _client_name(client_id: str) -> str:
    """The application's name, "" for an unknown client_id (one query, on refusals only;
    none when recording is off)."""
    if not client_id or not settings.LOG_EVENTS:
        return ""
    try:
        name = (
            Application.objects.filter(client_id=client_id).values_list("name", flat=True).first()
        )
    except DatabaseError:  # the refusal is still answered, and its event written without it
        return ""
    return name or ""


def token_issued(request: HttpRequest, token_request: TokenRequest, issued: TokenResponse) -> None:
    """POST /oauth/token answered 200: seccft, seacft or sertft by the grant type, with the
    client, the user (for the user grants), the API (`audience`, "" for a /userinfo token)
    and the granted `scope` (space separated, as in the response)."""
    grant_type = token_request.grant_type or CLIENT_CREDENTIALS
    events.enqueue(
        _SUCCESS[grant_type],
        client_id=loggable_client_id(token_request.client_id),
        client_name=issued.client_name,
        user_id=issued.user_id,
        user_name=issued.user_name,
        audience=issued.audience,
        scope=issued.scope,
        details={"grant_type": grant_type},
        **events.request_fields(request),
    )


def token_refused(
    request: HttpRequest, token_request: TokenRequest | None, error: OAuthError
) -> None:
    """POST /oauth/token refused (any 4xx, or the 503 of a server that cannot sign): feccft,
    feacft or fertft by the grant type, and ferrt when a rotated refresh token was reused
    (RFC 9700 section 4.14.2). `description` is the error_description the client got;
    `details` holds the error code, the status, the grant type as sent and the refusal's
    reason code when there is one.

    A request whose grant_type is missing or unknown, or that could not be read at all
    (`token_request` None), is recorded as feccft: Auth0 has no code for a token request
    of no grant, every one of its token codes is per grant, and such a request (no user, no
    code, no refresh token) is closest to a client-credentials call, which is also the path
    that refuses it (applications/oauth.py). `details.grant_type` keeps what was sent, so
    these remain separable from real client-credentials refusals."""
    grant_type = (token_request.grant_type or "") if token_request is not None else ""
    if grant_type == REFRESH_TOKEN and error.reason == REUSE_DETECTED:
        type_ = types.REFRESH_REUSE
    else:
        type_ = _FAILURE.get(grant_type, types.FAILED_CLIENT_CREDENTIALS)
    client_id = loggable_client_id(token_request.client_id if token_request is not None else None)
    details = {
        "grant_type": grant_type[:MAX_GRANT_TYPE],
        "error": error.error,
        "status": error.status,
    }
    if error.reason:
        details["reason"] = error.reason
    audience = ""
    if token_request is not None:
        audience = token_request.audience or token_request.resource or ""
    events.enqueue(
        type_,
        description=error.description,
        client_id=client_id,
        client_name=_client_name(client_id),
        audience=audience,
        details=details,
        **events.request_fields(request),
    )


def revoked(request: HttpRequest, client_id: str, outcome: str, user_id: str) -> None:
    """POST /oauth/revoke answered 200 (RFC 7009 section 2.2): srrt, with what happened
    (`details.outcome`, a revocation outcome code: a family revoked, an unknown token...).

    A refused revocation (400, 401, 403) records nothing: Auth0 has no code for one, and
    the server log already says why; inventing a code would break log consumers that
    switch on Auth0's."""
    events.enqueue(
        types.SUCCESS_REVOCATION,
        client_id=loggable_client_id(client_id),
        client_name=_client_name(client_id),
        user_id=user_id,
        details={"outcome": outcome},
        **events.request_fields(request),
    )


def _looks_like_email(text: str) -> bool:
    # One "@" with something on both sides, and nothing a password typed into the wrong
    # field is likely to be made of instead (spaces).
    local, at, domain = text.partition("@")
    return bool(at and local and "." in domain and "@" not in domain and " " not in text)


def signed_in(request: HttpRequest, application: Application, user: User, session_id: str) -> None:
    """s: a successful sign-in at /u/login, with the user and the new session's id (the
    public `sid`, never the cookie)."""
    events.enqueue(
        types.SUCCESS_LOGIN,
        client_id=application.client_id,
        client_name=application.name,
        user_id=user.user_id,
        user_name=user.email,
        connection=CONNECTION,
        details={"session_id": session_id},
        **events.request_fields(request),
    )


def sign_in_failed(
    request: HttpRequest,
    application: Application,
    type_: str,
    description: str,
    *,
    user: User | None = None,
    identifier: str = "",
    reason: str = "",
) -> None:
    """fp (wrong password: `user` is the account), fu (no such account) or f (any other
    refusal, say a blocked user) at /u/login. `description` is what the person was told.

    For fu, Auth0 records the identifier as typed in `user_name`. Gatehouse does too, but
    only when it looks like an email address: people type their password into the email
    field, and an fu for that input would store the password. Otherwise `user_name` is ""
    and `details.identifier` says "not an email address"."""
    details: dict[str, str] = {"reason": reason} if reason else {}
    user_name = user.email if user is not None else ""
    if user is None and identifier:
        typed = identifier.strip().lower()[:254]
        if _looks_like_email(typed):
            user_name = typed
        else:
            details["identifier"] = "not an email address"
    events.enqueue(
        type_,
        description=description,
        client_id=application.client_id,
        client_name=application.name,
        user_id=user.user_id if user is not None else "",
        user_name=user_name,
        connection=CONNECTION,
        details=details,
        **events.request_fields(request),
    )


def silent_auth(
    request: HttpRequest,
    application: Application,
    user: User | None,
    *,
    error: str = "",
    description: str = "",
) -> None:
    """ssa (a prompt=none request answered with a code) or fsa (answered with an error:
    login_required, consent_required, or a blocked user's), OIDC Core section 3.1.2.1."""
    events.enqueue(
        types.FAILED_SILENT_AUTH if error else types.SUCCESS_SILENT_AUTH,
        description=description,
        client_id=application.client_id,
        client_name=application.name,
        user_id=user.user_id if user is not None else "",
        user_name=user.email if user is not None else "",
        details={"error": error} if error else {},
        **events.request_fields(request),
    )


def logged_out(
    request: HttpRequest,
    *,
    application: Application | None,
    user: User | None,
    client_id: str = "",
    error: str = "",
    description: str = "",
    session_ended: bool = True,
) -> None:
    """slo (the session ended, or there was none to end) or flo (the logout request was
    refused: `error`, `description` as shown). `client_id` as sent when no application was
    found; `details.session_ended` says whether a session ended (/v2/logout ends it even
    when its returnTo is refused)."""
    if application is not None:
        client_id = application.client_id
    events.enqueue(
        types.FAILED_LOGOUT if error else types.SUCCESS_LOGOUT,
        description=URL_TAIL.sub(r"\1?[redacted]", description),
        client_id=loggable_client_id(client_id),
        client_name=application.name if application is not None else "",
        user_id=user.user_id if user is not None else "",
        user_name=user.email if user is not None else "",
        details={"error": error, "session_ended": session_ended}
        if error
        else {"session_ended": session_ended},
        **events.request_fields(request),
    )
