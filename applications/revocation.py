"""Token revocation (RFC 7009; AUTH0_USER_FLOWS.md section 4.5), without HTTP objects: a
RevocationRequest in (read by applications/token_request.py), nothing out or an OAuthError
raised. Also the revocations that staff and the Management API start, so that every one of
them is logged the same way: a reason code, the family id and the client id, never a token
(section 9, complaint 14; refresh_tokens.revoke_families does the logging).

Order of checks (RFC 7009 section 2.1): the request's own parameters (400 invalid_request
"Missing required parameter: ..."), the client's authentication (401 access_denied
"Unauthorized", the token endpoint's rules: applications/client_auth.py; a public client
sends only its client_id), then the token:

- a refresh token of this client: its whole family is revoked (every token of that one
  authorization; other families, say another tab's, are untouched: section 9 complaint 3),
  also a token whose rotation a database crash lost (applications/refresh_token_recovery.py):
  its family is live, its parent usable, and the client signing out means it;
- an opaque /userinfo access token of this client: deleted, so /userinfo refuses it at once;
- a refresh or /userinfo token of another client: refused with 403 unauthorized_client
  (Auth0: "the token must belong to the calling client; otherwise reject"; RFC 7009 section
  2.1: "the request is refused"). Nothing is revoked, so one client cannot log a user out of
  another. 403 and unauthorized_client as Gatehouse's other client-not-allowed refusals;
  Auth0's exact status for this case is not recorded;
- a JWT access token, an unknown token, an already revoked one: 200 and nothing happens
  (section 2.2: "invalid tokens do not cause an error response"). A JWT cannot be recalled:
  resource servers verify it offline until it expires, which is why access tokens are short.

`token_type_hint` is accepted and ignored (section 2.1 allows the server to search every type;
Authlib sends it). The tenant flag `revoke_refresh_token_grant` (revoking also deletes the
grant) is not implemented: Gatehouse behaves as its default, off.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from applications import client_auth, refresh_token_recovery, refresh_tokens, user_access_tokens
from applications.models import Application, OpaqueAccessToken, RefreshToken, RefreshTokenFamily
from applications.oauth import OAuthError, invalid_request
from applications.refresh_token_format import MAX_TOKEN_CHARS, family_id_of, token_digest
from logs import audit
from users.models import USER_ID_PREFIX

logger = logging.getLogger(__name__)

# Why a family was revoked, as stored in revoked_reason and logged, beside refresh_tokens'
# own REASONS: who asked for it.
CLIENT_REVOKED = "client_revoked"  # POST /oauth/revoke
MANAGEMENT_REVOKED = "management_revoked"  # /api/v2/refresh-tokens, /users/{id}/refresh-tokens
CONSOLE_REVOKED = "console_revoked"  # the user page's Refresh tokens tab
SESSION_REVOKED = "session_revoked"  # a session revoked with its refresh tokens
REASONS = (CLIENT_REVOKED, MANAGEMENT_REVOKED, CONSOLE_REVOKED, SESSION_REVOKED)


# What a successful revocation did (Revoked.outcome), for its log event.
FAMILY_REVOKED = "refresh_token_revoked"
ACCESS_TOKEN_REVOKED = "access_token_revoked"
ALREADY_REVOKED = "already_revoked"
NOT_REVOCABLE = "jwt_not_revocable"
UNKNOWN_TOKEN = "unknown_token"


@dataclass(frozen=True)
class Revoked:
    """A revocation request answered 200 (RFC 7009 section 2.2): `outcome` is one of
    FAMILY_REVOKED, ACCESS_TOKEN_REVOKED, ALREADY_REVOKED, NOT_REVOCABLE or UNKNOWN_TOKEN;
    `user_id` the token's user (Auth0's `auth0|...`), "" when the token was not found."""

    outcome: str
    user_id: str = ""


@dataclass(frozen=True)
class RevocationRequest:
    """A revocation request as sent (RFC 7009 section 2.1): each parameter a string, or None
    when absent; client_id and client_secret from the body or HTTP Basic."""

    token: str | None
    client_id: str | None
    client_secret: str | None
    used_basic_auth: bool = False


def _foreign(kind: str, application: Application, detail: str) -> OAuthError:
    logger.info(
        "revocation refused for client %s: %s of another client (%s)",
        application.client_id,
        kind,
        detail,
    )
    return OAuthError(403, "unauthorized_client", "The token was not issued to this client.")


def revoke(request: RevocationRequest, now: dt.datetime | None = None) -> Revoked:
    """Revoke `request.token` if it is a revocable token of the authenticated client (see the
    module docstring), and say what happened. Raises OAuthError: 400 invalid_request for a
    missing client_id or token, 401 access_denied "Unauthorized" for failed client
    authentication, 403 unauthorized_client for another client's token."""
    now = now or timezone.now()
    if not request.client_id:
        raise invalid_request("Missing required parameter: client_id")
    if not request.token:
        raise invalid_request("Missing required parameter: token")
    application = client_auth.authenticate(request, "revocation")
    token = request.token
    if len(token) > MAX_TOKEN_CHARS:
        logger.info("revocation by client %s: unknown token", application.client_id)
        return Revoked(UNKNOWN_TOKEN)
    digest = token_digest(token)
    with transaction.atomic():
        row = _refresh_token(token, digest)
        if row is not None:
            return _revoke_family(row.family, application, now)
        opaque = OpaqueAccessToken.objects.filter(
            digest=user_access_tokens.opaque_digest(token)
        ).first()
        if opaque is not None:
            if opaque.application_id != application.pk:
                raise _foreign("userinfo access token", application, f"user {opaque.user_id}")
            opaque.delete()
            logger.info(
                "userinfo access token of client %s revoked: %s",
                application.client_id,
                CLIENT_REVOKED,
            )
            return Revoked(ACCESS_TOKEN_REVOKED, USER_ID_PREFIX + opaque.user_id)
    # A JWT (three dot-separated parts) cannot be recalled; anything else is unknown here.
    jwt = token.count(".") == 2
    kind = "access token (JWT, not revocable)" if jwt else "unknown token"
    logger.info("revocation by client %s: %s", application.client_id, kind)
    return Revoked(NOT_REVOCABLE if jwt else UNKNOWN_TOKEN)


def _refresh_token(token: str, digest: str) -> RefreshToken | None:
    """The row of refresh token `token` (digest `digest`) with its family or, for the child
    of a rotation a crash lost, its parent's: that family is live. Read again when it named
    a family that another exchange advanced meanwhile (it may have stored this very token)."""
    stored = RefreshToken.objects.select_related("family").filter(digest=digest)
    row = stored.first() or refresh_token_recovery.lost_child_parent(token, digest)
    if row is None and family_id_of(token) is not None:
        row = stored.first()  # a new query: `stored` itself is never evaluated
    return row


def _revoke_family(
    family: RefreshTokenFamily, application: Application, now: dt.datetime
) -> Revoked:
    if family.application_id != application.pk:
        raise _foreign("refresh token", application, f"family {family.pk}")
    user_id = USER_ID_PREFIX + family.user_id
    if family.revoked_at is not None:
        logger.info(
            "revocation by client %s: family %s already revoked (%s)",
            application.client_id,
            family.pk,
            family.revoked_reason,
        )
        return Revoked(ALREADY_REVOKED, user_id)
    refresh_tokens.revoke_families(CLIENT_REVOKED, now, pk=family.pk)
    return Revoked(FAMILY_REVOKED, user_id)


def revoke_family(family: RefreshTokenFamily, reason: str, now: dt.datetime | None = None) -> int:
    """Revokes one family on behalf of staff or the Management API (`reason`: one of
    REASONS); 0 when it was already revoked. Logged as a `sapi` event (logs/audit.py)."""
    with transaction.atomic():
        revoked = refresh_tokens.revoke_families(reason, now or timezone.now(), pk=family.pk)
        audit.changed(
            "Revoke a refresh token",
            object_type="refresh_token",
            object_id=str(family.pk),
            before={"revoked": family.revoked_at is not None},
            after={"revoked": True},
            user_id=USER_ID_PREFIX + str(family.user_id),
            details={"reason": reason, "revoked": revoked},
        )
    return revoked


def revoke_user_families(user_id: str, reason: str, now: dt.datetime | None = None) -> int:
    """Revokes every active family of a user (the primary key, not `auth0|...`); one `sapi`
    event for all of them."""
    with transaction.atomic():
        revoked = refresh_tokens.revoke_families(reason, now or timezone.now(), user_id=user_id)
        audit.changed(
            "Revoke a user's refresh tokens",
            object_type="user",
            object_id=USER_ID_PREFIX + user_id,
            user_id=USER_ID_PREFIX + user_id,
            details={"reason": reason, "revoked": revoked},
        )
    return revoked


def revoke_session_families(session_id: str, reason: str, now: dt.datetime | None = None) -> int:
    """Revokes the families started from a session's sign-ins (Auth0's session revoke)."""
    if not session_id:
        return 0
    return refresh_tokens.revoke_families(reason, now or timezone.now(), session_id=session_id)
