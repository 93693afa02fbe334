"""Authorization codes (RFC 6749 section 4.1.2; AUTH0_USER_FLOWS.md section 3.4): issue,
redeem once, and detect replay.

A code is 256 random bits, shown once in the redirect and stored only as its HMAC digest
(keys/digests.py). It lives CODE_LIFETIME seconds and is bound to the client, the redirect
URI as sent, the PKCE challenge, the nonce, the scopes, the audience, the user, the session
and the time of authentication. Redemption marks it used with one conditional UPDATE, so two
racing exchanges cannot both win; a used code stays until it expires so that a replay is
recognised, and a replay revokes what the first exchange issued (RFC 6749 section 4.1.2:
"SHOULD revoke (when possible) all tokens previously issued based on that authorization
code"; RFC 9700 section 4.5).
"""

import datetime as dt
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from applications import pkce, refresh_tokens
from applications.models import Application, AuthorizationCode, OpaqueAccessToken
from keys import digests
from users.models import User

PURPOSE = "authorization-code"
CODE_LIFETIME = 60  # seconds


class CodeRejected(Exception):
    """The code cannot be exchanged. `reason`: "invalid" (unknown, expired, another
    client's), "reused", "redirect_uri" (differs from the authorize request) or
    "code_verifier" (missing, unexpected or wrong)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def issue(
    *,
    application: Application,
    user: User,
    session_id: str,
    redirect_uri: str,
    code_challenge: str,
    code_challenge_method: str,
    nonce: str,
    scopes: Sequence[str],
    audience: str,
    auth_time: dt.datetime,
    include_auth_time: bool,
    now: dt.datetime | None = None,
) -> str:
    """Stores a new code's digest and bindings; returns the code (43 characters of
    base64url), which exists nowhere else. `redirect_uri` is "" when the request had none."""
    now = now or timezone.now()
    code = secrets.token_urlsafe(32)
    AuthorizationCode.objects.create(
        digest=digests.digest(PURPOSE, code),
        application=application,
        user=user,
        session_id=session_id,
        redirect_uri=redirect_uri,
        code_challenge=code_challenge,
        code_challenge_method=code_challenge_method if code_challenge else "",
        nonce=nonce,
        scopes=list(scopes),
        audience=audience,
        auth_time=auth_time,
        include_auth_time=include_auth_time,
        created_at=now,
        expires_at=now + dt.timedelta(seconds=CODE_LIFETIME),
    )
    return code


def code_digest(code: str) -> str:
    """The stored digest of `code` (to link what an exchange issues to its code)."""
    return digests.digest(PURPOSE, code)


def redeem(
    code: str,
    *,
    application: Application,
    redirect_uri: str | None,
    code_verifier: str | None,
    now: dt.datetime | None = None,
) -> AuthorizationCode:
    """Marks the code used and returns it with its user loaded, or raises CodeRejected.

    The code is spent by any attempt that reaches it, even one that then fails the
    redirect_uri or PKCE check: a stolen code tried with a wrong verifier is burned, not left
    for further guesses. `redirect_uri` must equal the authorize request's when that one was
    sent (RFC 6749 section 4.1.3). A code issued with a challenge needs the matching verifier;
    one issued without never accepts a verifier (AUTH0_USER_FLOWS.md section 9, complaint 7).
    """
    now = now or timezone.now()
    if not code or len(code) > 512:
        raise CodeRejected("invalid")
    digest = code_digest(code)
    row = AuthorizationCode.objects.select_related("user").filter(digest=digest).first()
    if row is None or row.application_id != application.pk or row.expires_at <= now:
        raise CodeRejected("invalid")
    spent = AuthorizationCode.objects.filter(digest=digest, used_at__isnull=True).update(
        used_at=now
    )
    if not spent:
        revoke_issued(row, now)
        raise CodeRejected("reused")
    if row.redirect_uri and redirect_uri != row.redirect_uri:
        raise CodeRejected("redirect_uri")
    if row.code_challenge:
        if not code_verifier or not pkce.verifier_matches(
            code_verifier, row.code_challenge, row.code_challenge_method
        ):
            raise CodeRejected("code_verifier")
    elif code_verifier:
        raise CodeRejected("code_verifier")
    row.used_at = now
    return row


def revoke_issued(row: AuthorizationCode, now: dt.datetime | None = None) -> int:
    """Revokes the tokens issued from the code of `row` that can be revoked (its /userinfo
    tokens and its refresh-token families, AUTH0_USER_FLOWS.md section 9 complaint 8);
    returns how many."""
    with transaction.atomic():
        deleted, _ = OpaqueAccessToken.objects.filter(code_digest=row.digest).delete()
        revoked = refresh_tokens.revoke_for_code(row.digest, now or timezone.now())
    return deleted + revoked


def purge_expired(now: dt.datetime | None = None) -> int:
    """Deletes codes (and tombstones) past their lifetime; returns how many."""
    deleted, _ = AuthorizationCode.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
